import mir_eval
import numpy as np
import pytest

from accompanist import chords
from accompanist.errors import ChordError


def test_vocabulary_size_and_table():
    assert chords.VOCAB_SIZE == 109
    assert chords.to_label(0) == "N"
    assert chords.to_label(1) == "C:maj"
    assert chords.to_label(9) == "C:dim7"
    assert chords.to_label(68) == "G:7"
    assert chords.to_label(108) == "B:dim7"


@pytest.mark.parametrize("idx", range(chords.VOCAB_SIZE))
def test_round_trip_and_mir_eval_parses_every_label(idx):
    label = chords.to_label(idx)
    root, bitmap, _ = mir_eval.chord.encode(label)
    assert chords.from_label(label) == idx
    assert set(np.flatnonzero(np.roll(bitmap, root))) == set(chords.pitch_classes(idx))


def test_enharmonic_and_equivalent_spellings():
    assert chords.from_label("Db:maj") == chords.from_label("C#:maj")
    assert chords.from_label("G:(3,5,b7)") == chords.from_label("G:7")


def test_bad_labels_raise():
    with pytest.raises(ChordError):
        chords.from_label("H:maj")
    with pytest.raises(ChordError):
        chords.from_label("C:sus4")


def test_transpose():
    assert chords.to_label(chords.transpose(chords.from_label("B:min7"), 2)) == "C#:min7"
    assert chords.transpose(chords.NO_CHORD, 5) == chords.NO_CHORD
    seq = np.array([1, 0, 68])
    assert list(chords.transpose(seq, 12)) == [1, 0, 68]


def mir_eval_index(label):
    """The vocabulary index by mir_eval's reading of a label (how from_label used to parse), or
    ChordError: the reference the project's own parser must equal."""
    try:
        root, bitmap, _ = mir_eval.chord.encode(label.strip())
    except Exception as exc:
        raise ChordError(label) from exc
    if root < 0:
        return chords.NO_CHORD
    rel = tuple(int(i) for i in np.flatnonzero(bitmap))
    if rel not in chords.INTERVALS:
        raise ChordError(label)
    return chords.index(root, chords.INTERVALS.index(rel))


def same_reading(label):
    """from_label and mir_eval agree: the same index, or both refuse."""
    try:
        expected = mir_eval_index(label)
    except ChordError:
        with pytest.raises(ChordError):
            chords.from_label(label)
        return
    assert chords.from_label(label) == expected, label


SPELLINGS = (
    "N", "X", " C:maj ", "C", "Db", "Db:maj", "C#:min7", "Cb:maj", "B#:dim", "Fb:aug", "E#:7",
    "Ebb:min", "G##:maj7", "Bbbb:hdim7", "A:min/b3", "C:maj/3", "C:maj/5", "C:maj/b7", "C:min/6",
    "C:(1,3,5)", "C:(3,5)", "C:(b3,5)", "C:(b3,b5)", "C:(3,#5)", "C:(3,5,b7)", "C:(3,5,7)",
    "C:(b3,b5,bb7)", "C:(b3,b5,b7)", "C:(3,5,b7)/b7", "C:maj(b7)", "C:maj(7)", "C:min(b7)",
    "C:dim(b7)", "C:dim(bb7)", "C:maj(*5)", "C:7(*b7)", "C:maj7(*7)", "C:maj(9)", "C:maj(13)",
    "C:maj(#7)", "C:maj(b1)", "C:(1)", "C:1", "C:5", "C:5(3)", "C:1(3,5)", "C:sus4", "C:sus2",
    "C:sus4(b3)", "C:maj6", "C:min6", "C:minmaj7", "C:maj9", "C:min9", "C:9", "C:11", "C:min11",
    "C:13", "C:maj13", "C:min13", "C:aug7", "C:maj11", "C:", "C:()", "C(3,5)", "C:Maj", "c:maj",
    "H:maj", "Cx:maj", "C:maj/", "C:maj/*3", "C:maj/14", "C:maj/9", "C:(*3)", "C:maj7/7",
    "C:maj((3))", "C:maj,3", "C:maj/3/5", "Db:maj:7", "", "NC", "N:maj", "C:min7(*b3,3)",
)  # fmt: skip


@pytest.mark.parametrize("label", SPELLINGS)
def test_the_parser_reads_each_spelling_as_mir_eval_does(label):
    same_reading(label)


def test_the_parser_reads_generated_labels_as_mir_eval_does():
    """A few thousand labels from Harte's grammar, with mistakes mixed in, read as mir_eval reads them."""
    rng = np.random.default_rng(14)
    qualities = [*chords.HARTE_QUALITIES, "aug7", "maj11", "", "Maj", "sus"]
    degrees = [f"{m}{d}" for m in ("", "b", "#", "bb", "##", "*", "*b") for d in range(0, 15)]

    def pick(options):
        return str(options[rng.integers(len(options))])

    for _ in range(3000):
        label = pick("ABCDEFGH") + pick(["", "b", "#", "bb", "##", "b#"])
        if rng.random() < 0.8:
            label += ":" + pick(qualities)
        if rng.random() < 0.4:
            label += "(" + ",".join(pick(degrees) for _ in range(rng.integers(0, 4))) + ")"
        if rng.random() < 0.3:
            label += "/" + pick(degrees)
        same_reading(label)
