"""A lead sheet in text: bar numbers and one chord per beat, ``/`` where a chord goes on.

    key C major
    bar  1 | C    /    G7/B /    | C    /    /    /    |
    bar  3 | F    /    C/E  G    | ...

(slash chords with a voicing that has a bass voice: ``satb``, ``open``, ``bass``).

A new bar begins at every downbeat (``bar_pos == 0``); a chord is written again at the start
of each bar so that every bar reads on its own. ``chord_sheet`` writes chord symbols spelled
for the key of the piece (``accompanist.chord_symbols``), with the voicing's bass after a slash.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from accompanist import chord_symbols
from accompanist.melody import Melody

LINE_WIDTH = 100
HELD = "/"


def bars(labels: Sequence[str], bar_pos: np.ndarray) -> list[list[str]]:
    """The per-beat cells of each bar: a label where the chord changes or a bar starts, else ``/``."""
    out: list[list[str]] = []
    for beat, label in enumerate(labels):
        if not out or bar_pos[beat] == 0:
            out.append([])
        held = bool(out[-1]) and labels[beat - 1] == label
        out[-1].append(HELD if held else label)
    return out


def lead_sheet(labels: Sequence[str], bar_pos: np.ndarray) -> str:
    """Bars as aligned text lines, as many bars on a line as fit in LINE_WIDTH characters."""
    cells = bars(labels, bar_pos)
    if not cells:
        return ""
    width = max(len(c) for bar in cells for c in bar)
    texts = [" ".join(c.ljust(width) for c in bar) for bar in cells]
    bar_width = max(len(t) for t in texts) + 3
    per_line = max(1, (LINE_WIDTH - 10) // bar_width)
    number_width = len(str(len(cells)))
    lines = []
    for first in range(0, len(texts), per_line):
        row = " | ".join(t.ljust(bar_width - 3) for t in texts[first : first + per_line])
        lines.append(f"bar {first + 1:>{number_width}} | {row} |")
    return "\n".join(lines)


def sheet_symbols(
    indices: Sequence[int], melody: Melody, basses: Sequence[int | None]
) -> tuple[list[str], chord_symbols.Key]:
    """The symbol of each beat's chord (vocabulary indices) in the piece's key, with its bass
    (``harmony.basses``); and the key."""
    indices = [int(i) for i in indices]
    key = chord_symbols.estimate_key(melody.pitch, indices)
    return chord_symbols.symbols(indices, key, basses), key


def chord_sheet(indices: Sequence[int], melody: Melody, basses: Sequence[int | None]) -> str:
    """The lead sheet a person reads: the key, then bars of chord symbols (see ``sheet_symbols``)."""
    cells, key = sheet_symbols(indices, melody, basses)
    return f"key {key.name}\n{lead_sheet(cells, melody.bar_pos)}"
