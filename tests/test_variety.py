"""The variety measures on hand-made chord sequences (accompanist.variety)."""

from dataclasses import dataclass

import numpy as np
import pytest

from accompanist import chords, variety
from accompanist.melody import Melody

C, F, G, AM = (chords.from_label(x) for x in ("C:maj", "F:maj", "G:maj", "A:min"))


@dataclass
class Piece:
    melody: Melody
    chords: np.ndarray


def piece(sequence: list[int]) -> Piece:
    melody = Melody.from_notes([(b, 1, 60) for b in range(len(sequence))])  # C4 on every beat
    return Piece(melody, np.array(sequence))


def test_diversity_is_the_mean_pairwise_share_of_differing_beats():
    a, b, c = np.array([C, F, G, C]), np.array([C, F, G, AM]), np.array([AM, AM, G, AM])
    assert variety.diversity([a, a, a]) == 0
    assert variety.diversity([a, b]) == pytest.approx(1 / 4)
    assert variety.diversity([a, b, c]) == pytest.approx((1 / 4 + 3 / 4 + 2 / 4) / 3)
    assert variety.diversity([a]) == 0


def test_distinct_counts_different_harmonizations():
    a, b = np.array([C, F, G, C]), np.array([C, F, G, AM])
    assert variety.distinct([a, a, b, a]) == 2


def test_histogram_overlap_is_one_for_the_same_shape_and_zero_for_disjoint():
    assert variety.histogram_overlap(np.array([1, 2, 0]), np.array([2, 4, 0])) == pytest.approx(1)
    assert variety.histogram_overlap(np.array([1, 0]), np.array([0, 3])) == 0
    assert variety.histogram_overlap(np.array([1, 1]), np.array([1, 0])) == pytest.approx(0.5)


def test_variety_metrics_on_a_collapsed_and_a_varied_model():
    pieces = [piece([C, C, F, G, C, C, G, C]), piece([AM, F, G, C])]
    collapsed = [[p.chords.copy() for _ in range(4)] for p in pieces]  # every seed the human chords
    scores = variety.variety_metrics(pieces, collapsed)
    assert scores["diversity"] == 0 and scores["distinct"] == 1
    assert scores["seed_accuracy"] == scores["seed_accuracy_min"] == pytest.approx(1)
    assert scores["chord_overlap"] == pytest.approx(1) and scores["entropy_overlap"] == pytest.approx(1)
    assert scores["entropy"] == pytest.approx(scores["reference_entropy"])
    assert scores["coverage"] == scores["reference_coverage"] == pytest.approx((3 + 4) / 2)

    held = [[np.full(len(p.chords), C), p.chords.copy()] for p in pieces]  # one seed holds C throughout
    scores = variety.variety_metrics(pieces, held)
    beats = 8 + 4
    assert scores["distinct"] == 2
    assert scores["diversity"] == pytest.approx((8 * (3 / 8) + 4 * (3 / 4)) / beats)  # beat-weighted
    assert scores["seed_accuracy_min"] == pytest.approx((5 + 1) / beats)  # the held seed's C beats
    assert scores["seed_accuracy"] == pytest.approx((1 + 6 / beats) / 2)
    assert scores["chords_per_piece"] == pytest.approx((1 + 3 + 1 + 4) / 4)
    assert scores["chord_overlap"] < 1
