"""``--record FILE.mid``: what was played and what was answered, as two tracks with real timing.

Times are the loop's clock (seconds) at which each message arrived or was sent, written as
ticks at a fixed tempo (120 bpm, or ``--tempo``), so the file plays back as it was heard and can
be harmonized offline to compare. Track 1 holds the player's channel messages, track 2 ours.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import mido

from accompanist.files import write_atomic
from accompanist.live.notes import Output
from accompanist.midi.write import events_to_track

PLAYED, ANSWERED = 0, 1
TRACK_NAMES = ("played", "answered")


class Recorder:
    """Collects timestamped messages in memory; ``write`` saves them once, at the end."""

    def __init__(self, bpm: float = 120.0, ticks_per_beat: int = 480) -> None:
        self.bpm, self.ticks_per_beat = bpm, ticks_per_beat
        self._events: list[tuple[float, int, mido.Message]] = []

    def played(self, msg: mido.Message, t: float) -> None:
        if not msg.is_meta and hasattr(msg, "channel"):
            self._events.append((t, PLAYED, msg))

    def answered(self, msg: mido.Message, t: float) -> None:
        self._events.append((t, ANSWERED, msg))

    def __len__(self) -> int:
        return len(self._events)

    def to_midi(self) -> mido.MidiFile:
        """A type-1 file: track 1 what was played (and the tempo), track 2 what was answered."""
        events = sorted(self._events, key=lambda e: e[0])
        t0 = events[0][0] if events else 0.0
        ticks_per_second = self.bpm / 60.0 * self.ticks_per_beat
        midi = mido.MidiFile(type=1, ticks_per_beat=self.ticks_per_beat)
        for track_id, name in enumerate(TRACK_NAMES):
            head = [mido.MetaMessage("track_name", name=name)]
            if track_id == PLAYED:
                head.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(self.bpm)))
            ticks = [(round((t - t0) * ticks_per_second), msg) for t, tid, msg in events if tid == track_id]
            track = events_to_track(ticks, head)
            track.append(mido.MetaMessage("end_of_track"))
            midi.tracks.append(track)
        return midi

    def write(self, path: str | Path, overwrite: bool = False, mkdir: bool = False) -> None:
        """Save atomically (``accompanist.files``): a crash leaves the old file or none, never half."""
        midi = self.to_midi()
        write_atomic(path, lambda f: midi.save(file=f), overwrite, mkdir)


class RecordingOutput:
    """An output port that also records, with the loop's clock, every message it sends."""

    def __init__(self, port: Output, recorder: Recorder, clock: Callable[[], float]) -> None:
        self.port, self.recorder, self.clock = port, recorder, clock

    def send(self, msg: mido.Message) -> None:
        self.port.send(msg)
        self.recorder.answered(msg, self.clock())
