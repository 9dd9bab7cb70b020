"""The harmony track of a melody: its chord indices voiced one voicing a beat, joined into held chords.

``beat_voicings`` voices a melody's chord indices, one voicing a beat (either way, by ``causal``:
``Voicer`` as live play does, or ``voice_sequence`` over the whole melody); ``held_chords`` joins
the beats voiced alike into held chords and ``harmony`` does both: the harmony track of
``accompanist harmonize`` and of the REPL. ``melody_tops`` is the melody pitch each beat's voicing
stays under, ``basses`` the bass of each voicing, for a slash chord.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from accompanist.voicing import Voicer, style_spec, voice_sequence

if TYPE_CHECKING:
    from accompanist.melody import Melody

Held = tuple[int, int, tuple[int, ...]]  # start beat, end beat, pitches


def harmony(indices: Sequence[int], melody: Melody, style: str, causal: bool) -> list[Held]:
    """(start_beat, end_beat, pitches) of each held chord (``beat_voicings`` joined)."""
    return held_chords(beat_voicings(indices, melody, style, causal))


def beat_voicings(indices: Sequence[int], melody: Melody, style: str, causal: bool) -> list[tuple[int, ...]]:
    """The pitches of each beat's chord (vocabulary indices, one per beat); a beat's voicing stays
    under its melody.

    Offline the whole sequence is voiced at once; ``causal`` voices beat by beat as live play does.
    """
    indices = [int(i) for i in indices]
    tops = melody_tops(melody)
    if causal:
        voicer = Voicer(style)
        return [voicer.voice(c, p) for c, p in zip(indices, tops, strict=True)]
    return voice_sequence(indices, tops, style)


def held_chords(voicings: list[tuple[int, ...]]) -> list[Held]:
    """(start_beat, end_beat, pitches) of each run of beats voiced alike (silent beats left out)."""
    held: list[Held] = []
    for beat, pitches in enumerate(voicings):
        if held and held[-1][1] == beat and held[-1][2] == pitches:
            held[-1] = (held[-1][0], beat + 1, pitches)
        elif pitches:
            held.append((beat, beat + 1, pitches))
    return held


def melody_tops(melody: Melody) -> list[int | None]:
    """The highest melody pitch sounding in each beat, None where the beat is silent."""
    beats = melody.pitch.reshape(melody.n_beats, -1)
    return [int(b.max()) if b.max() >= 0 else None for b in beats]


def basses(voicings: Sequence[tuple[int, ...]], style: str) -> list[int | None]:
    """The bass of each voicing, for a slash chord; None for a silent beat, and for every beat of a
    style with no bass voice (``block``: four notes in one hand, its lowest note no bass line)."""
    has_bass = any(style_spec(style).bass_cost)
    return [v[0] if v and has_bass else None for v in voicings]
