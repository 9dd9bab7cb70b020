"""The metronome of ``live --tempo``: a count-in before beat 0, and a click on every beat.

A click is a short note on a channel of the player's choice (10, General MIDI's drums, by
default): ``ACCENT`` (a high wood block there) on each downbeat, ``BEAT`` (a low one) on the
other beats, each released ``LENGTH`` seconds later. The count-in is ``count_in`` beats of
clicks before beat 0 (``TempoBeats`` then starts beat 0 that long after the loop starts, not at
the first note); ``through`` clicks on after it, all the way. The loop asks ``due`` what to
send now and ``timeout`` how long it may sleep; its notes go through ``SoundingNotes``, so a
panic or any exit releases a click as it releases a chord.
"""

from __future__ import annotations

import math

from accompanist.live.notes import SoundingNotes
from accompanist.live.timing import TempoBeats

ACCENT, BEAT = 76, 77  # GM drums: hi and low wood block
ACCENT_VELOCITY, BEAT_VELOCITY = 120, 80
LENGTH = 0.05  # seconds a click sounds


class Click:
    """Clicks on the beats of ``tempo``: from the count-in's first beat, and after beat 0 if ``through``."""

    def __init__(self, tempo: TempoBeats, channel: int, count_in: int = 0, through: bool = True) -> None:
        self.tempo, self.channel, self.through = tempo, channel, through
        self.next = -count_in  # the next beat to click, counted from beat 0
        self._off: tuple[float, int] | None = None  # when the sounding click ends, and its note

    def _beat_time(self, beat: int) -> float | None:
        origin = self.tempo.origin
        return None if origin is None else origin + beat * self.tempo.seconds_per_beat

    def _wanted(self) -> bool:
        return self.through or self.next < 0

    def send(self, notes: SoundingNotes, t: float) -> None:
        """Release the click that has sounded long enough; strike the beat that is due."""
        if self._off is not None and t >= self._off[0]:
            notes.note_off(self.channel, self._off[1])
            self._off = None
        at = self._beat_time(self.next)
        if at is None or t < at or not self._wanted():
            return
        beat = max(self.next, math.floor((t - self.tempo.origin) / self.tempo.seconds_per_beat))
        if self._off is not None:
            notes.note_off(self.channel, self._off[1])
        downbeat = beat % self.tempo.grid.beats_per_bar == 0
        note = ACCENT if downbeat else BEAT
        notes.note_on(self.channel, note, ACCENT_VELOCITY if downbeat else BEAT_VELOCITY)
        self._off, self.next = (t + LENGTH, note), beat + 1

    def timeout(self, t: float) -> float | None:
        """Seconds until the next click or release; None when there is none to wait for."""
        times = [self._off[0]] if self._off is not None else []
        at = self._beat_time(self.next)
        if at is not None and self._wanted():
            times.append(at)
        return max(0.0, min(times) - t) if times else None
