"""What live shows in the terminal as it plays: the chord sounding, one short line per change.

The worker only enqueues what it sounded (``heard``, from the loop's ``on_chord``); the main
thread, between key presses, prints the chord sounding now as a symbol spelled for the key of
what has been played so far (``accompanist.chord_symbols``), once per check: a burst of changes
between two checks is one line, the last chord, so fast playing never floods the terminal.
"""

from __future__ import annotations

import queue
from collections.abc import Callable

from accompanist import chord_symbols
from accompanist.harmony import basses

CHECK_EVERY = 0.1  # seconds between the main thread's looks at the queue


class ChordDisplay:
    """Chord changes from the worker, shown as symbol lines by the main thread."""

    def __init__(self, voicing: str, write: Callable[[str], None]) -> None:
        self.voicing, self.write = voicing, write
        self.key = chord_symbols.KeyTracker()
        self._heard: queue.SimpleQueue = queue.SimpleQueue()
        self._shown: str | None = None

    def heard(self, chord: int, pitches: tuple[int, ...], melody_pitch: int) -> None:
        """The worker sounded ``chord`` as ``pitches`` under ``melody_pitch``: enqueue only."""
        self._heard.put((chord, pitches, melody_pitch))

    def show(self) -> str | None:
        """Print the chord sounding now if it changed since the last line; return what was printed."""
        last = None
        while True:
            try:
                last = self._heard.get_nowait()
            except queue.Empty:
                break
            self.key.add(last[0], last[2])
        if last is None:
            return None
        chord, pitches, _ = last
        text = chord_symbols.symbol(chord, self.key.key, basses([pitches], self.voicing)[0])
        if text == self._shown:
            return None
        self._shown = text
        self.write(f"  chord {text}")
        return text
