"""Corrupt and mutated MIDI files from a seed: what tests/test_fuzz_midi.py and scripts/fuzz_midi.py feed
to `accompanist harmonize`.

Each case starts from a good file (the test fixtures and midi_samples) and applies one mutation:
blind byte damage (truncation, bit flips, inserted or deleted bytes), header fields and chunk
lengths set to nonsense, or events spliced in at the start of a track (so they are read as
events): variable-length numbers over 4 bytes, long delta times, meta events with garbage
(key signatures mido cannot decode, tempos, meters), lying lengths, SysEx, running status with no
status, and floods past the event limit. The same seed gives the same cases.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
GOOD = [
    *(FIXTURES / n for n in ("type0.mid", "type1.mid", "tempo-change.mid", "time-signature-change.mid")),
    *(FIXTURES / n for n in ("overlapping-notes.mid", "tpb-96.mid", "tpb-960.mid", "polyphonic-melody.mid")),
    *sorted((ROOT / "midi_samples").glob("*.mid")),
]


@dataclass(frozen=True)
class Case:
    """One mutated file: its bytes, and a name saying what was done to which file."""

    name: str
    data: bytes


def tracks(data: bytes) -> list[tuple[int, int]]:
    """(offset of the chunk header, data length) of each MTrk chunk of a well-formed file."""
    found, pos = [], 8 + struct.unpack(">I", data[4:8])[0]
    while pos + 8 <= len(data):
        (size,) = struct.unpack(">I", data[pos + 4 : pos + 8])
        if data[pos : pos + 4] == b"MTrk":
            found.append((pos, size))
        pos += 8 + size
    return found


def splice(data: bytes, rng: random.Random, events: bytes) -> bytes:
    """``events`` put at the start of a random track, its length fixed to include them."""
    pos, size = rng.choice(tracks(data))
    return data[: pos + 4] + struct.pack(">I", size + len(events)) + events + data[pos + 8 :]


def vlq(value: int) -> bytes:
    """A MIDI variable-length number (any length: callers make illegal ones on purpose)."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def note(rng: random.Random) -> bytes:
    return bytes([0x90, rng.randrange(128), rng.randrange(1, 128)])


# ---- blind damage ---------------------------------------------------------------------------
def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data))]


def flip_bits(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 4, 8))):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def set_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        out[rng.randrange(len(out))] = rng.choice((0x00, 0x7F, 0x80, 0xFF, rng.randrange(256)))
    return bytes(out)


