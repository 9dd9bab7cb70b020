"""A melody on a 16th-note grid, grouped in beats (quarter notes): what every harmonizer reads.

A beat is four 16th-note steps. Each step holds the MIDI pitch sounding there (-1 for a rest)
and whether a note starts there. ``bar_pos`` gives each beat's place in its bar (0 is the
downbeat), so time-signature changes are kept. The chord contract is one label per beat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STEPS_PER_BEAT = 4
REST = -1


@dataclass(frozen=True)
class BeatFrame:
    """One beat of melody, as a causal harmonizer receives it in ``step``."""

    pitch: tuple[int, int, int, int]
    onset: tuple[bool, bool, bool, bool]
    bar_pos: int = 0

    @classmethod
    def held(cls, pitch: int, bar_pos: int = 0, onset: bool = True) -> BeatFrame:
        """A beat filled by one note (or a rest, pitch -1): what a live player gives."""
        return cls((pitch,) * 4, (onset and pitch >= 0, False, False, False), bar_pos)


@dataclass(frozen=True)
class Melody:
    """pitch[int16, n_beats*4], onset[bool, n_beats*4], bar_pos[int8, n_beats]."""

    pitch: np.ndarray
    onset: np.ndarray
    bar_pos: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.bar_pos)
        if self.pitch.shape != (n * STEPS_PER_BEAT,) or self.onset.shape != self.pitch.shape:
            raise ValueError("melody arrays must hold 4 steps for each beat")

    @property
    def n_beats(self) -> int:
        return len(self.bar_pos)

    def __len__(self) -> int:
        return self.n_beats

    def frames(self) -> list[BeatFrame]:
        """The melody beat by beat, as a live player would deliver it."""
        p = self.pitch.reshape(-1, STEPS_PER_BEAT)
        o = self.onset.reshape(-1, STEPS_PER_BEAT)
        return [
            BeatFrame(tuple(int(x) for x in p[b]), tuple(bool(x) for x in o[b]), int(self.bar_pos[b]))
            for b in range(self.n_beats)
        ]

    @classmethod
    def from_frames(cls, frames: list[BeatFrame]) -> Melody:
        return cls(
            np.array([x for f in frames for x in f.pitch], dtype=np.int16),
            np.array([x for f in frames for x in f.onset], dtype=bool),
            np.array([f.bar_pos for f in frames], dtype=np.int8),
        )

    @classmethod
    def from_notes(
        cls, notes: list[tuple[float, float, int]], beats_per_bar: int = 4, first_bar_pos: int = 0
    ) -> Melody:
        """Build from (onset_beats, duration_beats, pitch) tuples; later notes cut earlier ones."""
        end = max((on + dur for on, dur, _ in notes), default=0.0)
        n_beats = max(1, int(np.ceil(end - 1e-6)))
        pitch = np.full(n_beats * STEPS_PER_BEAT, REST, dtype=np.int16)
        onset = np.zeros_like(pitch, dtype=bool)
        for on, dur, p in sorted(notes):
            a = int(round(on * STEPS_PER_BEAT))
            b = max(a + 1, int(round((on + dur) * STEPS_PER_BEAT)))
            if a >= len(pitch):
                continue
            pitch[a:b] = p
            onset[a] = True
        bar_pos = (first_bar_pos + np.arange(n_beats)) % beats_per_bar
        return cls(pitch, onset, bar_pos.astype(np.int8))

    def transpose(self, semitones: int) -> Melody:
        pitch = np.where(self.pitch >= 0, self.pitch + semitones, REST).astype(np.int16)
        return Melody(pitch, self.onset, self.bar_pos)

    def notes(self) -> list[tuple[float, float, int]]:
        """(onset_beats, duration_beats, pitch) of each note on the grid."""
        out: list[tuple[float, float, int]] = []
        for i, p in enumerate(self.pitch):
            starts = self.onset[i] or (p >= 0 and (i == 0 or self.pitch[i - 1] != p))
            if p >= 0 and starts:
                out.append([i / STEPS_PER_BEAT, 0.0, int(p)])
            if p >= 0 and out:
                out[-1][1] += 1 / STEPS_PER_BEAT
        return [tuple(n) for n in out]
