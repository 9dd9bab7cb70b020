"""When the live loop asks the model for a chord: on each melody note, or on beats.

Three modes, one interface (``note_on``, ``message``, ``due``, ``timeout``):

- ``FollowNotes`` (no clock): each melody note-on is one model step, a beat of
  ``BeatFrame.held(pitch, bar_pos)``; note-ons that arrive together are one step.
- ``TempoBeats`` (``--tempo BPM``): beats at a fixed tempo, beat 0 on the first note played.
- ``ClockBeats`` (``--clock``): beats counted from incoming MIDI clock, 24 per beat; Start
  begins at beat 0, Stop pauses, Continue resumes, Song Position moves.

What the model hears on a beat, causally: a chord must sound on beat ``b`` before the rest of
beat ``b`` is known, so the frame holds the note that begins beat ``b`` (held for the whole
beat, as ``BeatFrame.held`` says). Players are never exactly on the beat, so a note-on counts
as beat ``b``'s onset if it comes within ``GRACE`` of the beat, before or after. The step for
beat ``b`` happens at the beat when its note came early or on time, as soon as the note comes
when it is late, or at ``b + GRACE`` when no note comes (the note held over, or a rest).
Notes in the middle of a beat change no chord; the beat after them hears the note then sounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import mido

GRACE = 1 / 8  # of a beat: a 32nd note, 62 ms at 120 bpm
CLOCKS_PER_BEAT = 24
CLOCKS_PER_SIXTEENTH = 6


@dataclass(frozen=True)
class Due:
    """A step to take now: which beat, its place in the bar, and whether a note began it."""

    beat: int
    bar_pos: int
    onset: bool


class Timing(Protocol):
    """What the loop asks of a timing mode; ``t`` is the loop's clock, in seconds."""

    def note_on(self, t: float) -> None: ...

    def message(self, msg: mido.Message, t: float) -> str | None: ...

    def due(self, t: float) -> Due | None: ...

    def timeout(self, t: float) -> float | None: ...


class FollowNotes:
    """No clock: each melody note-on (or burst of them) is one step."""

    def __init__(self, beats_per_bar: int = 4) -> None:
        self.beats_per_bar = beats_per_bar
        self._count = 0
        self._pending = False

    def note_on(self, t: float) -> None:
        self._pending = True

    def message(self, msg: mido.Message, t: float) -> str | None:
        return None

    def due(self, t: float) -> Due | None:
        if not self._pending:
            return None
        self._pending = False
        beat, self._count = self._count, self._count + 1
        return Due(beat, beat % self.beats_per_bar, True)

    def timeout(self, t: float) -> float | None:
        return None


class BeatGrid:
    """The grace rule over a beat position: decides when beat ``next`` is stepped."""

    def __init__(self, beats_per_bar: int = 4) -> None:
        self.beats_per_bar = beats_per_bar
        self.restart()

    def restart(self, beat: int = 0) -> None:
        self.next = beat
        self._onset: float | None = None

    def onset(self, pos: float) -> None:
        self._onset = pos

    def due(self, pos: float) -> Due | None:
        beat = max(self.next, math.floor(pos))  # after a stall, skip to the current beat
        if pos < beat:
            return None
        onset = self._onset is not None and self._onset >= beat - GRACE
        if not onset and pos < beat + GRACE:
            return None
        self.next = beat + 1
        return Due(beat, beat % self.beats_per_bar, onset)

    def wake(self, pos: float) -> float:
        """The next position at which ``due`` may change its answer without a new note."""
        return self.next if pos < self.next else self.next + GRACE


class TempoBeats:
    """Beats at ``bpm`` from the first note played, or ``count_in`` beats after the loop first asks
    (a count-in: ``accompanist.live.click``); the worker wakes on time for each."""

    def __init__(self, bpm: float, beats_per_bar: int = 4, count_in: int = 0) -> None:
        self.seconds_per_beat = 60.0 / bpm
        self.grid = BeatGrid(beats_per_bar)
        self.count_in = count_in
        self._t0: float | None = None

    @property
    def origin(self) -> float | None:
        """When beat 0 is (or was), on the loop's clock; None until it is known."""
        return self._t0

    def _begin(self, t: float) -> None:
        if self._t0 is None and self.count_in:
            self._t0 = t + self.count_in * self.seconds_per_beat

    def _pos(self, t: float) -> float:
        return (t - self._t0) / self.seconds_per_beat

    def note_on(self, t: float) -> None:
        self._begin(t)
        if self._t0 is None:
            self._t0 = t
        self.grid.onset(self._pos(t))

    def message(self, msg: mido.Message, t: float) -> str | None:
        return None

    def due(self, t: float) -> Due | None:
        self._begin(t)
        return None if self._t0 is None else self.grid.due(self._pos(t))

    def timeout(self, t: float) -> float | None:
        self._begin(t)
        if self._t0 is None:
            return None
        pos = self._pos(t)
        return max(0.0, (self.grid.wake(pos) - pos) * self.seconds_per_beat)


class ClockBeats:
    """Beats from MIDI clock (24 per beat); returns "start" and "stop" so the loop can react."""

    def __init__(self, beats_per_bar: int = 4) -> None:
        self.grid = BeatGrid(beats_per_bar)
        self.running = False
        self._clocks = -1  # the first clock after Start is beat 0

    def _pos(self) -> float:
        return self._clocks / CLOCKS_PER_BEAT

    def note_on(self, t: float) -> None:
        if self.running:
            self.grid.onset(self._pos())

    def message(self, msg: mido.Message, t: float) -> str | None:
        if msg.type == "clock" and self.running:
            self._clocks += 1
        elif msg.type == "start":
            self._clocks, self.running = -1, True
            self.grid.restart()
            return "start"
        elif msg.type == "continue":
            self.running = True
        elif msg.type == "stop" and self.running:
            self.running = False
            return "stop"
        elif msg.type == "songpos":
            self._clocks = msg.pos * CLOCKS_PER_SIXTEENTH - 1
            self.grid.restart(math.ceil(self._clocks / CLOCKS_PER_BEAT))
        return None

    def due(self, t: float) -> Due | None:
        return self.grid.due(self._pos()) if self.running else None

    def timeout(self, t: float) -> float | None:
        return None
