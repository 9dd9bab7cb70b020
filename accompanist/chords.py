"""The chord vocabulary: 12 roots x 9 qualities plus no-chord, as Harte labels and indices.

Index table (``V = 109`` classes)::

    index 0                    N        (no chord: rests, silence)
    index 1 + 9 * root + q     root in 0..11 (C, C#, D, Eb, E, F, F#, G, Ab, A, Bb, B)
                               q in 0..8 (maj, min, dim, aug, 7, maj7, min7, hdim7, dim7)

So ``C:maj`` is 1, ``C:min`` 2, ``C:dim7`` 9, ``C#:maj`` 10, ``G:7`` 1 + 63 + 4 = 68 and
``B:dim7`` 108. Labels are Harte syntax as mir_eval reads them. ``from_label`` parses them
itself, by mir_eval's grammar and pitch-class rules (mir_eval, and the scipy it imports, are
left to evaluation): enharmonic spellings (``Db:maj``), shorthands (``C`` is ``C:maj``),
interval lists (``G:(3,5,b7)``), a bass (``C:maj/5``), and any label whose pitch classes
relative to its root equal one of ours map to that index; ``N`` and ``X`` are no chord.
"""

from __future__ import annotations

import re
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
    return 1 + N_QUALITIES * (root % 12) + quality


def root_quality(idx: int) -> tuple[int, int]:
    """(root, quality) of a chord index; (-1, -1) for no chord."""
    if idx == NO_CHORD:
        return -1, -1
    return divmod(idx - 1, N_QUALITIES)


def to_label(idx: int) -> str:
    """Harte label of a vocabulary index."""
    return LABELS[idx]


# Harte (2005) as mir_eval's CHORD_RE reads it; qualities are mir_eval's shorthands, root first.
HARTE_QUALITIES = {
    "maj": (0, 4, 7), "min": (0, 3, 7), "aug": (0, 4, 8), "dim": (0, 3, 6), "sus4": (0, 5, 7),
    "sus2": (0, 2, 7), "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11), "min7": (0, 3, 7, 10),
    "minmaj7": (0, 3, 7, 11), "maj6": (0, 4, 7, 9), "min6": (0, 3, 7, 9), "dim7": (0, 3, 6, 9),
    "hdim7": (0, 3, 6, 10), "maj9": (0, 4, 7, 11), "min9": (0, 3, 7, 10), "9": (0, 4, 7, 10),
    "min11": (0, 3, 7, 10), "11": (0, 4, 7, 10), "maj13": (0, 4, 7, 11), "min13": (0, 3, 7, 10),
    "13": (0, 4, 7, 10), "1": (0,), "5": (0, 7),
}  # fmt: skip
# In the grammar but with no pitch classes in mir_eval: a label using one is refused as there.
_GRAMMAR_ONLY = ("aug7", "maj11")
_NATURALS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_DEGREES = {"1": 0, "2": 2, "3": 4, "4": 5, "5": 7, "6": 9, "7": 11, "8": 12, "9": 14, "10": 16}
_DEGREES |= {"11": 17, "12": 19, "13": 21}
_DEGREE = r"(?:b*|#*)(?:1[0-3]?|[2-9])"
_QUALITY = "|".join(sorted((*HARTE_QUALITIES, *_GRAMMAR_ONLY), key=len, reverse=True))
_LIST = rf"\(\*?{_DEGREE}(?:,\*?{_DEGREE})*\)"
_HARTE = re.compile(
    rf"(?P<root>[A-G](?:b*|#*))(?::(?:(?P<quality>{_QUALITY})(?P<ext>{_LIST})?|(?P<only>{_LIST})))?"
    rf"(?:/(?P<bass>{_DEGREE}))?"
)


def _semitones(degree: str) -> int:
    """Semitones above the root of a scale degree such as ``b7`` or ``#11`` (not wrapped)."""
    digits = degree.lstrip("b#")
    return _DEGREES[digits] + degree.count("#") - degree.count("b")


def _harte_pitch_classes(match: re.Match) -> tuple[int, tuple[int, ...]]:
    """(root pitch class, sorted pitch classes relative to it) of a parsed label, as mir_eval."""
    root = match["root"]
    root_pc = (_NATURALS[root[0]] + root.count("#") - root.count("b")) % 12
    extensions = match["ext"] or match["only"]
    quality = match["quality"] or ("" if extensions else "maj")
    if quality in _GRAMMAR_ONLY:
        raise ValueError(quality)
    bits = [0] * 12
    for i in (0, *HARTE_QUALITIES.get(quality, ())):
        bits[i] = 1
    for degree in set(extensions[1:-1].split(",")) if extensions else ():
        semitones = _semitones(degree.lstrip("*"))
        if semitones < 12:  # a ninth and above is not wrapped into the octave (mir_eval's default)
            bits[semitones % 12] += -1 if degree.startswith("*") else 1
    bits[_semitones(match["bass"] or "1") % 12] = 1  # the bass sounds, the root by default
    return root_pc, tuple(i for i in range(12) if bits[i] > 0)


@lru_cache(maxsize=4096)
def from_label(label: str) -> int:
    """Vocabulary index of a Harte label; raises ChordError if it is not in the vocabulary."""
    label = label.strip()
    if label in ("N", "X"):
        return NO_CHORD
    match = _HARTE.fullmatch(label)
    try:
        if match is None:
            raise ValueError(label)
        root, rel = _harte_pitch_classes(match)
    except ValueError:
        raise ChordError(f"not a Harte chord label: {label!r}") from None
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
