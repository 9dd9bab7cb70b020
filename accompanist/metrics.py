"""Scores for one harmonized piece: accuracy against Bach, and the six metrics of Yeh et al. (2021).

Yeh et al., "Automatic melody harmonization with triad chords: a comparative study" (J. New
Music Research, 2021), judge a chord sequence by itself and against its melody. Their definitions,
read on our grid (one chord per beat, the melody in 16th-note steps):

- CHE, chord histogram entropy: ``-sum p ln p`` over the histogram of chord labels, one count per
  beat. CC, chord coverage: how many distinct chord labels the piece uses. Both ignore N beats.
- CTD, chord tonal distance: the mean Euclidean distance between the tonal centroids of adjacent
  chords. Adjacent means successive chord *segments*: N beats are dropped and repeats merged, so
  a chord held for four beats is one chord, not three zero-distance steps (the paper has one chord
  per half bar, where repeats matter less).
- CTnCTR, chord tone to non-chord tone ratio: ``(n_c + n_p) / (n_c + n_n)`` over melody notes,
  each judged against the chord at its onset (N has no chord tones); a non-chord tone is
  "proper" (n_p) when the next note is 1 or 2 semitones away.
- PCS, pitch consistency score: over every (sounding 16th step, chord tone) pair under a chord
  other than N, the interval from the chord tone up to the melody (mod 12) scores +1 for a
  unison, third, fifth or sixth, 0 for a fourth, -1 otherwise; the mean of those scores.
- MCTD, melody-chord tonal distance: the distance between the tonal centroid of the melody's pitch
  class and that of the chord, averaged over sounding 16th steps under a chord other than N (so
  weighted by note duration).

The tonal centroid is Harte, Sandler & Gasser (2006): a pitch class set's L1-normalised chroma
times a 6x12 matrix of circles of fifths (radius 1), minor thirds (1) and major thirds (0.5).

Chord changes per bar (beats whose chord differs from the one before, over the bars, weighted
by bars) shows the pace of a harmonization: about 3 for Bach, 1 for the folk lead sheets.

Every metric returns a ``Tally``: the piece's value and its weight in a split's average.
Accuracy, root accuracy, majmin, note-in-chord and NLL are weighted by what they count (beats or
steps), so the split value is a micro average; the six Yeh metrics weigh 1 per piece (the mean of
per-piece values, as in the paper). A metric undefined for a piece (no chord change for CTD, no
note for CTnCTR) has weight 0.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from accompanist import chords
from accompanist.melody import STEPS_PER_BEAT, Melody

CONSONANT = (0, 3, 4, 7, 8, 9)
PERFECT_FOURTH = 5
NLL_FLOOR = 1e-12


class Tally(NamedTuple):
    """A piece's value for one metric and the weight it carries in a split average."""

    value: float
    weight: float


def _harte_matrix() -> np.ndarray:
    pc = np.arange(12)
    rows = []
    for radius, angle in ((1.0, 7 * np.pi / 6), (1.0, 3 * np.pi / 2), (0.5, 2 * np.pi / 3)):
        rows += [radius * np.sin(pc * angle), radius * np.cos(pc * angle)]
    return np.array(rows)


PHI = _harte_matrix()
CHORD_CENTROIDS = (chords.CHROMA @ PHI.T) / np.maximum(chords.CHROMA.sum(axis=1, keepdims=True), 1)
"""(VOCAB_SIZE, 6): each chord's tonal centroid; zeros for N."""


def tonal_centroid(pitch_classes: tuple[int, ...] | list[int]) -> np.ndarray:
    """Harte's 6-D tonal centroid of a set of pitch classes (zeros for the empty set)."""
    chroma = np.zeros(12)
    chroma[[p % 12 for p in pitch_classes]] = 1.0
    return PHI @ chroma / max(chroma.sum(), 1.0)


def _interval_scores() -> np.ndarray:
    score = np.full(12, -1.0)
    score[list(CONSONANT)] = 1.0
    score[PERFECT_FOURTH] = 0.0
    # (V, 12): summed score of melody pitch class m against every tone of chord v.
    return np.stack([chords.CHROMA @ score[(m - np.arange(12)) % 12] for m in range(12)], axis=1)


