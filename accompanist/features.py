"""Hand-made melody features for the classical baseline, computed from one beat alone.

Per beat: how long each pitch class (and silence) sounds, in 16ths over 4, weighted by
metrical position inside the beat (the first 16th counts ``ONSET_WEIGHT`` times a later one);
the symbol at the beat's first 16th (pitch class, or 12 for a rest); and the metrical class of
the beat (0 downbeat, 1 other). Nothing depends on other beats, so the features are causal.
"""

from __future__ import annotations

import numpy as np

from accompanist.melody import REST, STEPS_PER_BEAT, BeatFrame, Melody

N_SYMBOLS = 13  # 12 pitch classes + rest
RESTSYM = 12
STEP_WEIGHTS = np.array([1.5, 0.75, 1.0, 0.75], dtype=np.float32)
STEP_WEIGHTS /= STEP_WEIGHTS.sum()


def symbols(pitch: np.ndarray) -> np.ndarray:
    """Pitch grid -> symbols 0..11 (pitch class) or 12 (rest)."""
    return np.where(pitch == REST, RESTSYM, pitch % 12).astype(np.int64)


def melody_features(melody: Melody) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n_beats, 13) weighted durations, (n_beats,) onset symbol, (n_beats,) metrical class."""
    sym = symbols(melody.pitch).reshape(-1, STEPS_PER_BEAT)
    dur = np.zeros((len(sym), N_SYMBOLS), dtype=np.float32)
    rows = np.repeat(np.arange(len(sym)), STEPS_PER_BEAT)
    np.add.at(dur, (rows, sym.ravel()), np.tile(STEP_WEIGHTS, len(sym)))
    metre = (melody.bar_pos != 0).astype(np.int64)
    return dur, sym[:, 0], metre


def frame_features(frame: BeatFrame) -> tuple[np.ndarray, int, int]:
    """The same features for one live beat, added up in the same order (this runs every beat)."""
    dur = np.zeros(N_SYMBOLS, dtype=np.float32)
    for pitch, weight in zip(frame.pitch, STEP_WEIGHTS):
        dur[RESTSYM if pitch == REST else pitch % 12] += weight
    first = frame.pitch[0]
    return dur, RESTSYM if first == REST else first % 12, int(frame.bar_pos != 0)
