"""SoundingNotes: one note-off per note-on, the pedal, panic."""

import mido
import pytest
from stubs import all_notes_off, unmatched

from accompanist.errors import PortError
from accompanist.live.notes import SoundingNotes


class FakeOutput:
    def __init__(self):
        self.sent = []

    def send(self, msg):
        self.sent.append(msg)


class DeadOutput:
    def __init__(self):
        self.tries = 0

    def send(self, msg):
        self.tries += 1
        raise PortError("gone")


def test_change_strikes_new_notes_first_then_releases_old_ones():
    out = FakeOutput()
    notes = SoundingNotes(out)
    notes.change(1, (), (48, 52, 55), 90)
    out.sent.clear()
    notes.change(1, (48, 52, 55), (48, 53, 57), 80)
    assert [(m.type, m.note) for m in out.sent] == [
        ("note_on", 53),
        ("note_on", 57),
        ("note_off", 52),
        ("note_off", 55),
    ]
    assert notes.sounding == {(1, 48), (1, 53), (1, 57)}


def test_striking_a_sounding_note_releases_it_first():
    out = FakeOutput()
    notes = SoundingNotes(out)
    notes.note_on(0, 60, 100)
    notes.note_on(0, 60, 90)
    assert [m.type for m in out.sent] == ["note_on", "note_off", "note_on"]
    unmatched(out.sent)


def test_note_off_of_a_silent_note_sends_nothing():
    out = FakeOutput()
    SoundingNotes(out).note_off(0, 60)
    assert out.sent == []


def test_pedal_holds_chord_notes_until_it_comes_up():
    out = FakeOutput()
    notes = SoundingNotes(out)
    notes.change(1, (), (48, 52), 90)
    notes.pedal(True)
    notes.change(1, (48, 52), (50, 53), 90)
    assert unmatched(out.sent) == {(1, 48), (1, 52), (1, 50), (1, 53)}
    notes.pedal(False)
    assert unmatched(out.sent) == {(1, 50), (1, 53)}


def test_panic_releases_everything_and_sends_all_notes_off_on_each_channel_used():
    out = FakeOutput()
    notes = SoundingNotes(out)
    notes.note_on(0, 72, 100)
    notes.change(1, (), (48, 52, 55), 90)
    notes.pedal(True)
    notes.change(1, (48, 52, 55), (), 90)
    notes.forward(mido.Message("control_change", channel=0, control=64, value=127))
    notes.panic()
    assert unmatched(out.sent) == set()
    assert all_notes_off(out.sent) == {0, 1}
    sustain_up = [m for m in out.sent if m.type == "control_change" and m.control == 64 and m.value == 0]
    assert [m.channel for m in sustain_up] == [0]
    assert notes.sounding == frozenset()


def test_panic_tries_every_message_when_the_port_is_gone():
    dead = DeadOutput()
    notes = SoundingNotes(dead)
    notes.output = FakeOutput()
    notes.change(1, (), (48, 52, 55), 90)
    notes.output = dead
    notes.panic()
    assert dead.tries == 4  # three note-offs and one All Notes Off
    assert notes.sounding == frozenset()


def test_a_closed_output_strikes_no_more_notes():
    out = FakeOutput()
    notes = SoundingNotes(out)
    notes.note_on(0, 60, 100)
    notes.close()
    notes.note_on(0, 62, 100)
    assert unmatched(out.sent) == set()


def test_a_failed_send_is_a_port_error():
    with pytest.raises(PortError):
        SoundingNotes(DeadOutput()).note_on(0, 60, 100)
