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
