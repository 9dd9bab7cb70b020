"""The voicer: chord index -> MIDI notes of the accompaniment, voice-led from the previous chord.

Every style has a fixed number of voices, listed bottom up, each with a MIDI range:

    block  4 voices in 48..72 (C3..C5), close position (all within an octave): a triad doubles
           one tone (the root preferably), a seventh chord plays its four notes
    satb   bass 40..62 (E2..D4), tenor 48..67 (C3..G4), alto 55..72 (G3..C5): the melody is
           the soprano and is not returned; returns (bass, tenor, alto)
    open   two hands: a bass in 36..50 (C2..D3, root preferred) and three close voices in 55..76
    bass   a root bass in 36..50 and a two-note shell in 52..67 (third and fifth, or third and
           seventh)

Candidate voicings of a chord are all the ascending pitch sets (no unisons, so no crossing) that
take one chord tone per voice within the voice ranges, keep adjacent voices within the style's
largest gap and the top ``close`` voices within an octave. They are built once per style and
chord and cached. A voicing's cost is the sum of:

- voice movement: weighted semitones each voice moves from the previous voicing (voices are
  sorted, so matching them in order is the minimal-cost assignment); the bass moves at half
  weight because basses leap;
- completeness: a missing root, third or seventh costs 20, a missing fifth 2; a doubled third
  costs 3, a doubled fifth 1, a doubled seventh 8, a doubled root nothing (so a triad in four
  voices doubles its root and a seventh chord in three voices drops its fifth);
- the bass: each style prices the root, third, fifth or seventh in the bass (satb 0/4/10/6,
  open 0/6/10/8, bass always the root, block indifferent);
- the melody: the top voice stays at least a semitone below ``melody_pitch`` (a hard rule; when
  no voicing fits, all are tried an octave lower, then two, never under E1, ``LOWEST``) and a
  third below if it can
  (2 per semitone closer); None or -1 means no melody;
- the register: 0.1 per semitone between each voice and the middle of its range keeps the
  voicing from drifting; the first chord after ``reset`` pays 1 per semitone instead of any
  movement, so it starts central and close;
- satb only: the soprano counts as a voice for completeness and doubling; parallel (or
  contrary) fifths and octaves between any two voices, soprano included, cost 12 each; an alto
  more than an octave under the soprano costs 2 per semitone.

``Voicer.voice`` chooses greedily, one chord at a time, for live play (well under a millisecond);
``voice_sequence`` chooses the whole sequence at once with dynamic programming (Viterbi) over the
same costs. Chord 0 ("N") gives silence, ``()``, and voice leading resumes from the last chord.

A melody's whole harmony track, voiced beat by beat with these, is in ``accompanist.harmony``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from accompanist import chords
from accompanist.errors import AccompanistError, ChordError

MISSING = np.array([20.0, 20.0, 2.0, 20.0])  # root, third, fifth, seventh absent
DOUBLED = np.array([0.0, 3.0, 1.0, 8.0])  # cost of each extra copy
CENTER_FIRST = 1.0
CENTER_PULL = 0.1
NEAR_MELODY = 2.0
MELODY_GAP = 3
SOPRANO_SPACING = 2.0
OCTAVE = 12
LOWEST = 28  # E1, a bass guitar's (and a double bass's) lowest string: no voicing goes under it


@dataclass(frozen=True)
class Style:
    """How a style places its voices; every tuple lists the voices bottom up."""

    ranges: tuple[tuple[int, int], ...]
    max_gap: tuple[int, ...]  # largest interval between adjacent voices
    close: int  # how many top voices lie within an octave
    bass_cost: tuple[float, float, float, float]  # root, third, fifth, seventh in the bass
    weights: tuple[float, ...]  # movement cost per semitone, per voice
    melody_voice: bool = False  # the melody is the soprano (completeness, parallels, spacing)
    parallel_cost: float = 0.0


_VOICINGS = {
    "block": Style(((48, 72),) * 4, (12, 12, 12), 4, (0, 0, 0, 0), (1, 1, 1, 1)),
    "satb": Style(((40, 62), (48, 67), (55, 72)), (24, 12), 0, (0, 4, 10, 6), (0.5, 1, 1), True, 12),
    "open": Style(((36, 50),) + ((55, 76),) * 3, (28, 12, 12), 3, (0, 6, 10, 8), (0.5, 1, 1, 1)),
    "bass": Style(((36, 50), (52, 67), (52, 67)), (28, 12), 2, (0, 20, 20, 20), (0.5, 1, 1)),
}
VOICINGS: tuple[str, ...] = tuple(_VOICINGS)


def style_spec(name: str) -> Style:
    """The Style called ``name``; raises AccompanistError listing the styles if there is none."""
    try:
        return _VOICINGS[name]
    except KeyError:
        raise AccompanistError(f"unknown voicing {name!r}; choose one of {', '.join(VOICINGS)}") from None


def _ascending(spec: Style, pcs: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Every ascending chord-tone tuple within the voice ranges and gaps (depth-first)."""
    out: list[tuple[int, ...]] = []

    def extend(prefix: tuple[int, ...]) -> None:
        i = len(prefix)
        if i == len(spec.ranges):
            out.append(prefix)
            return
        lo, hi = spec.ranges[i]
        if prefix:
            lo, hi = max(lo, prefix[-1] + 1), min(hi, prefix[-1] + spec.max_gap[i - 1])
        for p in range(lo, hi + 1):
            if p % OCTAVE in pcs:
                extend(prefix + (p,))

    extend(())
    top = len(spec.ranges) - spec.close
    return [v for v in out if spec.close < 2 or v[-1] - v[top] <= OCTAVE]


