"""Chord symbols as musicians write them (``C``, ``Am``, ``G7``, ``F#dim``, ``Bbmaj7``, ``G7/B``),
spelled for the key of the piece.

Symbols are for people: lead sheets, the REPL and live's terminal. Files keep Harte labels
(``accompanist.chords``); a ``.json`` chord file carries the symbol beside the label.

Qualities, in the vocabulary's order::

    maj ""   min "m"   dim "dim"   aug "aug"   7 "7"   maj7 "maj7"   min7 "m7"   hdim7 "m7b5"   dim7 "dim7"

No chord is ``N.C.``. A bass other than the root is written after a slash (``C/E``).

Spelling. Each note name has a place on the line of fifths (``Fb Cb Gb Db Ab Eb Bb F C G D A E B
F# C# G# D# A# E# B#``). A key whose tonic sits at place ``t`` spells every pitch class by the
one name in the twelve places ``t-5 .. t+6``: in C major ``Db Ab Eb Bb F C G D A E B F#``, in
A minor ``Bb F C G D A E B F# C# G# D#`` (so the leading tone is G#, and G#dim is never Abdim),
in Eb major ``Ab`` and ``Db``. ``Cb``, ``Fb``, ``E#``, ``B#`` and double sharps or flats are
kept only where the key's scale holds them (``B``, not ``Cb``, in Eb major; ``D``, not ``Ebb``,
in Db major). A diminished chord is named as the leading tone of the scale degree a semitone
above it (``C#dim7`` in C major, not ``Dbdim7``). A key is spelled as the signature with fewer
accidentals (a tie: F# major, Eb minor).

The key comes from the notes and chords themselves (``estimate_key``): the Krumhansl-Kessler key
profiles correlated with a pitch-class histogram of the melody (one count per sounding 16th)
and of the chords (two per chord tone per beat). It is the key of the whole piece, as a lead
sheet's key signature is; ``KeyTracker`` keeps the same estimate up to date during live play.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from accompanist import chords

SUFFIXES = ("", "m", "dim", "aug", "7", "maj7", "m7", "m7b5", "dim7")
NO_CHORD = "N.C."
CHORD_WEIGHT = 2.0  # histogram counts per chord tone per beat (a beat of melody is 4)
# Krumhansl & Kessler (1982) probe-tone profiles, tonic first.
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
_LETTERS = "FCGDAEB"  # the line of fifths, place 0 is C
_RARE = ("Cb", "Fb", "E#", "B#")
_LEADING = ("dim", "m7b5", "dim7")  # qualities that lead a semitone up
# Chord tones by semitones above the root -> steps along the line of fifths (a major third is
# four fifths up, a minor third three down, a diminished seventh nine down).
_INTERVAL_PLACES = {3: -3, 4: 4, 6: -6, 7: 1, 8: 8, 9: -9, 10: -2, 11: 5}


def _place_name(place: int) -> str:
    """The note name at ``place`` on the line of fifths (0 is C, 1 G, -1 F, 6 F#, -2 Bb)."""
    sharps = (place + 1) // 7
    return _LETTERS[(place + 1) % 7] + ("#" * sharps if sharps > 0 else "b" * -sharps)


def _place(pc: int, lowest: int) -> int:
    """The place of pitch class ``pc`` among the twelve from ``lowest`` up."""
    return lowest + ((pc - 7 * lowest) * 7) % 12  # 7 is its own inverse mod 12


@dataclass(frozen=True)
class Key:
    """A key: tonic pitch class (0-11) and mode."""

    tonic: int
    minor: bool = False

    @property
    def place(self) -> int:
        """The tonic's place on the line of fifths, for the signature with fewer accidentals."""
        home = 3 if self.minor else 0  # A minor and C major have none
        low = _place(self.tonic, home - 6)
        nearer = abs(low - home) < abs(low + 12 - home) or (self.minor and low == home - 6)
        return low if nearer else low + 12  # six either way: F# major, Eb minor

    @property
    def name(self) -> str:
        return f"{_place_name(self.place)} {'minor' if self.minor else 'major'}"

    def scale_places(self) -> range:
        """Places of the key's scale (natural minor) on the line of fifths."""
        return range(self.place - 4, self.place + 3) if self.minor else range(self.place - 1, self.place + 6)

    def spell(self, pc: int) -> str:
        """The name of pitch class ``pc`` in this key."""
        place = _place(pc % 12, self.place - 5)
        name = _place_name(place)
        if (name in _RARE or len(name) > 2) and place not in self.scale_places():
            name = _place_name(place - 12 if place > 0 else place + 12)
        return name


C_MAJOR = Key(0)


def symbol(chord: int, key: Key = C_MAJOR, bass: int | None = None) -> str:
    """The symbol of a vocabulary index in ``key``; ``bass`` (a MIDI pitch or pitch class) adds
    ``/BASS`` when it is not the root."""
    if chord == chords.NO_CHORD:
        return NO_CHORD
    root, quality = chords.root_quality(chord)
    text = _root_name(key, root, quality) + SUFFIXES[quality]
    if bass is not None and bass % 12 != root:
        text += "/" + _chord_tone(key, root, bass % 12)
    return text


def _root_name(key: Key, root: int, quality: int) -> str:
    """A diminished chord is named as the leading tone of the scale degree above it (C#dim7 before
    Dm in C major, not Dbdim7); any other root as the key names it."""
    if SUFFIXES[quality] in _LEADING:
        target = _place((root + 1) % 12, key.place - 5)
        name = _place_name(target + 5)
        if target in key.scale_places() and len(name) <= 2 and name not in _RARE:
            return name
    return key.spell(root)


def _chord_tone(key: Key, root: int, pc: int) -> str:
    """A chord tone named from its root by interval (B's third is D#, not Eb), else as the key names it."""
    interval = (pc - root) % 12
    if interval not in _INTERVAL_PLACES:
        return key.spell(pc)
    name = _place_name(_place(root, key.place - 5) + _INTERVAL_PLACES[interval])
    return key.spell(pc) if len(name) > 2 or name in _RARE else name


def histogram(pitches: np.ndarray, chord_indices: Sequence[int]) -> np.ndarray:
    """(12,) pitch-class weights: one per sounding melody step, CHORD_WEIGHT per chord tone per beat."""
    pitches = np.asarray(pitches)
    counts = np.bincount(pitches[pitches >= 0] % 12, minlength=12).astype(np.float64)
    indices = np.asarray(chord_indices, dtype=np.int64)
    return counts + CHORD_WEIGHT * chords.CHROMA[indices].sum(axis=0)


def key_of(counts: np.ndarray) -> Key:
    """The key whose profile correlates best with a pitch-class histogram (C major if it is empty)."""
    counts = np.asarray(counts, dtype=np.float64)
    if counts.sum() <= 0 or np.ptp(counts) == 0:
        return C_MAJOR
    best, found = -2.0, C_MAJOR
    for minor, profile in ((False, MAJOR_PROFILE), (True, MINOR_PROFILE)):
        for tonic in range(12):
            r = float(np.corrcoef(counts, np.roll(profile, tonic))[0, 1])
            if r > best:
                best, found = r, Key(tonic, minor)
    return found


def estimate_key(pitches: np.ndarray, chord_indices: Sequence[int]) -> Key:
    """The key of a melody (MIDI pitch per 16th step, -1 for rests) under its chords."""
    return key_of(histogram(pitches, chord_indices))


def symbols(chord_indices: Sequence[int], key: Key, basses: Sequence[int | None] | None = None) -> list[str]:
    """The symbol of each chord in ``key``, with its bass (None: the root) where given."""
    basses = basses if basses is not None else [None] * len(chord_indices)
    return [symbol(int(c), key, b) for c, b in zip(chord_indices, basses, strict=True)]


class KeyTracker:
    """The key of what has been played so far, for symbols during live play."""

    def __init__(self) -> None:
        self.counts = np.zeros(12)
        self.key = C_MAJOR

    def add(self, chord: int, melody_pitch: int = -1, beats: float = 1.0) -> Key:
        """Count a chord sounding ``beats`` under a melody note, and estimate the key again."""
        if melody_pitch >= 0:
            self.counts[melody_pitch % 12] += 4 * beats
        self.counts += CHORD_WEIGHT * beats * chords.CHROMA[chord]
        self.key = key_of(self.counts)
        return self.key
