"""Each metric against a value worked out by hand on a tiny example."""

import math

import numpy as np
import pytest

from accompanist import metrics
from accompanist.chords import from_label
from accompanist.melody import Melody
from accompanist.metrics import Tally


def seq(*labels: str) -> np.ndarray:
    return np.array([from_label(x) for x in labels])


# Hand-made Harte centroids (r = 1, 1, 0.5; angles l*7pi/6, l*3pi/2, l*2pi/3):
# C:maj = {0, 4, 7}: fifths angles 0, 2pi/3, pi/6 -> sin (0 + r3/2 + 1/2)/3, cos (1 - 1/2 + r3/2)/3;
# minor thirds 0, 0, pi/2 -> (1/3, 2/3); major thirds 0, 2pi/3, 2pi/3 -> 0.5 * (r3/3, 0).
R3 = math.sqrt(3)
C_MAJ = np.array([(R3 + 1) / 6, (R3 + 1) / 6, 1 / 3, 2 / 3, R3 / 6, 0])


def test_tonal_centroid_of_c_major_and_of_one_pitch_class():
    assert np.allclose(metrics.tonal_centroid((0, 4, 7)), C_MAJ)
    assert np.allclose(metrics.CHORD_CENTROIDS[from_label("C:maj")], C_MAJ)
    assert np.allclose(metrics.tonal_centroid([0]), [0, 1, 0, 1, 0, 0.5])
    assert np.allclose(metrics.tonal_centroid([]), 0)


def test_accuracy_root_and_majmin():
    predicted = seq("C:maj", "G:maj", "N", "A:min", "B:dim")
    reference = seq("C:maj", "G:7", "N", "C:maj", "B:dim")
    # exact: C, N, B:dim of 5; root: C, G, N, B of 5 (A vs C wrong)
    assert metrics.accuracy(predicted, reference) == Tally(3 / 5, 5)
    assert metrics.root_accuracy(predicted, reference) == Tally(4 / 5, 5)
    # majmin: B:dim reference excluded; G:7 reads as G:maj, so C, G, N right and A:min wrong
    assert metrics.majmin(predicted, reference) == Tally(3 / 4, 4)


def test_n_against_a_chord_has_no_root_match():
    assert metrics.root_accuracy(seq("N", "C:maj"), seq("C:maj", "N")).value == 0


def test_nll_per_beat_and_floor():
    probs = np.zeros((2, 109))
    probs[0, 1], probs[1, 2] = 0.5, 0.25
    # -(ln 0.5 + ln 0.25) / 2 = 1.5 ln 2
    assert metrics.nll(probs, np.array([1, 2])).value == pytest.approx(1.5 * math.log(2))
    assert metrics.nll(probs, np.array([3, 3])).value == pytest.approx(-math.log(1e-12))


def test_chord_histogram_entropy_and_coverage():
    chords = seq("C:maj", "C:maj", "N", "C:maj", "G:maj")
    # N ignored: p = 3/4, 1/4 -> -(0.75 ln 0.75 + 0.25 ln 0.25) = 0.5623
    assert metrics.chord_histogram_entropy(chords).value == pytest.approx(0.562335, abs=1e-6)
    assert metrics.chord_coverage(chords) == Tally(2, 1)
    assert metrics.chord_histogram_entropy(seq("N", "N")) == Tally(0, 1)


def test_chord_tonal_distance_between_segments():
    # A:min = {9, 0, 4}: fifths (1 + 0 + r3/2, 0 + 1 - 1/2)/3, minor (-1/3, 2/3), major 0.5*(r3/2, 3/2)/3.
    # C:maj - A:min = (-1/6, r3/6, 2/3, 0, r3/12, -1/4); squared sum 1/36+1/12+4/9+1/48+1/16 = 23/36.
    chords = seq("C:maj", "C:maj", "N", "A:min", "A:min", "C:maj")  # segments C, Am, C
    assert metrics.chord_tonal_distance(chords).value == pytest.approx(math.sqrt(23) / 6)
    assert metrics.chord_tonal_distance(seq("C:maj", "N", "C:maj")).weight == 0


