"""A lead sheet in text: bar numbers and one chord label per beat, ``/`` where a chord goes on.

    bar  1 | C:maj /     G:7   /     | C:maj /     /     /     |
    bar  3 | F:maj /     C:maj G:maj | ...

A new bar begins at every downbeat (``bar_pos == 0``); a chord is written again at the start
of each bar so that every bar reads on its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

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
