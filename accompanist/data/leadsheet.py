"""Lead sheets: a melody with chord symbols (ABC or MusicXML, read by music21) as a Piece.

The melody goes on the 16th grid of ``accompanist.melody``. A pickup is padded with rests to
a whole beat, so that every bar of a metre of whole quarter beats starts on a beat; tunes in
a metre that is not (9/8, 3/8, 5/8) are skipped with the reason ``"metre"``. Each beat gets
the chord symbol sounding longest in it (a symbol lasts until the next one; beats before the
first symbol are ``N``).

Chord symbols map to the nearest chord of the vocabulary (``accompanist.chords``) by their
text, the way a musician reads them: the bass of an inversion is dropped (``G/b`` is G
major), a sixth or added note is left out (``C6`` is C major, ``Dm6`` D minor), extensions
of a seventh keep the seventh (``E7b9`` is E7), ``sus`` chords are major, an optional chord
``(E7)`` counts as a chord. Nottingham's own spellings are read too: ``Cd`` diminished, ``Ca``
augmented, lower-case bass notes with ``+``/``-`` for sharp and flat (``D/f+``). music21 does
not read those spellings, so ``music21_abc`` rewrites each quoted symbol of an ABC text into
one it reads before parsing. ``symbol_index`` returns None for a symbol it cannot map; the
caller counts those.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from accompanist import chords
from accompanist.data.chorales import _grid as note_grid
from accompanist.data.chorales import _notes as chorale_notes
from accompanist.melody import STEPS_PER_BEAT, Melody

ROOT_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
# quality text after the root -> vocabulary quality; the longest match wins
QUALITY_TEXT = {
    "": "maj", "maj": "maj", "M": "maj", "6": "maj", "add9": "maj", "sus": "maj", "sus4": "maj",
    "sus2": "maj", "5": "maj", "9": "7", "7": "7", "7b9": "7", "7#9": "7", "13": "7", "7sus4": "7",
    "m": "min", "min": "min", "m6": "min", "m9": "min7", "m7": "min7", "min7": "min7",
    "d": "dim", "dim": "dim", "o": "dim", "d7": "dim7", "dim7": "dim7", "o7": "dim7",
    "m7b5": "hdim7", "ø": "hdim7", "a": "aug", "aug": "aug", "+": "aug",
    "maj7": "maj7", "M7": "maj7", "maj9": "maj7",
}  # fmt: skip
SYMBOL = re.compile(r"^\(?\s*([A-G])([#b-]?)([^/()\s]*)\s*(?:/\s*([A-Ga-g])([#b+-]?))?\s*\)?$")
QUOTED = re.compile(r'"([^"]*)"')
TIE = 1e-6


def parse_symbol(text: str) -> tuple[int, str, int | None] | None:
    """(root pitch class, vocabulary quality, bass pitch class or None) of a chord symbol."""
    m = SYMBOL.match(text.strip())
    if m is None or m.group(3) not in QUALITY_TEXT:
        return None
    root = (ROOT_PC[m.group(1)] + {"#": 1, "b": -1, "-": -1}.get(m.group(2), 0)) % 12
    bass = None
    if m.group(4):
        bass = (ROOT_PC[m.group(4).upper()] + {"#": 1, "+": 1, "b": -1, "-": -1}.get(m.group(5), 0)) % 12
    return root, QUALITY_TEXT[m.group(3)], bass


def symbol_index(text: str) -> int | None:
    """The vocabulary index of a chord symbol, or None if it names no chord we can map."""
    parsed = parse_symbol(text)
    if parsed is None:
        return None
    root, quality, _ = parsed
    return chords.index(root, chords.QUALITIES.index(quality))


def music21_figure(text: str) -> str | None:
    """A spelling of the symbol that music21's ChordSymbol reads (root, quality, bass)."""
    parsed = parse_symbol(text)
    if parsed is None:
        return None
    root, quality, bass = parsed
    names = ("C", "C#", "D", "E-", "E", "F", "F#", "G", "A-", "A", "B-", "B")
    kind = {"maj": "", "min": "m", "dim": "dim", "aug": "+", "7": "7", "maj7": "maj7", "min7": "m7"}
    kind |= {"hdim7": "m7b5", "dim7": "dim7"}
    figure = names[root].replace("-", "b") + kind[quality]
    return figure if bass is None else f"{figure}/{names[bass].replace('-', 'b')}"


