"""The chord vocabulary: 12 roots x 9 qualities plus no-chord, as Harte labels and indices.

Index table (``V = 109`` classes)::

    index 0                    N        (no chord: rests, silence)
    index 1 + 9 * root + q     root in 0..11 (C, C#, D, Eb, E, F, F#, G, Ab, A, Bb, B)
                               q in 0..8 (maj, min, dim, aug, 7, maj7, min7, hdim7, dim7)

So ``C:maj`` is 1, ``C:min`` 2, ``C:dim7`` 9, ``C#:maj`` 10, ``G:7`` 1 + 63 + 4 = 68 and
``B:dim7`` 108. Labels are Harte syntax as mir_eval reads them; parsing goes through
``mir_eval.chord.encode`` so enharmonic spellings (``Db:maj``) and any label whose pitch
classes equal one of ours map to the same index.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from accompanist.errors import ChordError

ROOTS = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
QUALITIES = ("maj", "min", "dim", "aug", "7", "maj7", "min7", "hdim7", "dim7")
INTERVALS = (
    (0, 4, 7),
    (0, 3, 7),
    (0, 3, 6),
    (0, 4, 8),
    (0, 4, 7, 10),
    (0, 4, 7, 11),
    (0, 3, 7, 10),
    (0, 3, 6, 10),
    (0, 3, 6, 9),
)
N_QUALITIES = len(QUALITIES)
NO_CHORD = 0
VOCAB_SIZE = 1 + 12 * N_QUALITIES
LABELS = ("N",) + tuple(f"{r}:{q}" for r in ROOTS for q in QUALITIES)


def index(root: int, quality: int) -> int:
    """The vocabulary index of a root pitch class (0-11) and a quality number (0-8)."""
    return 1 + 9 * (root % 12) + quality


def root_quality(idx: int) -> tuple[int, int]:
    """(root, quality) of a chord index; (-1, -1) for no chord."""
    if idx == NO_CHORD:
        return -1, -1
    return divmod(idx - 1, N_QUALITIES)


def to_label(idx: int) -> str:
    """Harte label of a vocabulary index."""
    return LABELS[idx]


@lru_cache(maxsize=4096)
def from_label(label: str) -> int:
    """Vocabulary index of a Harte label; raises ChordError if it is not in the vocabulary."""
    import mir_eval

    try:
        root, bitmap, _ = mir_eval.chord.encode(label.strip())
    except Exception as exc:  # mir_eval raises InvalidChordException and ValueError
        raise ChordError(f"not a Harte chord label: {label!r}") from exc
    if root < 0:
        return NO_CHORD
    rel = tuple(int(i) for i in np.flatnonzero(bitmap))
    try:
        return index(root, INTERVALS.index(rel))
    except ValueError:
        raise ChordError(f"chord {label!r} is not in the vocabulary") from None


def pitch_classes(idx: int) -> tuple[int, ...]:
    """Pitch classes (0-11) of a chord index, root first; empty for no chord."""
    root, q = root_quality(idx)
    if root < 0:
        return ()
    return tuple((root + i) % 12 for i in INTERVALS[q])


def transpose(idx: int | np.ndarray, semitones: int) -> int | np.ndarray:
    """Transpose chord indices by semitones; no chord stays no chord."""
    arr = np.asarray(idx)
    root, q = np.divmod(arr - 1, N_QUALITIES)
    out = np.where(arr == NO_CHORD, NO_CHORD, 1 + N_QUALITIES * ((root + semitones) % 12) + q)
    return int(out) if np.ndim(idx) == 0 else out


def chroma_table() -> np.ndarray:
    """(V, 12) 0/1 matrix: which pitch classes each chord holds (row 0, no chord, is empty)."""
    table = np.zeros((VOCAB_SIZE, 12), dtype=np.float32)
    for i in range(1, VOCAB_SIZE):
        table[i, list(pitch_classes(i))] = 1.0
    return table


CHROMA = chroma_table()
