"""The pace of chord changes: change points, span decoding, holding live, the pace a corpus has."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from accompanist import chords
from accompanist.melody import Melody
from accompanist.pace import (
    bar_lengths,
    change_points,
    decode_spans,
    hold,
    majority,
    may_change_at,
    pace_of,
    predict,
    resolve,
)
from tests.stubs import RootStub

C, F, G = (chords.from_label(x) for x in ("C:maj", "F:maj", "G:maj"))


def bars(*lengths: int, pickup: int = 0) -> np.ndarray:
    """bar_pos for a pickup of ``pickup`` beats, then bars of the given lengths."""
    head = list(range(lengths[0] - pickup, lengths[0])) if pickup else []
    return np.array(head + [b for n in lengths for b in range(n)], dtype=np.int8)


def test_bar_lengths_count_a_pickup_bar_by_its_full_length():
    assert list(bar_lengths(bars(4, 4, pickup=1))) == [4] * 9
    assert list(bar_lengths(bars(3, 2))) == [3, 3, 3, 2, 2]


@pytest.mark.parametrize(
    ("pace", "expected"),
    [
        ("beat", [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
        ("half", [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1]),
        ("bar", [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1]),
    ],
)
def test_change_points_in_four_four_then_three_four(pace, expected):
    # 4/4, 4/4, then a bar of three: its "half" is the last beat, where a 6/8 half bar lands
    bar_pos = np.concatenate([bars(4, 4, 3), [0]])
    assert list(change_points(bar_pos, pace).astype(int)) == expected


def test_the_first_beat_may_always_change_even_in_a_pickup():
    assert change_points(bars(4, pickup=1), "bar")[0]


def test_may_change_at_is_what_live_play_asks_each_beat():
    assert [may_change_at(b, 4, "half") for b in range(4)] == [True, False, True, False]
    assert [bool(may_change_at(b, 3, "bar")) for b in range(3)] == [True, False, False]


def test_decode_spans_holds_each_span_and_picks_its_chords_jointly():
    probs = np.full((4, chords.VOCAB_SIZE), 1e-6)
    probs[0, C], probs[1, G], probs[1, C] = 0.9, 0.6, 0.4  # span 1: C (0.36) beats G (0.0000006)
    probs[2, F], probs[2, G], probs[3, G], probs[3, F] = 0.5, 0.1, 0.9, 0.4  # span 2: F 0.2, G 0.09
    may = np.array([True, False, True, False])
    path = decode_spans(probs, may)
    assert list(path) == [C, C, F, F]  # though beat 3 alone would take G
    assert list(decode_spans(probs, np.ones(4, bool))) == list(probs.argmax(1))


def test_hold_keeps_the_chord_chosen_at_each_change_point():
    may = np.array([True, False, True, False, False])
    assert list(hold(np.array([C, G, F, C, G]), may)) == [C, C, F, F, F]


def test_majority_takes_each_spans_most_frequent_chord_earliest_on_a_tie():
    may = np.array([True, False, False, True, False])
    assert list(majority(np.array([C, G, G, F, C]), may)) == [G, G, G, F, F]


def test_pace_of_a_corpus_is_the_coarsest_grid_that_keeps_its_changes():
    def piece(labels, bar_pos):
        return SimpleNamespace(chords=np.array(labels), melody=SimpleNamespace(bar_pos=np.array(bar_pos)))

    every_bar = piece([C, C, C, C, G, G, G, G], bars(4, 4))
    half_bars = piece([C, C, F, F, G, G, C, C], bars(4, 4))
    every_beat = piece([C, F, G, C, F, G, C, F], bars(4, 4))
    assert pace_of([every_bar]) == "bar"
    assert pace_of([every_bar, half_bars]) == "half"
    assert pace_of([every_beat]) == "beat"


def test_auto_is_the_learned_pace_of_the_style_asked_for():
    model = RootStub()
    assert resolve("auto", model) == "beat"  # a model that learned no style keeps its own pace
    model.styles, model.meta = ("chorale", "folk"), {"pace": {"folk": "bar"}}
    model.use_style("folk")
    assert resolve("auto", model) == "bar"
    model.use_style("chorale")
    assert resolve("auto", model) == "beat"  # not learned: the default pace of the style
    assert resolve("half", model) == "half"


def test_predict_at_bar_pace_changes_only_on_downbeats_offline_and_causal():
    melody = Melody.from_notes([(b, 1, 60 + 2 * b) for b in range(8)], beats_per_bar=4)
    model = RootStub()
    for causal in (False, True):
        every = predict(model, melody, causal=causal, changes="beat")
        paced = predict(model, melody, causal=causal, changes="bar")
        assert len(set(every)) > 2
        moved = np.flatnonzero(paced[1:] != paced[:-1]) + 1
        assert set(melody.bar_pos[moved]) <= {0}