def music21_abc(text: str) -> str:
    """The ABC text with every quoted chord symbol respelled for music21 (others left as they are)."""

    def respell(m: re.Match) -> str:
        figure = music21_figure(m.group(1))
        return f'"{figure}"' if figure else m.group(0)

    return "\n".join(
        line if re.match(r"^[A-Za-z]:", line) else QUOTED.sub(respell, line) for line in text.splitlines()
    )


@dataclass
class ReadReport:
    """What reading a collection skipped or could not map, by reason, for one line of output."""

    skipped: Counter = field(default_factory=Counter)
    unmapped: Counter = field(default_factory=Counter)
    symbols: int = 0

    def merge(self, other: ReadReport) -> None:
        self.skipped.update(other.skipped)
        self.unmapped.update(other.unmapped)
        self.symbols += other.symbols

    def summary(self) -> str:
        skipped = ", ".join(f"{n} {why}" for why, n in self.skipped.most_common()) or "none"
        unmapped = sum(self.unmapped.values())
        return f"skipped tunes: {skipped}; chord symbols not mapped: {unmapped} of {self.symbols}"


@dataclass
class LeadSheet:
    """One tune as plain arrays (cheap to pickle from a worker process and to cache)."""

    id: str
    title: str
    pitch: np.ndarray  # (n_beats * 4,) int16
    onset: np.ndarray  # (n_beats * 4,) bool
    bar_pos: np.ndarray  # (n_beats,) int8
    chords: np.ndarray  # (n_beats,) int16

    def melody(self) -> Melody:
        return Melody(self.pitch, self.onset, self.bar_pos)


def read_score(score, piece_id: str, title: str, report: ReadReport) -> LeadSheet | None:
    """A music21 score (or part) with ChordSymbols as a LeadSheet; None (reason counted) if unusable."""
    from music21 import harmony

    part = score.parts[0] if getattr(score, "parts", None) else score
    flat = part.flatten()
    notes = _melody_notes(part, harmony.ChordSymbol)
    if len(notes) < 4:
        report.skipped["no melody"] += 1
        return None
    measures = _measures(part, flat, max(on + dur for on, dur, _ in notes))
    if any(length is not None and abs(length % 1.0) > 1e-6 for _, _, length in measures):
        report.skipped["metre"] += 1  # bars that are not whole quarter beats (9/8, 3/8, 5/8)
        return None
    symbols = []
    for cs in flat.getElementsByClass(harmony.ChordSymbol):
        report.symbols += 1
        idx = symbol_index(cs.figure)
        if idx is None:
            report.unmapped[cs.figure] += 1
        else:
            symbols.append((float(cs.offset), idx))
    if not symbols:
        report.skipped["no chords"] += 1
        return None
    shift = _pickup_shift(measures)
    end = max(on + dur for on, dur, _ in notes) + shift
    n_beats = int(np.ceil(end - 1e-6))
    pitch, onset = note_grid([(on + shift, dur, p) for on, dur, p in notes], n_beats * STEPS_PER_BEAT)
    labels = beat_chords([(on + shift, idx) for on, idx in symbols], n_beats)
    bar_pos = _bar_positions([(off + shift, pad) for off, pad, _ in measures], n_beats)
    return LeadSheet(piece_id, title, pitch, onset, bar_pos, labels)