def insert_bytes(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + rng.randbytes(rng.randint(1, 16)) + data[at:]


def delete_bytes(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + data[at + rng.randint(1, 16) :]


# ---- header and chunk lengths ---------------------------------------------------------------
def header_field(data: bytes, rng: random.Random) -> bytes:
    """Format, track count or division (ticks per beat, SMPTE, zero) set to anything."""
    offset = rng.choice((8, 10, 12))
    value = rng.choice((0, 1, 2, 3, 0x7FFF, 0x8000, 0xE728, 0xFFFF, rng.randrange(65536)))
    return data[:offset] + struct.pack(">H", value) + data[offset + 2 :]


def chunk_length(data: bytes, rng: random.Random) -> bytes:
    """The header's or a track's length a lie: 0, short, long or huge."""
    pos = rng.choice([0] + [p for p, _ in tracks(data)])
    (size,) = struct.unpack(">I", data[pos + 4 : pos + 8])
    lie = rng.choice((0, max(size - rng.randint(1, 8), 0), size + rng.randint(1, 64), 0xFFFFFFFF, 2**31))
    return data[: pos + 4] + struct.pack(">I", lie) + data[pos + 8 :]


# ---- events spliced in ----------------------------------------------------------------------
def long_vlq(data: bytes, rng: random.Random) -> bytes:
    """A delta time (or meta/SysEx length) over 4 bytes: up to 300 continuation bytes."""
    long = b"\xff" * rng.randint(4, 300) + b"\x7f"
    kind = rng.choice(("delta", "meta", "sysex"))
    if kind == "delta":
        return splice(data, rng, long + note(rng))
    return splice(data, rng, b"\x00" + (b"\xff\x01" if kind == "meta" else b"\xf0") + long + b"x")


def long_delta(data: bytes, rng: random.Random) -> bytes:
    """A legal but long delta time (up to 0x0FFFFFFF ticks) before a note: a melody with a gap."""
    ticks = rng.choice((rng.randrange(1 << 14), rng.randrange(1 << 21), rng.randrange(1 << 28)))
    return splice(data, rng, vlq(ticks) + note(rng) + b"\x00" + note(rng)[:1] + b"\x40\x00")


def key_signature(data: bytes, rng: random.Random) -> bytes:
    """A key signature with any sharps/flats byte and mode byte, or a wrong length."""
    sf, mode = rng.randrange(256), rng.choice((0, 1, rng.randrange(256)))
    length = rng.choice((2, 2, 2, 0, 1, 3))
    return splice(data, rng, b"\x00\xff\x59" + bytes([length]) + bytes([sf, mode, 0])[:length])


def tempo(data: bytes, rng: random.Random) -> bytes:
    """A tempo of 0, the most, or with a wrong length."""
    value = rng.choice((b"\x00\x00\x00", b"\xff\xff\xff", b"\x00\x00\x01", rng.randbytes(3)))
    length = rng.choice((3, 3, 0, 1, 2, 4))
    return splice(data, rng, b"\x00\xff\x51" + bytes([length]) + (value + b"\x00")[:length])


def time_signature(data: bytes, rng: random.Random) -> bytes:
    """A meter with any numerator, denominator power and clocks, or a wrong length."""
    fields = bytes([rng.randrange(256), rng.randrange(256), rng.randrange(256), rng.randrange(256)])
    length = rng.choice((4, 4, 0, 2, 5))
    return splice(data, rng, b"\x00\xff\x58" + bytes([length]) + (fields + b"\x00")[:length])


def meta_event(data: bytes, rng: random.Random) -> bytes:
    """Any meta type, with garbage, and a length that may lie (past the end of the track)."""
    body = rng.randbytes(rng.randint(0, 12))
    length = rng.choice((len(body), len(body) + rng.randint(1, 200), 0x0FFFFFFF))
    return splice(data, rng, b"\x00\xff" + bytes([rng.randrange(256)]) + vlq(length) + body)


def sysex(data: bytes, rng: random.Random) -> bytes:
    body = rng.randbytes(rng.randint(0, 12))
    length = rng.choice((len(body), len(body) + rng.randint(1, 200), 0x0FFFFFF))
    return splice(data, rng, b"\x00" + rng.choice((b"\xf0", b"\xf7")) + vlq(length) + body)


def running_status(data: bytes, rng: random.Random) -> bytes:
    """Data bytes with no status before them, or a system/undefined status byte."""
    status = rng.choice((b"", bytes([rng.randrange(0xF1, 0xFF)]), bytes([rng.randrange(0x80, 0xF0)])))
    return splice(data, rng, b"\x00" + status + bytes([rng.randrange(128), rng.randrange(128)]))


def flood(data: bytes, rng: random.Random, events: int = 200_001) -> bytes:
    """More events than the limit, each a 4-byte note-on."""
    return splice(data, rng, b"\x00\x90\x3c\x40" * events)


def big_text(data: bytes, rng: random.Random) -> bytes:
    """Two meta texts of 900,000 bytes: more meta data than the limit."""
    return splice(data, rng, (b"\x00\xff\x01" + vlq(900_000) + b"a" * 900_000) * 2)


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    f.__name__: f
    for f in (truncate, flip_bits, set_bytes, insert_bytes, delete_bytes, header_field, chunk_length)
    + (long_vlq, long_delta, key_signature, tempo, time_signature, meta_event, sysex, running_status)
}
RARE = {"flood": flood, "big_text": big_text}  # big files: one case in RARE_EVERY
RARE_EVERY = 100


def cases(seed: int, n: int) -> Iterator[Case]:
    """``n`` mutated files, the same for the same seed."""
    rng = random.Random(seed)
    sources = [(p.name, p.read_bytes()) for p in GOOD]
    for i in range(n):
        name, data = rng.choice(sources)
        pool = RARE if i % RARE_EVERY == RARE_EVERY - 1 else MUTATIONS
        mutation = rng.choice(sorted(pool))
        yield Case(f"{i:04d}-{mutation}-{name}", pool[mutation](data, rng))
