import json

import numpy as np

from accompanist import chords
from accompanist.data import augment
from accompanist.data.split import SHARES, SPLIT_FILE, contour, edit_distance, make_split, tune_groups
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
    # single chorales fill the shares exactly: 80 / 10 / 10 of 100
    singles = make_split([[f"c{i:03d}"] for i in range(100)])
    assert {name: len(ids) for name, ids in singles.items()} == {"train": 80, "validation": 10, "test": 10}
    # groups of 1-4 stay whole, and each part is its share of the chorales within one group's size
    rng = np.random.default_rng(0)
    sizes = rng.integers(1, 5, 150)
    ids = iter(f"c{i:04d}" for i in range(int(sizes.sum())))
    grouped = [[next(ids) for _ in range(size)] for size in sizes]
    split = make_split(grouped)
    part_of = {cid: name for name, part in split.items() for cid in part}
    assert sorted(part_of) == sorted(cid for g in grouped for cid in g)
    assert sum(len(part) for part in split.values()) == len(part_of)  # no chorale in two parts
    assert all(len({part_of[cid] for cid in g}) == 1 for g in grouped)
    for name, share in SHARES:
        assert abs(len(split[name]) - share * len(part_of)) < 4, name


def test_the_committed_split_has_its_shares():
    doc = json.loads(SPLIT_FILE.read_text())
    total = sum(len(doc[name]) for name, _ in SHARES)
    largest = max(len(g) for g in doc["groups"])
    for name, share in SHARES:
        assert abs(len(doc[name]) - share * total) < largest, name
    assert total > 300


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
