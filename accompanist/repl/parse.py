"""Melodies typed as note names with durations, and meters such as ``3/4``, for the REPL.

Grammar, one token per note or rest, separated by spaces::

    NOTE[OCTAVE][/BEATS]     E4  F#4/2  Bb3/0.5  G/1.5  C5:3
    r[/BEATS]                a rest: r  r/2

- NOTE is a letter A-G, then ``#`` (sharp) or ``b`` (flat), at most two of them.
- OCTAVE is scientific pitch notation: C4 is middle C (MIDI 60), A4 is 440 Hz. Left out, the
  note takes the octave of the note before it (octave 4 for the first).
- BEATS is how long the note lasts, in beats (quarter notes): ``/2`` a half note, ``/0.5`` or
  ``/1/2`` an eighth, ``/1.5`` a dotted quarter, ``/4`` a whole note in 4/4. ``:`` may stand for
  ``/`` (``G4:2``). Left out, a note lasts one beat.
- ``|`` bar lines may be written for readability; they are ignored.
"""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np

from accompanist.errors import AccompanistError
from accompanist.melody import REST, STEPS_PER_BEAT, Melody

Note = tuple[float, float, int]  # onset in beats, duration in beats, MIDI pitch (-1: a rest)

LETTERS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
ACCIDENTALS = {"#": 1, "b": -1}
NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
DEFAULT_OCTAVE = 4
MAX_BEATS = 64.0  # one note at most this long
TOKEN = re.compile(
    r"^(?:(?P<rest>[rR])|(?P<letter>[A-Ga-g])(?P<acc>#{1,2}|b{1,2})?(?P<octave>-?\d+)?)"
    r"(?:[/:](?P<beats>\d+(?:\.\d+)?(?:/\d+)?))?$"
)


class MelodyParseError(AccompanistError):
    """A typed melody or meter does not follow the grammar in ``accompanist.repl.parse``."""


def parse_beats(text: str) -> float:
    """``2`` -> 2.0, ``0.5`` and ``1/2`` -> 0.5; positive and at most MAX_BEATS."""
    try:
        value = float(Fraction(text))
    except (ValueError, ZeroDivisionError):
        raise MelodyParseError(f"{text!r} is not a number of beats") from None
    if not 0 < value <= MAX_BEATS:
        raise MelodyParseError(f"a note lasts more than 0 and at most {MAX_BEATS:g} beats, not {text}")
    return value


def parse_notes(tokens: list[str]) -> list[Note]:
    """Tokens (``E4``, ``G4/2``, ``r``, ``|``) -> (onset, duration, pitch) with rests as pitch -1."""
    notes: list[Note] = []
    onset, octave = 0.0, DEFAULT_OCTAVE
    for token in tokens:
        if token == "|":
            continue
        match = TOKEN.match(token)
        if match is None:
            raise MelodyParseError(
                f"{token!r} is not a note: write a name, octave and beats, e.g. E4, F#4/2, Bb3/0.5, r/2"
            )
        beats = parse_beats(match["beats"]) if match["beats"] else 1.0
        pitch = -1
        if not match["rest"]:
            octave = int(match["octave"]) if match["octave"] else octave
            pitch = _pitch(match["letter"].upper(), match["acc"] or "", octave, token)
        notes.append((onset, beats, pitch))
        onset += beats
    if not any(p >= 0 for _, _, p in notes):
        raise MelodyParseError("a melody needs at least one note, e.g. `melody E4 E4 F4 G4/2`")
    return notes


def to_melody(notes: list[Note], beats_per_bar: int) -> Melody:
    """The notes on the 16th grid; rests at the end still take their beats."""
    grid = Melody.from_notes([n for n in notes if n[2] >= 0], beats_per_bar)
    end = max(on + dur for on, dur, _ in notes)
    pad = max(0, int(np.ceil(end - 1e-6)) - grid.n_beats) * STEPS_PER_BEAT
    pitch = np.concatenate([grid.pitch, np.full(pad, REST, dtype=np.int16)])
    onset = np.concatenate([grid.onset, np.zeros(pad, dtype=bool)])
    bar_pos = (np.arange(len(pitch) // STEPS_PER_BEAT) % beats_per_bar).astype(np.int8)
    return Melody(pitch, onset, bar_pos)


def _pitch(letter: str, accidentals: str, octave: int, token: str) -> int:
    pitch = 12 * (octave + 1) + LETTERS[letter] + sum(ACCIDENTALS[a] for a in accidentals)
    if not 0 <= pitch <= 127:
        raise MelodyParseError(f"{token} is outside the MIDI range (C-1 to G9)")
    return pitch


def parse_meter(text: str) -> tuple[int, int]:
    """``3/4`` -> (3, 4); the bar must hold a whole number of beats (quarter notes): 6/8 yes, 5/8 no."""
    match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if match is None:
        raise MelodyParseError(f"a time signature looks like 3/4 or 6/8, not {text!r}")
    numerator, denominator = int(match[1]), int(match[2])
    if not 1 <= numerator <= 32 or denominator not in (1, 2, 4, 8, 16):
        raise MelodyParseError(f"{text} is not a time signature this REPL knows")
    if (numerator * 4) % denominator:
        raise MelodyParseError(f"a bar of {text} is not a whole number of beats (quarter notes)")
    return numerator, denominator


def beats_per_bar(meter: tuple[int, int]) -> int:
    """Quarter-note beats in a bar of ``meter``."""
    return meter[0] * 4 // meter[1]


def note_name(pitch: int) -> str:
    """MIDI pitch -> ``E4``, ``F#3``; ``-`` for a rest."""
    return "-" if pitch < 0 else f"{NAMES[pitch % 12]}{pitch // 12 - 1}"
