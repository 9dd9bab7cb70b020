"""The melody as the deep models read it, without torch: pitch tokens, onsets and bar positions.

A beat is four 16th steps; each step has a MIDI pitch token (0-127, ``REST_TOKEN`` = 128 for
silence) and an onset flag; each beat has its place in the bar (clipped to 0-7). No hand-made
harmonic feature (no pitch class folding, no key): the networks learn their own.
"""

from __future__ import annotations

import numpy as np

from accompanist.melody import STEPS_PER_BEAT, Melody

REST_TOKEN = 128
N_PITCH_TOKENS = 129
MAX_BAR_POS = 8
IGNORE = -100


def melody_arrays(melody: Melody) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n_beats, 4) pitch tokens, (n_beats, 4) onsets, (n_beats,) bar positions, as int64."""
    pitch = np.where(melody.pitch < 0, REST_TOKEN, np.clip(melody.pitch, 0, 127)).astype(np.int64)
    onset = melody.onset.astype(np.int64)
    bar = np.clip(melody.bar_pos, 0, MAX_BAR_POS - 1).astype(np.int64)
    return pitch.reshape(-1, STEPS_PER_BEAT), onset.reshape(-1, STEPS_PER_BEAT), bar


def transposed_tokens(pitch: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """(S, *pitch.shape) tokens: the pitch tokens moved by each shift (kept in 0..127), rests kept."""
    shift = shifts.reshape(-1, *([1] * pitch.ndim))
    return np.where(pitch == REST_TOKEN, pitch, np.clip(pitch[None] + shift, 0, 127))