PCS_SUMS = _interval_scores()
MELODY_CHORD_DISTANCES = np.linalg.norm(CHORD_CENTROIDS[:, None, :] - PHI.T[None, :, :], axis=2)
"""(VOCAB_SIZE, 12): distance from each chord's tonal centroid to each single pitch class's."""


def _mean(values: np.ndarray, weight: float | None = None) -> Tally:
    """The mean with weight ``len(values)`` (or ``weight``); weight 0 when there is nothing."""
    if len(values) == 0:
        return Tally(float("nan"), 0.0)
    return Tally(float(np.mean(values)), float(len(values) if weight is None else weight))


def _roots(idx: np.ndarray) -> np.ndarray:
    return np.where(idx == chords.NO_CHORD, -1, (idx - 1) // chords.N_QUALITIES)


# ---- against the reference -------------------------------------------------------------------
def accuracy(predicted: np.ndarray, reference: np.ndarray) -> Tally:
    """Share of beats whose chord label equals the reference's."""
    return _mean(np.asarray(predicted) == np.asarray(reference))


def root_accuracy(predicted: np.ndarray, reference: np.ndarray) -> Tally:
    """Share of beats with the reference's root; N matches only N."""
    return _mean(_roots(np.asarray(predicted)) == _roots(np.asarray(reference)))


def majmin(predicted: np.ndarray, reference: np.ndarray) -> Tally:
    """mir_eval's ``majmin`` comparison per beat, averaged over the beats it does not exclude."""
    import mir_eval

    ref = [chords.to_label(int(i)) for i in reference]
    est = [chords.to_label(int(i)) for i in predicted]
    scores = mir_eval.chord.majmin(ref, est)
    return _mean(scores[scores >= 0])


def nll(probabilities: np.ndarray, reference: np.ndarray) -> Tally:
    """Negative log-likelihood of the reference chords per beat (probabilities floored at 1e-12)."""
    p = probabilities[np.arange(len(reference)), np.asarray(reference)]
    return _mean(-np.log(np.clip(p, NLL_FLOOR, None)))


# ---- the chord sequence alone ---------------------------------------------------------------
def chord_histogram_entropy(sequence: np.ndarray) -> Tally:
    """CHE: entropy (natural log) of the histogram of chord labels over the non-N beats."""
    seq = np.asarray(sequence)
    counts = np.bincount(seq[seq != chords.NO_CHORD], minlength=chords.VOCAB_SIZE)
    p = counts[counts > 0] / max(counts.sum(), 1)
    return Tally(float(np.sum(p * np.log(1 / p))), 1.0)


def chord_coverage(sequence: np.ndarray) -> Tally:
    """CC: the number of distinct chord labels (N not counted)."""
    return Tally(float(len(set(np.asarray(sequence).tolist()) - {chords.NO_CHORD})), 1.0)


def chord_segments(sequence: np.ndarray) -> np.ndarray:
    """The chord sequence with N beats dropped and repeated chords merged."""
    seq = np.asarray(sequence)
    seq = seq[seq != chords.NO_CHORD]
    return seq[np.r_[True, seq[1:] != seq[:-1]]] if len(seq) else seq


def chord_tonal_distance(sequence: np.ndarray) -> Tally:
    """CTD: mean tonal-centroid distance between successive chord segments."""
    segments = chord_segments(sequence)
    steps = np.linalg.norm(np.diff(CHORD_CENTROIDS[segments], axis=0), axis=1)
    return _mean(steps, weight=1.0)


# ---- the chords against the melody ------------------------------------------------------------
def _check_length(melody: Melody, sequence: np.ndarray) -> None:
    if len(sequence) != melody.n_beats:
        raise ValueError(f"{len(sequence)} chords for a melody of {melody.n_beats} beats")


def _sounding(melody: Melody, sequence: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Melody pitch class and chord index at every 16th step where the melody sounds."""
    _check_length(melody, sequence)
    per_step = np.repeat(np.asarray(sequence), STEPS_PER_BEAT)
    sounding = melody.pitch >= 0
    return melody.pitch[sounding] % 12, per_step[sounding]


def _under_chords(melody: Melody, sequence: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pcs, chord_at = _sounding(melody, sequence)
    keep = chord_at != chords.NO_CHORD
    return pcs[keep], chord_at[keep]


def note_in_chord(melody: Melody, sequence: np.ndarray) -> Tally:
    """Share of sounding 16th steps whose pitch class belongs to the beat's chord (never to N)."""
    pcs, chord_at = _sounding(melody, sequence)
    return _mean(chords.CHROMA[chord_at, pcs] > 0)


def chord_tone_ratio(melody: Melody, sequence: np.ndarray) -> Tally:
    """CTnCTR: (chord tones + proper non-chord tones) / (chord tones + non-chord tones), over notes."""
    _check_length(melody, sequence)
    notes = melody.notes()
    n_chord = n_non = n_proper = 0
    for i, (onset, _, pitch) in enumerate(notes):
        if chords.CHROMA[sequence[int(onset)], pitch % 12] > 0:
            n_chord += 1
            continue
        n_non += 1
        n_proper += i + 1 < len(notes) and 1 <= abs(notes[i + 1][2] - pitch) <= 2
    if n_chord + n_non == 0:
        return Tally(float("nan"), 0.0)
    return Tally((n_chord + n_proper) / (n_chord + n_non), 1.0)


def pitch_consistency(melody: Melody, sequence: np.ndarray) -> Tally:
    """PCS: mean interval score over (sounding 16th step, chord tone) pairs."""
    pcs, chord_at = _under_chords(melody, sequence)
    pairs = chords.CHROMA[chord_at].sum()
    if pairs == 0:
        return Tally(float("nan"), 0.0)
    return Tally(float(PCS_SUMS[chord_at, pcs].sum() / pairs), 1.0)


def melody_chord_tonal_distance(melody: Melody, sequence: np.ndarray) -> Tally:
    """MCTD: melody-pitch-class to chord tonal-centroid distance, averaged over sounding steps."""
    pcs, chord_at = _under_chords(melody, sequence)
    return _mean(MELODY_CHORD_DISTANCES[chord_at, pcs], weight=1.0)


def changes_per_bar(melody: Melody, sequence: np.ndarray) -> Tally:
    """Chord changes per bar: beats whose chord differs from the beat before, over the bars."""
    sequence = np.asarray(sequence)
    bars = max(1, int(np.sum(melody.bar_pos == 0)))
    return Tally(float(np.sum(sequence[1:] != sequence[:-1])) / bars, float(bars))


# ---- a piece and a split --------------------------------------------------------------------
def piece_metrics(
    melody: Melody,
    sequence: np.ndarray,
    reference: np.ndarray | None = None,
    probabilities: np.ndarray | None = None,
) -> dict[str, Tally]:
    """Every metric that applies: accuracy ones need ``reference``, NLL needs both extra arrays."""
    out: dict[str, Tally] = {}
    if reference is not None:
        out |= {
            "accuracy": accuracy(sequence, reference),
            "root_accuracy": root_accuracy(sequence, reference),
            "majmin": majmin(sequence, reference),
        }
    out |= {
        "che": chord_histogram_entropy(sequence),
        "cc": chord_coverage(sequence),
        "ctd": chord_tonal_distance(sequence),
        "ctnctr": chord_tone_ratio(melody, sequence),
        "pcs": pitch_consistency(melody, sequence),
        "mctd": melody_chord_tonal_distance(melody, sequence),
        "note_in_chord": note_in_chord(melody, sequence),
        "changes_per_bar": changes_per_bar(melody, sequence),
    }
    if reference is not None and probabilities is not None:
        out["nll"] = nll(probabilities, reference)
    return out


def aggregate(pieces: list[dict[str, Tally]]) -> dict[str, float | None]:
    """Weighted mean of each metric over pieces; None where no piece gives it any weight."""
    keys = list(dict.fromkeys(k for piece in pieces for k in piece))
    out: dict[str, float | None] = {}
    for key in keys:
        tallies = [piece[key] for piece in pieces if key in piece and piece[key].weight > 0]
        total = sum(t.weight for t in tallies)
        out[key] = sum(t.value * t.weight for t in tallies) / total if total else None
    return out
