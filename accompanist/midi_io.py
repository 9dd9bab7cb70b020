"""MIDI files in and out: notes and tempo map from a file, its melody, and a copy with a harmony track.

Reading accepts type 0 and type 1 files with any ticks per beat, tempo and time-signature
changes (taken from every track), note-on with velocity 0 as note-off, overlapping notes (a
second note-on of a sounding pitch ends the first) and unterminated notes (they last to the end
of the file, at least one beat). A beat is a quarter note, ``ticks_per_beat`` ticks.

The melody is the top line of one (track, channel): the one the caller names, else, leaving
out the drum channel 10 and stray parts with fewer than 1/8 of the notes of the biggest part,
the part with the highest mean pitch among those that are mostly monophonic (at least 80% of
their notes survive the skyline), or among all parts if none is. The skyline keeps the highest
note at each moment; a lower note that starts while a higher one sounds is dropped unless the
higher one ends within a 16th (legato playing).

Writing copies the input's tracks message by message (same ticks; a type 0 file becomes type 1
with its one track first) and adds one harmony track on a channel the input does not use.
"""

from __future__ import annotations

import io
import os
import stat
import struct
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import mido
import numpy as np
from mido.midifiles.meta import KeySignatureError

from accompanist.errors import MidiFileError
from accompanist.files import write_atomic
from accompanist.melody import Melody
from accompanist.midi_limits import excess

# Limits that keep a hostile file's cost under a second and 200 MB: a file is refused on its
# bytes, before parsing, when over MAX_FILE_BYTES, MAX_EVENTS messages or MAX_DATA_BYTES of meta
# and SysEx data; a melody over MAX_BEATS (40 minutes at 120 bpm) before it is harmonized.
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_EVENTS = 200_000
MAX_DATA_BYTES = 1024 * 1024
MAX_TRACKS = 1024
MAX_NOTES = 250_000
MAX_BEATS = 5_000
DRUM_CHANNEL = 9  # channel 10 as musicians count
DEFAULT_TEMPO = 500_000  # microseconds per beat: 120 bpm
HARMONY_PROGRAM = 48  # General MIDI String Ensemble 1: held chords sustain under any melody
HARMONY_VELOCITY = 64
HARMONY_TRACK_NAME = "Accompanist harmony"
MONOPHONIC_SHARE = 0.8
STRAY_PART_SHARE = 1 / 8


@dataclass(frozen=True)
class Note:
    """One note of the file, in ticks; channel 0-15, track index in the file."""

    start: int
    end: int
    pitch: int
    velocity: int
    channel: int
    track: int


def _from_tick_zero(default: Any, changes: Sequence[tuple[int, Any]]) -> list[tuple[int, Any]]:
    """Changes sorted by tick, one per tick (the last one given wins), ``default`` at tick 0 if none is."""
    return sorted(dict([(0, default), *sorted(changes, key=lambda c: c[0])]).items())


class TempoMap:
    """Ticks to beats (quarter notes) and seconds, from the file's tempo changes."""

    def __init__(self, ticks_per_beat: int, changes: Sequence[tuple[int, int]] = ()) -> None:
        self.ticks_per_beat = ticks_per_beat
        self.changes = _from_tick_zero(DEFAULT_TEMPO, changes)
        self._ticks = [t for t, _ in self.changes]
        self._seconds = [0.0]
        for (t0, tempo), t1 in zip(self.changes[:-1], self._ticks[1:], strict=True):
            self._seconds.append(self._seconds[-1] + (t1 - t0) * tempo / (1e6 * ticks_per_beat))

    def seconds(self, tick: float) -> float:
        """Seconds from the start of the file at a tick."""
        i = bisect_right(self._ticks, tick) - 1
        t0, tempo = self.changes[i]
        return self._seconds[i] + (tick - t0) * tempo / (1e6 * self.ticks_per_beat)

    def beats(self, tick: float) -> float:
        """Quarter-note beats at a tick (whatever the tempo)."""
        return tick / self.ticks_per_beat

    def beat_seconds(self, beat: float) -> float:
        """Seconds from the start of the file at a beat (a quarter note)."""
        return self.seconds(beat * self.ticks_per_beat)


