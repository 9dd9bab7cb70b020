"""Reading a MIDI file: its bytes within limits, notes paired, tempo map and meters, as a ``Score``.

Reading accepts type 0 and type 1 files with any ticks per beat, tempo and time-signature
changes (taken from every track), note-on with velocity 0 as note-off, overlapping notes (a
second note-on of a sounding pitch ends the first) and unterminated notes (they last to the end
of the file, at least one beat). A beat is a quarter note, ``ticks_per_beat`` ticks.
"""

from __future__ import annotations

import io
import os
import stat
import struct
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mido
from mido.midifiles.meta import KeySignatureError

from accompanist.errors import MidiFileError
from accompanist.midi_limits import excess

# Limits that keep a hostile file's cost under a second and 200 MB: a file is refused on its
# bytes, before parsing, when over MAX_FILE_BYTES, MAX_EVENTS messages or MAX_DATA_BYTES of meta
# and SysEx data; after parsing, when over MAX_TRACKS tracks or MAX_NOTES notes.
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_EVENTS = 200_000
MAX_DATA_BYTES = 1024 * 1024
MAX_TRACKS = 1024
MAX_NOTES = 250_000
DRUM_CHANNEL = 9  # channel 10 as musicians count
DEFAULT_TEMPO = 500_000  # microseconds per beat: 120 bpm


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
