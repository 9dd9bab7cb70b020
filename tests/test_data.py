import json

import numpy as np

from accompanist import chords
from accompanist.data import augment
from accompanist.data.split import SPLIT_FILE, contour, edit_distance, make_split, tune_groups
from accompanist.labeling import label_voices
from accompanist.melody import Melody


def test_split_groups_melodies_and_has_no_tune_in_two_parts(chorales):
    doc = json.loads(SPLIT_FILE.read_text())
    part_of = {cid: name for name in ("train", "validation", "test") for cid in doc[name]}
    assert len(part_of) == sum(len(doc[n]) for n in ("train", "validation", "test"))
    for group in doc["groups"]:
        assert len({part_of[cid] for cid in group}) == 1, group
    # and no two chorales in different parts share a tune by the grouping rule
    heads = {p.id: contour(p.melody.pitch)[:12] for part in chorales.values() for p in part}
    test = [heads[p.id] for p in chorales["test"]]
    for p in chorales["train"]:
        assert all(edit_distance(heads[p.id], h) > 2 for h in test)


def test_split_is_deterministic_and_sized():
    groups = [["a", "b"], ["c"], ["d"], ["e"], ["f"], ["g"], ["h"], ["i"], ["j"]]
    assert make_split(groups) == make_split(list(reversed(groups)))
    assert tune_groups({"x": (2, 2, -1), "y": (2, 2, -1, 3), "z": (-5, 7, 7, 7)}) == [["x", "y"], ["z"]]


def test_chorales_are_parsed(chorales):
    train = chorales["train"]
    assert len(train) > 250 and len(chorales["test"]) > 25
    piece = train[0]
    assert piece.chords.shape == (piece.melody.n_beats,)
    assert piece.satb.shape == (piece.melody.n_beats, 4)
    assert (piece.satb[:, 0] == piece.melody.pitch[::4]).all()
    share_n = np.mean(np.concatenate([p.chords for p in train]) == chords.NO_CHORD)
    assert share_n < 0.03


def test_label_voices_resolves_suspension_inside_the_beat():
    # a 4-3 suspension: the alto sings F for the first 16th and E after, over C-G-C
    soprano = [72] * 4
    alto = [65, 64, 64, 64]
    tenor = [67] * 4
    bass = [48] * 4
    assert chords.to_label(int(label_voices(np.array([soprano, alto, tenor, bass]))[0])) == "C:maj"
    # a seventh held through the beat makes a seventh chord; silence is N
    assert chords.to_label(int(label_voices(np.array([[65] * 4, [71] * 4, [62] * 4, [55] * 4]))[0])) == "G:7"
    assert label_voices(np.full((4, 4), -1))[0] == chords.NO_CHORD


def test_augment_transposes_everything(chorales):
    piece = chorales["train"][0]
    up = augment([piece], semitones=[0, 3])
    assert up[0] is piece
    shifted = up[1]
    assert (
        shifted.melody.pitch[piece.melody.pitch >= 0] == piece.melody.pitch[piece.melody.pitch >= 0] + 3
    ).all()
    assert (shifted.chords == chords.transpose(piece.chords, 3)).all()


def test_melody_from_notes_and_frames_round_trip():
    m = Melody.from_notes([(0, 1, 60), (1, 0.5, 62), (1.5, 0.5, 64), (2, 2, 65)], beats_per_bar=3)
    assert list(m.bar_pos) == [0, 1, 2, 0]
    assert Melody.from_frames(m.frames()).notes() == m.notes()
    assert m.notes() == [(0.0, 1.0, 60), (1.0, 0.5, 62), (1.5, 0.5, 64), (2.0, 2.0, 65)]