@dataclass(frozen=True)
class Score:
    """A MIDI file as read: the mido file itself, its notes, tempo map and meters."""

    path: Path
    midi: mido.MidiFile
    notes: list[Note]
    tempo: TempoMap
    meters: list[tuple[int, float]]  # (tick, bar length in beats), sorted, the first at tick 0

    @property
    def ticks_per_beat(self) -> int:
        return self.midi.ticks_per_beat


def read_midi(path: str | Path) -> Score:
    """Read a type 0 or type 1 MIDI file; raise MidiFileError with one clear line if it is bad."""
    path = Path(path)
    midi = _load(path)
    if midi.type not in (0, 1):
        raise MidiFileError(f"{path}: type {midi.type} MIDI files are not supported (only types 0 and 1)")
    if midi.ticks_per_beat <= 0:
        raise MidiFileError(f"{path}: timing by SMPTE frames or zero ticks per beat is not supported")
    if len(midi.tracks) > MAX_TRACKS:
        raise MidiFileError(f"{path}: {len(midi.tracks)} tracks, more than the limit of {MAX_TRACKS}")
    end = max((sum(m.time for m in t) for t in midi.tracks), default=0)
    notes = [n for i, t in enumerate(midi.tracks) for n in _track_notes(t, i, end, midi.ticks_per_beat)]
    if len(notes) > MAX_NOTES:
        raise MidiFileError(f"{path}: {len(notes)} notes, more than the limit of {MAX_NOTES}")
    if not notes:
        raise MidiFileError(f"{path}: the file holds no notes")
    tempos = [(t, m.tempo) for t, m in _timed(midi, "set_tempo")]
    meters = [(t, _bar_length(m.numerator, m.denominator)) for t, m in _timed(midi, "time_signature")]
    return Score(path, midi, notes, TempoMap(midi.ticks_per_beat, tempos), _from_tick_zero(4.0, meters))


def _load(path: Path) -> mido.MidiFile:
    data = _read_bytes(path)
    if len(data) > MAX_FILE_BYTES:
        raise MidiFileError(f"{path}: more than {MAX_FILE_BYTES} bytes, the limit for a MIDI file")
    if not data.startswith(b"MThd"):
        raise MidiFileError(f"{path}: not a MIDI file")
    too_much = excess(data, MAX_EVENTS, MAX_DATA_BYTES)
    if too_much is not None:
        raise MidiFileError(f"{path}: {too_much}")
    try:
        return mido.MidiFile(file=io.BytesIO(data), clip=True)
    except EOFError:
        raise MidiFileError(f"{path}: truncated MIDI file") from None
    except KeySignatureError as exc:
        raise MidiFileError(f"{path}: corrupt key signature ({exc})") from None
    except (OSError, ValueError, KeyError, IndexError, TypeError, struct.error) as exc:
        raise MidiFileError(f"{path}: corrupt MIDI file ({exc or type(exc).__name__})") from None