def _off_center(spec: Style, pitches: np.ndarray) -> np.ndarray:
    """(k,) semitones between each voice and the middle of its range, summed over voices."""
    middle = np.asarray(spec.ranges).mean(axis=1)
    return np.abs(pitches - middle).sum(axis=1)


@cache
def _candidates(name: str, chord: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pitches (k, n), role counts (k, 4), cost without melody (k,)) of a chord's voicings."""
    spec, pcs = _VOICINGS[name], chords.pitch_classes(chord)
    pitches = np.array(_ascending(spec, pcs), dtype=np.int64)
    roles = np.array([[pcs.index(p % OCTAVE) for p in v] for v in pitches.tolist()], dtype=np.int64)
    counts = np.stack([(roles == r).sum(axis=1) for r in range(4)], axis=1)
    cost = np.asarray(spec.bass_cost)[roles[:, 0]] + CENTER_PULL * _off_center(spec, pitches)
    return pitches, counts, cost


def _completeness(counts: np.ndarray, n_pcs: int) -> np.ndarray:
    """(k,) cost of missing and doubled chord tones, from role counts (k, 4)."""
    missing = (counts[:, :n_pcs] == 0) @ MISSING[:n_pcs]
    return missing + np.maximum(counts - 1, 0) @ DOUBLED


