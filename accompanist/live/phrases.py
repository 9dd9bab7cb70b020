"""Phrase boundaries in live play: where a new idea (``Harmonizer.vary``) may begin, never mid-phrase.

With a beat grid (``--tempo``, ``--clock``) a phrase is ``phrase_bars`` bars, counted from beat 0
(the first note played, or MIDI Start and Song Position): a boundary is the first beat of bars
0, ``phrase_bars``, 2 * ``phrase_bars``, ...

Following the notes (no grid) there is no meter to count bars by, so a "downbeat" would only be
a count of notes. There the boundary is a breath, where players end phrases: the first note after
every key was up for at least one beat, a beat being the median spacing of the player's last
notes. So that a legato player who never lifts still gets the idea asked for, every
``phrase_bars * beats_per_bar`` notes (the steps' own bar count) is a boundary too.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from accompanist.live.timing import Due

ONSETS = 8  # the last note-ons whose spacing gives the beat, following the notes


class Phrases:
    """Says of each step whether it begins a phrase; told of note-ons and silences by the loop."""

    def __init__(self, beats_per_bar: int = 4, phrase_bars: int = 4, breaths: bool = False) -> None:
        self.length = beats_per_bar * phrase_bars  # beats in a phrase
        self.breaths = breaths
        self._onsets: deque[float] = deque(maxlen=ONSETS)
        self._silent_since: float | None = None
        self._breath = False

    def silent(self, t: float) -> None:
        """Every key is up, from ``t``."""
        if self._silent_since is None:
            self._silent_since = t

    def note_on(self, t: float) -> None:
        """A melody note began at ``t``: after a rest of a beat or more, the next step is a breath."""
        if self._silent_since is not None and len(self._onsets) >= 2:
            beat = float(np.median(np.diff(self._onsets)))
            self._breath = self._breath or t - self._silent_since >= beat
        self._silent_since = None
        self._onsets.append(t)

    def boundary(self, due: Due) -> bool:
        """Whether the step ``due`` begins a phrase; called once per step (a breath is used up)."""
        breath, self._breath = self._breath, False
        return due.beat % self.length == 0 or (self.breaths and breath)
