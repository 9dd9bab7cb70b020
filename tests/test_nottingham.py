"""The Nottingham folk corpus: its committed tune-grouped split, and the real files where they are."""

from __future__ import annotations

import json

import numpy as np
import pytest

from accompanist.data import nottingham
from accompanist.data.nottingham import SPLIT_FILE, normal_title, tune_groups


def test_committed_split_has_no_tune_in_two_parts():
    doc = json.loads(SPLIT_FILE.read_text())
    part_of = {i: name for name in ("train", "validation", "test") for i in doc[name]}
    assert sum(len(doc[name]) for name in ("train", "validation", "test")) == len(part_of)  # no id twice
    for group in doc["groups"]:
        assert len({part_of[i] for i in group}) == 1, group
    sizes = [len(doc[name]) for name in ("train", "validation", "test")]
    assert sizes[0] > 7 * sizes[2] and abs(sizes[1] - sizes[2]) < 0.3 * sizes[2]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The Keel Row", "Keel Row"),
        ("Wassail 2", "Wassail 3"),
        ("Bonny Breast Knot (Devon)", "Bonny Breast Knot"),
    ],
)
def test_titles_of_one_tune_normalise_alike(a, b):
    assert normal_title(a) == normal_title(b)


def test_same_melody_in_another_key_is_one_group():
    from accompanist.data.leadsheet import LeadSheet

    def sheet(i, title, pitches):
        pitch = np.repeat(np.array(pitches, dtype=np.int16), 4)
        n = len(pitches)
        return LeadSheet(
            i, title, pitch, np.tile([True, False, False, False], n), np.zeros(n, np.int8), np.zeros(n)
        )

    tune = [60, 62, 64, 65, 67, 69, 67, 65, 64, 62, 60, 64, 67, 72, 71, 69, 67, 65]
    other = [60, 67, 60, 67, 64, 65, 62, 71, 69, 60, 62, 60, 64, 60, 65, 60, 67, 60]
    groups = tune_groups(
        [sheet("a/1", "One", tune), sheet("b/2", "Two", [p + 5 for p in tune]), sheet("c/3", "Three", other)]
    )
    assert groups == [["a/1", "b/2"], ["c/3"]]


needs_corpus = pytest.mark.skipif(
    nottingham.data_dir() is None,
    reason="the Nottingham ABC files are not in ../shared/data/nottingham (nor $ACCOMPANIST_NOTTINGHAM)",
)


@needs_corpus
@pytest.mark.slow
def test_the_real_corpus_reads_into_folk_pieces_that_match_the_split():
    pieces = nottingham.load_nottingham(progress=False)
    assert len(pieces) > 850  # of 908: 15 tunes in 9/8 or 3/8 and a few without chords are skipped
    assert all(p.style == "folk" and p.satb is None for p in pieces)
    labels = np.concatenate([p.chords for p in pieces])
    assert np.mean(labels == 0) < 0.03  # N only before a tune's first chord
    doc = json.loads(SPLIT_FILE.read_text())
    ids = {p.id for p in pieces}
    assert ids == set(doc["train"]) | set(doc["validation"]) | set(doc["test"])