def _options(name: str, chord: int, melody: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The voicings allowed under ``melody`` (an octave lower if none fits) and their own cost."""
    spec, pcs = _VOICINGS[name], chords.pitch_classes(chord)
    pitches, counts, cost = _candidates(name, chord)
    if melody is None:
        return pitches, cost + _completeness(counts, len(pcs))
    if spec.melody_voice and melody % OCTAVE in pcs:
        counts = counts + np.eye(4, dtype=np.int64)[pcs.index(melody % OCTAVE)]
    cost = cost + _completeness(counts, len(pcs))
    for shift in (0, -OCTAVE, -2 * OCTAVE):
        keep = (pitches[:, -1] + shift < melody) & (pitches[:, 0] + shift >= LOWEST)
        if keep.any():
            pitches, cost = pitches[keep] + shift, cost[keep]
            break
    gap = melody - pitches[:, -1]
    cost = cost + NEAR_MELODY * np.maximum(MELODY_GAP - gap, 0)
    if spec.melody_voice:
        cost = cost + SOPRANO_SPACING * np.maximum(gap - OCTAVE, 0)
    return pitches, cost


def _parallels(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """(m, k) count of voice pairs in consecutive fifths or octaves from ``before`` to ``after``."""
    count = np.zeros((len(before), len(after)), dtype=np.int64)
    n = before.shape[1]
    for i in range(n):
        for j in range(i + 1, n):
            was = (before[:, j] - before[:, i]) % OCTAVE
            now = (after[:, j] - after[:, i]) % OCTAVE
            same = (was[:, None] == now[None, :]) & ((now == 0) | (now == 7))[None, :]
            moved = (before[:, i, None] != after[None, :, i]) & (before[:, j, None] != after[None, :, j])
            count += same & moved
    return count


def _with_soprano(pitches: np.ndarray, melody: int) -> np.ndarray:
    return np.hstack([pitches, np.full((len(pitches), 1), melody, dtype=pitches.dtype)])


def _transition(
    spec: Style, before: np.ndarray, after: np.ndarray, melody_before: int | None, melody: int | None
) -> np.ndarray:
    """(m, k) cost of moving from each voicing in ``before`` to each in ``after``."""
    moves = np.abs(after[None, :, :] - before[:, None, :]) @ np.asarray(spec.weights)
    if spec.parallel_cost:
        if spec.melody_voice and melody_before is not None and melody is not None:
            before, after = _with_soprano(before, melody_before), _with_soprano(after, melody)
        moves = moves + spec.parallel_cost * _parallels(before, after)
    return moves


def _chord(chord: int) -> int:
    """``chord`` as a plain int; raises ChordError outside the vocabulary."""
    if not 0 <= chord < chords.VOCAB_SIZE:
        raise ChordError(f"chord index {chord} is outside the vocabulary (0..{chords.VOCAB_SIZE - 1})")
    return int(chord)


def _melody(pitch: int | None) -> int | None:
    """``pitch`` as a plain int; None for no melody (None or a rest, -1)."""
    return None if pitch is None or pitch < 0 else int(pitch)


class Voicer:
    """Voices one chord at a time, led from the previous voicing (live play)."""

    def __init__(self, style: str = "block") -> None:
        self.spec = style_spec(style)
        self.style = style
        for chord in range(1, chords.VOCAB_SIZE):  # build the cache now, not in the live loop
            _candidates(style, chord)
        self.reset()

    def reset(self) -> None:
        """Forget the previous voicing: the next chord starts in a central, close position."""
        self._prev: np.ndarray | None = None
        self._prev_melody: int | None = None

    def voice(self, chord: int, melody_pitch: int | None = None) -> tuple[int, ...]:
        """MIDI pitches (ascending) for ``chord`` under ``melody_pitch``; () for no chord."""
        chord, melody = _chord(chord), _melody(melody_pitch)
        if chord == chords.NO_CHORD:
            return ()
        pitches, cost = _options(self.style, chord, melody)
        if self._prev is None:
            cost = cost + CENTER_FIRST * _off_center(self.spec, pitches)
        else:
            cost = cost + _transition(self.spec, self._prev[None], pitches, self._prev_melody, melody)[0]
        best = pitches[int(np.argmin(cost))]
        self._prev, self._prev_melody = best, melody
        return tuple(int(p) for p in best)


def voice_sequence(
    chords_: Sequence[int], melody_pitches: Sequence[int | None], style: str = "block"
) -> list[tuple[int, ...]]:
    """Voicings of a whole chord sequence, the cheapest path overall (Viterbi over candidates).

    ``melody_pitches`` holds one pitch per chord (None or -1 where there is no melody).
    """
    spec = style_spec(style)
    if len(chords_) != len(melody_pitches):
        raise ValueError("voice_sequence needs one melody pitch (or None) per chord")
    sequence = [_chord(c) for c in chords_]
    steps = [t for t, c in enumerate(sequence) if c != chords.NO_CHORD]
    melodies = [_melody(melody_pitches[t]) for t in steps]
    options = [_options(style, sequence[t], m) for t, m in zip(steps, melodies, strict=True)]
    out: list[tuple[int, ...]] = [()] * len(sequence)
    for t, (pitches, _), best in zip(steps, options, _viterbi(spec, options, melodies), strict=True):
        out[t] = tuple(int(p) for p in pitches[best])
    return out


def _viterbi(
    spec: Style, options: list[tuple[np.ndarray, np.ndarray]], melodies: list[int | None]
) -> list[int]:
    """Index of the chosen voicing at each step: the path of least total cost."""
    if not options:
        return []
    score = options[0][1] + CENTER_FIRST * _off_center(spec, options[0][0])
    back = []
    for s in range(1, len(options)):
        (before, _), (after, cost) = options[s - 1], options[s]
        total = score[:, None] + _transition(spec, before, after, melodies[s - 1], melodies[s])
        back.append(np.argmin(total, axis=0))
        score = total[back[-1], np.arange(len(after))] + cost
    path = [int(np.argmin(score))]
    for pointers in reversed(back):
        path.append(int(pointers[path[-1]]))
    return path[::-1]
