"""Chord labels from several voices: one vocabulary chord per beat, by template matching.

Each beat's pitch classes are weighted by how long they sound in the beat (summed over the
voices, on the 16th grid). Every chord of the vocabulary is scored::

    score = weight inside the chord - weight outside it
            - 0.15 * (missing chord tones; a missing fifth counts 0.3)
            - 0.3 if the chord has four notes (a seventh must sound about half the beat)
            + 0.1 if the beat's longest bass note is the root

and the best wins (ties: the lower index). Suspensions and passing tones on the beat that
resolve inside the beat are outweighed by the chord they resolve to; a beat in which every
voice rests is ``N``.
"""

from __future__ import annotations

import numpy as np

from accompanist import chords
from accompanist.melody import REST, STEPS_PER_BEAT

_MISSING = 0.15
_SEVENTH_COST = 0.3
_MISSING_FIFTH = 0.3  # a missing fifth counts this much of a missing chord tone
_BASS_BONUS = 0.1


def _templates() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    member = chords.CHROMA[1:]  # (108, 12)
    missing_weight = np.zeros_like(member)
    root = np.zeros_like(member)
    for i in range(1, chords.VOCAB_SIZE):
        pcs = chords.pitch_classes(i)
        for k, pc in enumerate(pcs):
            missing_weight[i - 1, pc] = _MISSING_FIFTH if k == 2 else 1.0
        root[i - 1, pcs[0]] = 1.0
    size_cost = np.where(member.sum(axis=1) == 4, _SEVENTH_COST, 0.0)
    return member, missing_weight, root, size_cost


_MEMBER, _MISSING_W, _ROOT, _SIZE_COST = _templates()


def beat_weights(voices: np.ndarray) -> np.ndarray:
    """(n_beats, 12) duration weights from a (n_voices, n_steps) pitch grid (-1 = rest)."""
    n_voices, n_steps = voices.shape
    n_beats = n_steps // STEPS_PER_BEAT
    w = np.zeros((n_beats, 12), dtype=np.float32)
    beat = np.arange(n_steps) // STEPS_PER_BEAT
    for v in range(n_voices):
        sounding = voices[v] != REST
        np.add.at(w, (beat[sounding], voices[v][sounding] % 12), 1.0)
    return w


def bass_pitch_classes(bass: np.ndarray) -> np.ndarray:
    """The pitch class of the longest bass note in each beat (-1 where the bass rests)."""
    grid = bass.reshape(-1, STEPS_PER_BEAT)
    out = np.full(len(grid), -1, dtype=np.int16)
    for b, row in enumerate(grid):
        notes = row[row != REST]
        if len(notes):
            values, counts = np.unique(notes, return_counts=True)
            out[b] = values[counts.argmax()] % 12
    return out


def label_weights(weights: np.ndarray, bass_pc: np.ndarray) -> np.ndarray:
    """Chord index per beat from (n_beats, 12) weights and the bass pitch class per beat."""
    total = weights.sum(axis=1, keepdims=True)
    w = weights / np.maximum(total, 1e-9)
    inside = w @ _MEMBER.T
    outside = 1.0 - inside
    missing = (w == 0).astype(np.float32) @ _MISSING_W.T
    bass = np.zeros((len(w), 12), dtype=np.float32)
    has_bass = bass_pc >= 0
    bass[np.flatnonzero(has_bass), bass_pc[has_bass]] = 1.0
    score = inside - outside - _MISSING * missing - _SIZE_COST + _BASS_BONUS * (bass @ _ROOT.T)
    labels = 1 + score.argmax(axis=1)
    return np.where(total[:, 0] > 0, labels, chords.NO_CHORD).astype(np.int16)


def label_voices(voices: np.ndarray) -> np.ndarray:
    """Chord index per beat from a (n_voices, n_steps) pitch grid, lowest voice last."""
    return label_weights(beat_weights(voices), bass_pitch_classes(voices[-1]))
