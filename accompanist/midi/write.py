"""Writing MIDI: the input's tracks plus a harmony track, and absolute-tick events as a track.

Writing copies the input's tracks message by message (same ticks; a type 0 file becomes type 1
with its one track first) and adds one harmony track on a channel the input does not use.
``events_to_track`` turns (absolute tick, message) events into a track's delta times; the
harmony track, the REPL's typed melody and ``--record`` are all built with it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import mido

from accompanist.errors import MidiFileError
from accompanist.files import write_atomic
from accompanist.midi.read import DRUM_CHANNEL, Score

HARMONY_PROGRAM = 48  # General MIDI String Ensemble 1: held chords sustain under any melody
HARMONY_VELOCITY = 64
HARMONY_TRACK_NAME = "Accompanist harmony"


def used_channels(score: Score) -> set[int]:
    """Channels (0-15) that any channel message of the input uses."""
    return {m.channel for t in score.midi.tracks for m in t if not m.is_meta and hasattr(m, "channel")}


def free_channel(score: Score) -> int:
    """The first channel the input does not use, the drum channel left out."""
    used = used_channels(score) | {DRUM_CHANNEL}
    free = [c for c in range(16) if c not in used]
    if not free:
        raise MidiFileError(f"{score.path}: every MIDI channel is in use; no channel is left for the harmony")
    return free[0]


def write_midi(
    path: str | Path,
    score: Score,
    harmony: Sequence[tuple[float, float, Sequence[int]]],
    channel: int | None = None,
    program: int = HARMONY_PROGRAM,
    overwrite: bool = False,
    mkdir: bool = False,
) -> None:
    """Write the input's tracks unchanged plus a harmony track, atomically (``harmonized_midi``).

    An existing ``path`` is replaced only with ``overwrite``; a missing folder is made only with
    ``mkdir`` (``accompanist.files``).
    """
    write_atomic(path, harmonized_midi(score, harmony, channel, program), overwrite, mkdir)


def harmonized_midi(
    score: Score,
    harmony: Sequence[tuple[float, float, Sequence[int]]],
    channel: int | None = None,
    program: int = HARMONY_PROGRAM,
) -> bytes:
    """The bytes of a MIDI file: the input's tracks unchanged plus a harmony track.

    ``harmony`` holds (start_beat, end_beat, pitches) chords; ``channel`` defaults to the
    first channel the input does not use.
    """
    channel = free_channel(score) if channel is None else channel
    out = mido.MidiFile(type=1, ticks_per_beat=score.ticks_per_beat, charset=score.midi.charset)
    out.tracks.extend(score.midi.tracks)
    out.tracks.append(harmony_track(harmony, score.ticks_per_beat, channel, program))
    buffer = io.BytesIO()
    try:
        out.save(file=buffer)
    except ValueError as exc:  # e.g. a realtime message that mido read but will not write
        raise MidiFileError(f"{score.path}: cannot copy this file's messages: {exc}") from None
    return buffer.getvalue()


def harmony_track(
    harmony: Sequence[tuple[float, float, Sequence[int]]], ticks_per_beat: int, channel: int, program: int
) -> mido.MidiTrack:
    """A track of held chords; at a shared tick note-offs come before note-ons."""
    events: list[tuple[int, mido.Message]] = []
    for start, end, pitches in harmony:
        a, b = round(start * ticks_per_beat), round(end * ticks_per_beat)
        for p in sorted(set(pitches)):
            events.append((a, mido.Message("note_on", channel=channel, note=p, velocity=HARMONY_VELOCITY)))
            events.append((b, mido.Message("note_off", channel=channel, note=p, velocity=0)))
    head = [
        mido.MetaMessage("track_name", name=HARMONY_TRACK_NAME),
        mido.Message("program_change", channel=channel, program=program),
    ]
    return events_to_track(events, head, offs_first=True)


def events_to_track(
    events: Iterable[tuple[int, mido.Message]], head: Iterable[mido.Message] = (), offs_first: bool = False
) -> mido.MidiTrack:
    """A track of ``head`` (at tick 0) then ``events``, (absolute tick, message) pairs, in order of tick.

    Each message is copied with its delta time from the one before. At a shared tick events keep
    the order given, except that with ``offs_first`` the ones that end a note (note-off, or
    note-on with velocity 0) come first, so a chord or a note struck again sounds in full.
    """

    def order(event: tuple[int, mido.Message]) -> tuple[int, bool]:
        tick, msg = event
        return tick, offs_first and not _ends_note(msg)

    track = mido.MidiTrack(head)
    last = 0
    for tick, msg in sorted(events, key=order):
        track.append(msg.copy(time=tick - last))
        last = tick
    return track


def _ends_note(msg: mido.Message) -> bool:
    return msg.type == "note_off" or (msg.type == "note_on" and msg.velocity == 0)
