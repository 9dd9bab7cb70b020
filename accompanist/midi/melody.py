"""The melody line of a score: which part carries it, its top line, and the line on the 16th grid.

The melody is the top line of one (track, channel): the one the caller names, else, leaving
out the drum channel 10 and stray parts with fewer than 1/8 of the notes of the biggest part,
the part with the highest mean pitch among those that are mostly monophonic (at least 80% of
their notes survive the skyline), or among all parts if none is. The skyline keeps the highest
note at each moment; a lower note that starts while a higher one sounds is dropped unless the
higher one ends within a 16th (legato playing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from accompanist.errors import MidiFileError
from accompanist.melody import Melody
from accompanist.midi.read import DRUM_CHANNEL, Note, Score

# A melody over MAX_BEATS (40 minutes at 120 bpm) is refused before it is harmonized, which
# keeps a hostile file's cost bounded (``accompanist.midi.read`` bounds the rest).
MAX_BEATS = 5_000
MONOPHONIC_SHARE = 0.8
STRAY_PART_SHARE = 1 / 8


def melody_notes(score: Score, track: int | None = None, channel: int | None = None) -> list[Note]:
    """The melody's notes: the top line of the chosen or most melodic (track, channel).

    ``track`` counts from 0 as in the file; ``channel`` is 0-15 (the drum channel is left out
    unless asked for).
    """
    parts: dict[tuple[int, int], list[Note]] = {}
    for n in score.notes:
        chosen = (track is None or n.track == track) and (channel is None or n.channel == channel)
        if chosen and n.end > n.start and (channel is not None or n.channel != DRUM_CHANNEL):
            parts.setdefault((n.track, n.channel), []).append(n)
    if not parts:
        raise _no_melody(score, track, channel)
    tolerance = score.ticks_per_beat // 4
    lines = {key: skyline(notes, tolerance) for key, notes in parts.items()}
    biggest = max(len(notes) for notes in parts.values())
    candidates = [k for k, notes in parts.items() if len(notes) >= STRAY_PART_SHARE * biggest]
    mono = [k for k in candidates if len(lines[k]) >= MONOPHONIC_SHARE * len(parts[k])]
    best = max(mono or candidates, key=lambda k: (np.mean([n.pitch for n in parts[k]]), -k[0], -k[1]))
    return lines[best]


def _no_melody(score: Score, track: int | None, channel: int | None) -> MidiFileError:
    asked = []
    if track is not None:
        asked.append(f"in track {track}")
    if channel is not None:
        asked.append(f"on channel {channel + 1}")
    where = " ".join(asked) or "outside the drum channel 10"
    tracks = ", ".join(str(t) for t in sorted({n.track for n in score.notes}))
    channels = ", ".join(str(c + 1) for c in sorted({n.channel for n in score.notes}))
    return MidiFileError(
        f"{score.path}: no melody notes {where} (notes are in tracks {tracks}, channels {channels})"
    )


def skyline(notes: Sequence[Note], tolerance: int) -> list[Note]:
    """The top line of a part: at each moment its highest note, legato overlaps forgiven.

    A note that starts while a higher one sounds is dropped, unless the higher one ends within
    ``tolerance`` ticks; a note that takes over cuts the one before, which is dropped if less
    than ``tolerance`` ticks of it are left (a rolled chord).
    """
    line: list[Note] = []
    for note in sorted(notes, key=lambda n: (n.start, -n.pitch)):
        top = line[-1] if line else None
        if top is not None and note.start < top.end:
            ends_soon = top.end - note.start <= tolerance
            if note.start == top.start or (note.pitch < top.pitch and not ends_soon):
                continue
            line.pop()
            if note.start - top.start >= tolerance:
                line.append(replace(top, end=note.start))
        line.append(note)
    return line


def to_melody(score: Score, notes: Sequence[Note]) -> Melody:
    """Notes on the 16th grid of beats from the file's start, with bar positions from its meters."""
    tpb = score.ticks_per_beat
    last = max(n.end for n in notes)
    if last / tpb > MAX_BEATS:
        raise MidiFileError(f"{score.path}: the melody is {last // tpb} beats long, over {MAX_BEATS}")
    beats = score.tempo.beats
    grid = Melody.from_notes([(beats(n.start), beats(n.end - n.start), n.pitch) for n in notes])
    return Melody(grid.pitch, grid.onset, bar_positions(score.meters, tpb, grid.n_beats))


def bar_positions(meters: Sequence[tuple[int, float]], ticks_per_beat: int, n_beats: int) -> np.ndarray:
    """Each beat's place in its bar (0 = downbeat); a meter change starts a new bar."""
    beats = np.arange(n_beats, dtype=float)
    pos = beats % 4
    for tick, length in meters:
        start = tick / ticks_per_beat
        after = beats >= start - 1e-9
        pos[after] = (beats[after] - start) % length
    return np.minimum(np.floor(pos + 1e-9), 127).astype(np.int8)
