"""A MIDI file's cost bounded on its bytes, before mido builds a single message.

mido parses a whole file into message objects at about 5 microseconds and a few hundred bytes
each, and reads a variable-length number of any length (a run of 0xFF bytes becomes one huge
integer, in quadratic time). So ``excess`` walks the bytes exactly as mido's reader will (the
same chunk order, running status and message lengths) but only counts: events, and bytes of
meta and SysEx data. It stops at the first limit passed, so a hostile file costs at most that
many steps. Variable-length numbers longer than 4 bytes, which the MIDI standard forbids, are
refused: as delta times they make tick counts no float can hold. Anything else odd is left to
mido, whose errors the caller turns into one line.
"""

from __future__ import annotations

from mido.messages.specs import SPEC_BY_STATUS

MAX_VLQ_BYTES = 4
META, SYSEX = 0xFF, (0xF0, 0xF7)


class _Done(Exception):
    """The walk cannot go on: the rest is mido's to judge (truncation, a bad status byte)."""


class _Excess(Exception):
    """A limit is passed; the message says which."""


def excess(data: bytes, max_events: int, max_data_bytes: int) -> str | None:
    """Why reading ``data`` would cost too much (one phrase), or None if it may be parsed."""
    if len(data) < 14 or data[:4] != b"MThd":
        return None
    pos = 8 + int.from_bytes(data[4:8], "big")
    n_tracks = int.from_bytes(data[10:12], "big", signed=True)
    counts = [0, 0]  # events, meta and SysEx data bytes
    try:
        for _ in range(n_tracks):
            if data[pos : pos + 4] != b"MTrk" or pos + 8 > len(data):
                return None
            size = int.from_bytes(data[pos + 4 : pos + 8], "big")
            pos = _walk_track(data, pos + 8, size, counts, max_events, max_data_bytes)
    except _Done:
        return None
    except _Excess as exc:
        return str(exc)
    return None


def _walk_track(
    data: bytes, start: int, size: int, counts: list[int], max_events: int, max_bytes: int
) -> int:
    """The position after one track, as mido's ``read_track`` reads it.

    That is past ``size`` if a message crosses the chunk's end: mido then reads on to the end
    of the file. ``counts`` (events, data bytes) goes on from track to track.
    """
    pos, last = start, None
    while pos - start != size:
        _, pos = _vlq(data, pos, "delta time")
        status = _byte(data, pos)
        pos += 1
        peek = 0
        if status < 0x80:
            if last is None:
                raise _Done
            status, peek = last, 1
        elif status != META:
            last = status
        if status == META:
            length, pos = _vlq(data, pos + 1, "meta event length")
        elif status in SYSEX:
            length, pos = _vlq(data, pos, "SysEx length")
        elif status in SPEC_BY_STATUS and SPEC_BY_STATUS[status]["length"] > peek:
            length = 0
            pos += SPEC_BY_STATUS[status]["length"] - 1 - peek
        else:
            raise _Done
        pos += length
        if pos > len(data):
            raise _Done
        counts[0] += 1
        counts[1] += length
        if counts[0] > max_events:
            raise _Excess(f"more than {max_events} events, the limit for a MIDI file")
        if counts[1] > max_bytes:
            raise _Excess(f"more than {max_bytes} bytes of meta and SysEx data, the limit for a MIDI file")
    return pos


def _byte(data: bytes, pos: int) -> int:
    if pos >= len(data):
        raise _Done
    return data[pos]


def _vlq(data: bytes, pos: int, what: str) -> tuple[int, int]:
    """A variable-length number and the position after it; _Excess if it is over 4 bytes."""
    value = 0
    for i in range(MAX_VLQ_BYTES):
        byte = _byte(data, pos + i)
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos + i + 1
    raise _Excess(f"a {what} longer than {MAX_VLQ_BYTES} bytes (corrupt MIDI file)")