def _read_bytes(path: Path) -> bytes:
    """At most MAX_FILE_BYTES + 1 bytes of a regular file; a folder, pipe or device is refused.

    The file is opened with O_NONBLOCK, so that opening a named pipe never waits for a writer.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise MidiFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise MidiFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        what = "a folder, not a MIDI file" if stat.S_ISDIR(mode) else "not a regular file (a device or pipe)"
        raise MidiFileError(f"{path}: cannot read: {what}")
    with os.fdopen(fd, "rb") as f:
        try:
            return f.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise MidiFileError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _timed(midi: mido.MidiFile, kind: str) -> list[tuple[int, mido.MetaMessage]]:
    """(absolute tick, message) of every message of one kind, in every track."""
    out = []
    for track in midi.tracks:
        tick = 0
        for msg in track:
            tick += msg.time
            if msg.type == kind:
                out.append((tick, msg))
    return out


def _bar_length(numerator: int, denominator: int) -> float:
    """Quarter-note beats in a bar (6/8 gives 3.0); 4.0 for nonsense meters."""
    if numerator < 1 or not 1 <= denominator <= 64:
        return 4.0
    return numerator * 4 / denominator


def _track_notes(track: mido.MidiTrack, index: int, end: int, tpb: int) -> list[Note]:
    """Pair note-ons with note-offs per (channel, pitch); a re-struck pitch ends the sounding note."""
    notes: list[Note] = []
    sounding: dict[tuple[int, int], tuple[int, int]] = {}
    tick = 0
    for msg in track:
        tick += msg.time
        if msg.type not in ("note_on", "note_off"):
            continue
        key = (msg.channel, msg.note)
        if key in sounding:
            start, velocity = sounding.pop(key)
            notes.append(Note(start, tick, msg.note, velocity, msg.channel, index))
        if msg.type == "note_on" and msg.velocity > 0:
            sounding[key] = (tick, msg.velocity)
    for (channel, pitch), (start, velocity) in sounding.items():
        notes.append(Note(start, max(end, start + tpb), pitch, velocity, channel, index))
    return sorted(notes, key=lambda n: (n.start, n.pitch))


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


def used_channels(score: Score) -> set[int]:
    """Channels (0-15) that any channel message of the input uses."""
    return {m.channel for t in score.midi.tracks for m in t if not m.is_meta and hasattr(m, "channel")}


def free_channel(score: Score) -> int:
    """The first channel the input does not use, the drum channel left out."""
    used = used_channels(score) | {DRUM_CHANNEL}
    free = [c for c in range(16) if c not in used]
    if not free:
        raise MidiFileError(f"{score.path}: every MIDI channel is in use; no channel is left for the harmony")
    return free[0]


def write_midi(
    path: str | Path,
    score: Score,
    harmony: Sequence[tuple[float, float, Sequence[int]]],
    channel: int | None = None,
    program: int = HARMONY_PROGRAM,
    overwrite: bool = False,
    mkdir: bool = False,
) -> None:
    """Write the input's tracks unchanged plus a harmony track, atomically (``harmonized_midi``).

    An existing ``path`` is replaced only with ``overwrite``; a missing folder is made only with
    ``mkdir`` (``accompanist.files``).
    """
    write_atomic(path, harmonized_midi(score, harmony, channel, program), overwrite, mkdir)


def harmonized_midi(
    score: Score,
    harmony: Sequence[tuple[float, float, Sequence[int]]],
    channel: int | None = None,
    program: int = HARMONY_PROGRAM,
) -> bytes:
    """The bytes of a MIDI file: the input's tracks unchanged plus a harmony track.

    ``harmony`` holds (start_beat, end_beat, pitches) chords; ``channel`` defaults to the
    first channel the input does not use.
    """
    channel = free_channel(score) if channel is None else channel
    out = mido.MidiFile(type=1, ticks_per_beat=score.ticks_per_beat, charset=score.midi.charset)
    out.tracks.extend(score.midi.tracks)
    out.tracks.append(harmony_track(harmony, score.ticks_per_beat, channel, program))
    buffer = io.BytesIO()
    try:
        out.save(file=buffer)
    except ValueError as exc:  # e.g. a realtime message that mido read but will not write
        raise MidiFileError(f"{score.path}: cannot copy this file's messages: {exc}") from None
    return buffer.getvalue()


def harmony_track(
    harmony: Sequence[tuple[float, float, Sequence[int]]], ticks_per_beat: int, channel: int, program: int
) -> mido.MidiTrack:
    """A track of held chords; at a shared tick note-offs come before note-ons."""
    events: list[tuple[int, int, mido.Message]] = []
    for start, end, pitches in harmony:
        a, b = round(start * ticks_per_beat), round(end * ticks_per_beat)
        for p in sorted(set(pitches)):
            events.append((a, 1, mido.Message("note_on", channel=channel, note=p, velocity=HARMONY_VELOCITY)))
            events.append((b, 0, mido.Message("note_off", channel=channel, note=p, velocity=0)))
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=HARMONY_TRACK_NAME)])
    track.append(mido.Message("program_change", channel=channel, program=program))
    tick = 0
    for t, _, msg in sorted(events, key=lambda e: (e[0], e[1])):
        track.append(msg.copy(time=t - tick))
        tick = t
    return track
