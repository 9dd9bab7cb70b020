"""The byte walk that bounds a MIDI file's cost counts what mido will read, and stops at the limits."""

import io
import random

import mido
import pytest
from midi_mutations import GOOD, splice, vlq

from accompanist.midi_limits import excess

BIG = 10**9


def mido_events(data: bytes) -> int:
    """How many messages mido reads from a file."""
    return sum(len(track) for track in mido.MidiFile(file=io.BytesIO(data), clip=True).tracks)


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_the_walk_counts_every_message_mido_reads(path):
    data = path.read_bytes()
    events = mido_events(data)
    assert excess(data, events, BIG) is None
    assert excess(data, events - 1, BIG) == f"more than {events - 1} events, the limit for a MIDI file"


def test_running_status_is_followed_as_mido_does():
    data = GOOD[0].read_bytes()
    events = mido_events(data)
    # a note-on, then two more by running status (data bytes only)
    spliced = splice(data, random.Random(0), b"\x00\x90\x3c\x40\x00\x3e\x40\x00\x40\x40")
    assert mido_events(spliced) == events + 3
    assert excess(spliced, events + 3, BIG) is None and excess(spliced, events + 2, BIG) is not None


def test_meta_and_sysex_data_are_counted_against_their_limit():
    text = b"\x00\xff\x01" + vlq(1000) + b"a" * 1000
    sysex = b"\x00\xf0" + vlq(500) + b"\x01" * 500
    data = splice(GOOD[0].read_bytes(), random.Random(0), text + sysex)
    assert excess(data, BIG, 10**6) is None
    assert excess(data, BIG, 1400) == "more than 1400 bytes of meta and SysEx data, the limit for a MIDI file"


@pytest.mark.parametrize(
    "events, what",
    [
        (b"\xff\xff\xff\xff\x7f\x90\x3c\x40", "a delta time"),
        (b"\x00\xff\x01\x80\x80\x80\x80\x01x", "a meta event length"),
        (b"\x00\xf0\xff\xff\xff\xff\x7f", "a SysEx length"),
    ],
)
def test_a_variable_length_number_over_4_bytes_is_refused(events, what):
    data = splice(GOOD[0].read_bytes(), random.Random(0), events)
    assert excess(data, BIG, BIG) == f"{what} longer than 4 bytes (corrupt MIDI file)"


@pytest.mark.parametrize("data", [b"", b"MThd", b"MThd\x00\x00\x00\x06\x00\x01\x00\x05\x01\xe0MTrk\xff\xff"])
def test_what_it_cannot_walk_is_left_to_mido(data):
    assert excess(data, BIG, BIG) is None
