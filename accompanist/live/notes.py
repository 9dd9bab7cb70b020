"""What sounds on the output: each note-on matched by exactly one note-off, the pedal, and panic.

``SoundingNotes`` is the only writer to the output port. It keeps the set of sounding
(channel, pitch) pairs, so that a note already sounding is released before it is struck again,
a note-off for a silent note is never sent, and ``panic`` releases everything, then sends All
Notes Off (CC123) on every channel it used. Chord notes that the model releases while the
sustain pedal (CC64) is down are held until the pedal comes up.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Protocol

import mido

SUSTAIN = 64
ALL_NOTES_OFF = 123


class Output(Protocol):
    """What the loop sends to: a mido output port or anything with ``send(msg)``."""

    def send(self, msg: mido.Message) -> None: ...


class SoundingNotes:
    """Note bookkeeping over one output; thread-safe, so a last-resort panic may come from any thread."""

    def __init__(self, output: Output) -> None:
        self.output = output
        self._lock = threading.RLock()
        self._sounding: set[tuple[int, int]] = set()
        self._held: set[tuple[int, int]] = set()  # released by the model under the pedal
        self._pedal = False
        self._channels: set[int] = set()
        self._sustained: set[int] = set()  # channels where a forwarded pedal is down
        self.closed = False

    @property
    def sounding(self) -> frozenset[tuple[int, int]]:
        """(channel, pitch) of every note sounding now, pedal-held ones included."""
        with self._lock:
            return frozenset(self._sounding)

    def note_on(self, channel: int, pitch: int, velocity: int) -> None:
        key = (channel, pitch)
        with self._lock:
            if self.closed:
                return
            if key in self._sounding:
                self.output.send(mido.Message("note_off", channel=channel, note=pitch))
            self.output.send(mido.Message("note_on", channel=channel, note=pitch, velocity=velocity))
            self._sounding.add(key)
            self._held.discard(key)
            self._channels.add(channel)

    def note_off(self, channel: int, pitch: int, pedal: bool = False) -> None:
        """Release a sounding note; with ``pedal``, wait for the pedal to come up if it is down."""
        key = (channel, pitch)
        with self._lock:
            if key not in self._sounding:
                return
            if pedal and self._pedal:
                self._held.add(key)
                return
            self._sounding.discard(key)
            self._held.discard(key)
            self.output.send(mido.Message("note_off", channel=channel, note=pitch))

    def change(self, channel: int, old: Iterable[int], new: Iterable[int], velocity: int) -> None:
        """Sound chord ``new`` in place of ``old``: new notes first, then the old ones released."""
        old, new = tuple(old), tuple(new)
        for pitch in new:
            if pitch not in old:
                self.note_on(channel, pitch, velocity)
        for pitch in old:
            if pitch not in new:
                self.note_off(channel, pitch, pedal=True)

    def pedal(self, down: bool) -> None:
        """The player's sustain pedal; lifting it releases the chord notes it held."""
        with self._lock:
            self._pedal = down
            if not down:
                for channel, pitch in sorted(self._held):
                    self.note_off(channel, pitch)

    def forward(self, msg: mido.Message) -> None:
        """Pass a channel message other than a note through (pitch bend, controllers, pedal)."""
        with self._lock:
            if self.closed:
                return
            self.output.send(msg)
            self._channels.add(msg.channel)
            if msg.type == "control_change" and msg.control == SUSTAIN:
                (self._sustained.add if msg.value >= 64 else self._sustained.discard)(msg.channel)

    def close(self) -> None:
        """Panic, and sound nothing more: a worker still busy in the model can no longer strike a note."""
        with self._lock:
            self.closed = True
            if self._sounding:
                self.panic()

    def panic(self) -> None:
        """Release every sounding note, lift forwarded pedals, All Notes Off on every channel used.

        Best effort: a send that fails (the port went away) does not stop the others.
        """
        with self._lock:
            messages = [mido.Message("note_off", channel=c, note=p) for c, p in sorted(self._sounding)]
            messages += [mido.Message("control_change", channel=c, control=SUSTAIN) for c in self._sustained]
            messages += [
                mido.Message("control_change", channel=c, control=ALL_NOTES_OFF)
                for c in sorted(self._channels)
            ]
            self._sounding.clear()
            self._held.clear()
            self._sustained.clear()
            for msg in messages:
                try:
                    self.output.send(msg)
                except Exception:  # a port that went away must not keep the other notes sounding
                    continue