def beat_chords(symbols: list[tuple[float, int]], n_beats: int) -> np.ndarray:
    """The chord sounding longest in each beat; a symbol lasts until the next, N before the first."""
    starts = [on for on, _ in symbols] + [float(n_beats)]
    cover = np.zeros((n_beats, chords.VOCAB_SIZE))
    for (on, idx), end in zip(symbols, starts[1:]):
        for beat in range(max(0, int(np.floor(on))), min(n_beats, int(np.ceil(end)))):
            overlap = max(0.0, min(end, beat + 1) - max(on, beat))
            cover[beat, idx] += overlap + (TIE if on <= beat else 0.0)  # a tie goes to the earlier chord
    cover[:, chords.NO_CHORD] = 1.0 - cover.sum(1) - TIE  # and a chord beats no chord at half a beat
    return cover.argmax(1).astype(np.int16)


def _measures(part, flat, end: float) -> list[tuple[float, float, float | None]]:
    """(offset, pickup padding, bar length in quarters where a metre starts) of every bar.

    music21 makes no measures of a very short tune; its bars then come from its first metre.
    """
    found = part.getElementsByClass("Measure")
    if found:
        bars = []
        for m in found:
            ts = m.timeSignature
            bars.append(
                (float(m.offset), float(m.paddingLeft or 0.0), ts.barDuration.quarterLength if ts else None)
            )
        return bars
    metres = flat.getElementsByClass("TimeSignature")
    length = float(metres[0].barDuration.quarterLength) if metres else 4.0
    return [(k * length, 0.0, length if k == 0 else None) for k in range(max(1, int(np.ceil(end / length))))]


def _pickup_shift(measures: list) -> float:
    """Rests to put before a pickup so that the first full bar starts on a beat."""
    if not measures:
        return 0.0
    _, padding, _ = measures[0]
    return float(np.ceil(padding - 1e-6) - padding) if padding else 0.0


def _melody_notes(part, chord_symbol_class) -> list[tuple[float, float, int]]:
    """(onset, duration, midi) of the tune's notes, as the chorales' (ties merged, the top note of
    any chord), leaving out chord symbols (music21 chords of no duration) and grace notes."""

    def sounding(n) -> bool:
        return not isinstance(n, chord_symbol_class) and float(n.quarterLength) > 0

    return chorale_notes(part, keep=sounding)


def _bar_positions(starts: list[tuple[float, float]], n_beats: int) -> np.ndarray:
    """Each beat's place in its bar (0 = downbeat) from (bar offset, pickup padding) pairs."""
    pos = np.zeros(n_beats, dtype=np.int8)
    k = 0
    for beat in range(n_beats):
        while k + 1 < len(starts) and starts[k + 1][0] <= beat + 1e-6:
            k += 1
        offset, padding = starts[k] if starts else (0.0, 0.0)
        pos[beat] = max(0, int(np.floor(beat - offset + padding + 1e-6)))
    return pos


def split_abc(text: str) -> list[tuple[str, str, str]]:
    """(X number, title, text) of each tune of an ABC file, in file order."""
    out = []
    for tune in re.split(r"(?m)^(?=X:)", text):
        if not tune.startswith("X:"):
            continue
        number = tune.split("\n", 1)[0][2:].strip()
        title = re.search(r"(?m)^T:\s*(.*)$", tune)
        out.append((number, title.group(1).strip() if title else "", tune))
    return out


def read_abc_tune(text: str, piece_id: str, title: str) -> tuple[LeadSheet | None, ReadReport]:
    """Parse one ABC tune (runs in a worker process); a tune music21 cannot read is counted."""
    from music21 import converter

    report = ReadReport()
    try:
        score = converter.parse(music21_abc(text), format="abc")
    except Exception:  # music21 raises many kinds of errors on odd ABC; such a tune is counted
        report.skipped["unreadable"] += 1
        return None, report
    try:
        return read_score(score, piece_id, title, report), report
    except Exception:  # a tune music21 read into a shape we cannot use (no measures, odd offsets)
        report.skipped["unreadable"] += 1
        return None, report
