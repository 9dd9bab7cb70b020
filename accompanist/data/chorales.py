"""Parse the Bach chorales of music21's corpus into melody, chord labels and SATB voices.

Each chorale's four vocal parts (Soprano, Alto, Tenor, Bass by part name; the four parts in
score order for the few files without names) go on a 16th-note grid. Instrumental parts
(horns, trumpets, continuo, obbligato violins in about 20 chorales) double or decorate the
voices and are ignored. The soprano is the melody; chord labels come from all four voices
(see ``accompanist.labeling``); SATB targets are the pitches sounding at each beat onset.
Parsing runs on every core; music21's key analysis is never used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from accompanist.melody import REST, STEPS_PER_BEAT

VOICE_NAMES = ("soprano", "alto", "tenor", "bass")


@dataclass
class ParsedChorale:
    """What a worker process sends back: plain arrays, cheap to pickle."""

    id: str
    voices: np.ndarray  # (4, n_steps) int16, soprano first
    onsets: np.ndarray  # (n_steps,) bool, soprano note starts
    bar_pos: np.ndarray  # (n_beats,) int8


def chorale_ids() -> list[str]:
    """The Riemenschneider chorales in music21's corpus, each once, in corpus order."""
    from music21 import corpus

    return list(dict.fromkeys(corpus.chorales.Iterator(returnType="filename")))


def _vocal_parts(score) -> list:
    parts = list(score.parts)
    chosen = []
    for voice in VOICE_NAMES:
        match = [p for p in parts if (p.partName or p.id or "").strip().lower().startswith(voice)]
        chosen.append(match[0] if match else None)
    if any(p is None for p in chosen):
        chosen = parts[:4]
    return chosen


def _notes(part, keep: Callable[[object], bool] | None = None) -> list[tuple[float, float, int]]:
    """(onset, duration, midi) in quarter notes, tied notes merged, the top note of chords; with
    ``keep``, only the notes it accepts."""
    out: list[list] = []
    for n in part.flatten().notes:
        if keep is not None and not keep(n):
            continue
        midi = max(p.midi for p in n.pitches)
        on, dur = float(n.offset), float(n.quarterLength)
        tie = n.tie.type if n.tie is not None else None
        if tie in ("stop", "continue") and out and out[-1][2] == midi:
            out[-1][1] = on + dur - out[-1][0]
        else:
            out.append([on, dur, midi])
    return [tuple(x) for x in out]


def _grid(notes: list[tuple[float, float, int]], n_steps: int) -> tuple[np.ndarray, np.ndarray]:
    pitch = np.full(n_steps, REST, dtype=np.int16)
    onset = np.zeros(n_steps, dtype=bool)
    for on, dur, midi in notes:
        a = int(round(on * STEPS_PER_BEAT))
        b = max(a + 1, int(round((on + dur) * STEPS_PER_BEAT)))
        if a < n_steps:
            pitch[a:b] = midi
            onset[a] = True
    return pitch, onset


def _bar_positions(part, n_beats: int) -> np.ndarray:
    """Each quarter beat's place in its bar (0 = downbeat), pickup bars included."""
    starts = [(float(m.offset), float(m.paddingLeft or 0.0)) for m in part.getElementsByClass("Measure")]
    pos = np.zeros(n_beats, dtype=np.int8)
    k = 0
    for beat in range(n_beats):
        while k + 1 < len(starts) and starts[k + 1][0] <= beat + 1e-6:
            k += 1
        offset, padding = starts[k] if starts else (0.0, 0.0)
        pos[beat] = int(round(beat - offset + padding))
    return pos


def parse_chorale(chorale_id: str) -> ParsedChorale:
    """Parse one chorale of music21's corpus (runs in a worker process)."""
    from music21 import corpus

    score = corpus.parse(chorale_id)
    parts = _vocal_parts(score)
    notes = [_notes(p) for p in parts]
    end = max(on + dur for voice in notes for on, dur, _ in voice)
    n_beats = int(np.ceil(end - 1e-6))
    n_steps = n_beats * STEPS_PER_BEAT
    grids = [_grid(v, n_steps) for v in notes]
    voices = np.stack([g[0] for g in grids])
    return ParsedChorale(chorale_id, voices, grids[0][1], _bar_positions(parts[0], n_beats))
