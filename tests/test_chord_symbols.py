"""Chord symbols: every vocabulary chord's symbol, spelling by key, slash basses, key estimates."""

import numpy as np
import pytest

from accompanist import chords
from accompanist.chord_symbols import Key, KeyTracker, estimate_key, symbol
from accompanist.harmony import basses
from accompanist.lead_sheet import chord_sheet
from accompanist.melody import Melody

C, A_MINOR, E_MAJOR, D_MAJOR, EB_MAJOR, DB_MAJOR = Key(0), Key(9, True), Key(4), Key(2), Key(3), Key(1)


def sym(label, key=C, bass=None):
    return symbol(chords.from_label(label), key, bass)


@pytest.mark.parametrize(
    ("label", "key", "expected"),
    [
        ("C:maj", C, "C"),
        ("A:min", C, "Am"),
        ("G:7", C, "G7"),
        ("F#:dim", C, "F#dim"),
        ("Bb:maj7", C, "Bbmaj7"),
        ("D:min7", C, "Dm7"),
        ("B:hdim7", C, "Bm7b5"),
        ("C#:dim7", C, "C#dim7"),  # leads to Dm: not Dbdim7
        ("E:aug", C, "Eaug"),
        ("N", C, "N.C."),
        ("G#:dim", A_MINOR, "G#dim"),  # the leading tone of A minor
        ("G#:dim", E_MAJOR, "G#dim"),
        ("G#:dim", D_MAJOR, "G#dim"),  # vii of V in D major, not Abdim
        ("Ab:maj", EB_MAJOR, "Ab"),
        ("Db:7", EB_MAJOR, "Db7"),
        ("B:maj", EB_MAJOR, "B"),  # not Cb: Eb major's scale has no Cb
        ("D:maj", DB_MAJOR, "D"),  # not Ebb
    ],
)
def test_symbols_are_spelled_for_the_key(label, key, expected):
    assert sym(label, key) == expected


def test_every_vocabulary_chord_has_a_plain_symbol_in_every_key():
    for tonic in range(12):
        for minor in (False, True):
            key = Key(tonic, minor)
            for idx in range(1, chords.VOCAB_SIZE):
                text = symbol(idx, key)
                assert text[0] in "ABCDEFG" and "##" not in text and "bb" not in text[:3]
                assert chords.from_label(text[:2].rstrip("amd7") if False else _root(text)) % 9 == 1
                # the root it names is the chord's root
                assert chords.root_quality(chords.from_label(_root(text)))[0] == chords.root_quality(idx)[0]


def _root(text):
    return text[:2] if len(text) > 1 and text[1] in "#b" else text[0]


def test_a_bass_other_than_the_root_is_written_after_a_slash_by_its_interval():
    assert sym("G:7", C, 59) == "G7/B" and sym("G:7", C, 55) == "G7" and sym("C:maj", C, 64) == "C/E"
    assert sym("B:maj", D_MAJOR, 63) == "B/D#"  # B's third, though D major spells pitch class 3 Eb
    assert sym("C:dim7", C, 69) == "Cdim7/A"  # not Bbb


def test_keys_name_the_signature_with_fewer_accidentals():
    assert [Key(t).name for t in (0, 1, 3, 6, 10)] == [
        "C major",
        "Db major",
        "Eb major",
        "F# major",
        "Bb major",
    ]
    assert [Key(t, True).name for t in (9, 1, 3, 8, 10)] == [
        "A minor",
        "C# minor",
        "Eb minor",
        "G# minor",
        "Bb minor",
    ]


def test_the_key_is_estimated_from_melody_and_chords():
    f = chords.from_label
    a_minor = np.array([69, 72, 76, 69, 71, 74, 68, 71, 69] * 4)
    assert estimate_key(a_minor, [f("A:min"), f("D:min"), f("E:7"), f("A:min")]) == A_MINOR
    eb = np.array([63, 67, 70, 68, 65, 62, 63] * 4)
    assert estimate_key(eb, [f("Eb:maj"), f("Ab:maj"), f("Bb:7"), f("Eb:maj")]) == EB_MAJOR
    assert estimate_key(np.array([-1, -1]), []) == C  # nothing to go on


def test_the_key_tracker_follows_live_play():
    tracker = KeyTracker()
    for label, pitch in [("E:maj", 68), ("A:maj", 69), ("B:7", 71), ("E:maj", 64)] * 2:
        tracker.add(chords.from_label(label), pitch)
    assert tracker.key == E_MAJOR


def test_chord_sheet_gives_the_key_and_symbols_with_slashes_only_where_the_voicing_has_a_bass():
    melody = Melody.from_notes([(0, 1, 72), (1, 1, 71), (2, 2, 72)])
    indices = [chords.from_label(label) for label in ["C:maj", "G:7", "C:maj", "C:maj"]]
    voicings = [(52, 55, 60), (53, 55, 59), (48, 55, 64), (48, 55, 64)]
    satb, block = basses(voicings, "satb"), basses(voicings, "block")
    assert chord_sheet(indices, melody, satb) == "key C major\nbar 1 | C/E  G7/F C    /    |"
    assert chord_sheet(indices, melody, block) == "key C major\nbar 1 | C  G7 C  /  |"