def test_chord_segments_drop_n_and_merge_repeats():
    assert metrics.chord_segments(seq("N", "C:maj", "C:maj", "N", "C:maj", "G:7")).tolist() == [1, 68]


def test_chord_tone_ratio():
    # Over C:maj then G:maj: C (chord tone), D (non-chord, next note E is 2 up: proper),
    # E (non-chord of G, next B is 7 up), B (chord tone): (2 + 1) / (2 + 2) = 0.75.
    melody = Melody.from_notes([(0, 0.5, 60), (0.5, 0.5, 62), (1, 0.5, 64), (1.5, 0.5, 71)])
    assert metrics.chord_tone_ratio(melody, seq("C:maj", "G:maj")) == Tally(0.75, 1)
    # Under N every note is a non-chord tone; the only proper one is the first (60 -> 62).
    melody = Melody.from_notes([(0, 1, 60), (1, 1, 62)])
    assert metrics.chord_tone_ratio(melody, seq("N", "N")).value == pytest.approx(0.5)


# Beat 0 (C:maj): E E F rest; beat 1 (N): G G G G.
STEPS = Melody.from_notes([(0, 0.5, 64), (0.5, 0.25, 65), (1, 1, 67)])
STEP_CHORDS = seq("C:maj", "N")


def test_pitch_consistency():
    # E over C, E, G: intervals up from chord tone 4, 0, 9 -> +1 +1 +1, on 2 steps: +6 over 6 pairs.
    # F over C, E, G: 5, 1, 10 -> 0 -1 -1 on 1 step: -2 over 3 pairs. N beat skipped: 4 / 9.
    assert metrics.pitch_consistency(STEPS, STEP_CHORDS).value == pytest.approx(4 / 9)
    assert metrics.pitch_consistency(STEPS, seq("N", "N")).weight == 0


def test_melody_chord_tonal_distance_weights_by_duration():
    # E = (r3/2, -1/2, 0, 1, r3/4, -1/4); E - C:maj squared sum = (43 + 4 r3) / 36.
    # G = (1/2, r3/2, 1, 0, r3/4, -1/4); G - C:maj squared sum = (55 - 8 r3) / 36.
    melody = Melody.from_notes([(0, 0.75, 64), (0.75, 0.25, 67)])
    d_e, d_g = math.sqrt(43 + 4 * R3) / 6, math.sqrt(55 - 8 * R3) / 6
    assert metrics.melody_chord_tonal_distance(melody, seq("C:maj")).value == pytest.approx(
        (3 * d_e + d_g) / 4
    )


def test_note_in_chord_counts_steps_and_n_as_outside():
    # 7 sounding steps: E E under C:maj are in; F and the four G under N are out.
    assert metrics.note_in_chord(STEPS, STEP_CHORDS) == Tally(2 / 7, 7)


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError):
        metrics.note_in_chord(STEPS, seq("C:maj"))


def test_piece_metrics_keys_and_aggregate_micro_and_macro():
    probs = np.full((2, 109), 1 / 109)
    keys = " ".join(metrics.piece_metrics(STEPS, STEP_CHORDS, STEP_CHORDS, probs))
    expected = "accuracy root_accuracy majmin che cc ctd ctnctr pcs mctd note_in_chord changes_per_bar nll"
    assert keys == expected
    assert "accuracy" not in metrics.piece_metrics(STEPS, STEP_CHORDS)
    # accuracy is beat-weighted: (1 * 1 + 0 * 3) / 4; cc is per piece: (1 + 3) / 2; ctd skips weight 0.
    pieces = [
        {"accuracy": Tally(1.0, 1), "cc": Tally(1, 1), "ctd": Tally(float("nan"), 0)},
        {"accuracy": Tally(0.0, 3), "cc": Tally(3, 1), "ctd": Tally(float("nan"), 0)},
    ]
    assert metrics.aggregate(pieces) == {"accuracy": 0.25, "cc": 2.0, "ctd": None}
