"""Writing MIDI: an exact copy of the input plus a harmony track, atomically; events as a track."""

from pathlib import Path

import mido
import pytest

from accompanist import files
from accompanist.errors import MidiFileError, OutputError
from accompanist.midi import write
from accompanist.midi.read import Score, read_midi
from accompanist.midi.write import events_to_track, write_midi

FIXTURES = Path(__file__).parent / "fixtures"
READABLE = [
    "type0.mid",
    "type1.mid",
    "tempo-change.mid",
    "overlapping-notes.mid",
    "unterminated-note.mid",
    "velocity-zero-noteoff.mid",
    "tpb-96.mid",
    "tpb-960.mid",
    "time-signature-change.mid",
    "polyphonic-melody.mid",
]


def timed(track: mido.MidiTrack) -> list[tuple[int, mido.Message]]:
    tick, out = 0, []
    for msg in track:
        tick += msg.time
        out.append((tick, msg))
    return out


@pytest.mark.parametrize("name", READABLE)
def test_round_trip_keeps_every_message_at_its_tick(name, tmp_path):
    score = read_midi(FIXTURES / name)
    write_midi(tmp_path / "out.mid", score, [(0, 2, (48, 52, 55)), (2, 3, (47, 50, 55))])
    original, out = mido.MidiFile(FIXTURES / name), mido.MidiFile(tmp_path / "out.mid")
    assert out.type == 1 and out.ticks_per_beat == original.ticks_per_beat
    assert len(out.tracks) == len(original.tracks) + 1
    for before, after in zip(original.tracks, out.tracks, strict=False):
        assert timed(after) == timed(before)
    assert read_midi(tmp_path / "out.mid").notes[: len(score.notes)] == score.notes


def test_harmony_track_on_a_free_channel_with_held_chords(tmp_path):
    score = read_midi(FIXTURES / "type0.mid")  # channels 1 and 2 are used
    write_midi(tmp_path / "out.mid", score, [(0, 2, (48, 52, 55)), (2, 3.5, (55, 59))])
    harmony = mido.MidiFile(tmp_path / "out.mid").tracks[-1]
    assert harmony[0] == mido.MetaMessage("track_name", name=write.HARMONY_TRACK_NAME)
    assert harmony[1] == mido.Message("program_change", channel=2, program=write.HARMONY_PROGRAM)
    notes = [n for n in read_midi(tmp_path / "out.mid").notes if n.track == 1]
    assert {n.channel for n in notes} == {2}
    assert sorted((n.start, n.end, n.pitch) for n in notes) == [
        (0, 960, 48),
        (0, 960, 52),
        (0, 960, 55),
        (960, 1680, 55),
        (960, 1680, 59),
    ]


def test_write_is_atomic_and_leaves_nothing_on_failure(tmp_path, monkeypatch):
    score = read_midi(FIXTURES / "type1.mid")

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(OutputError, match="No space left"):
        write_midi(tmp_path / "out.mid", score, [])
    assert list(tmp_path.iterdir()) == []


def test_free_channel_skips_drums_and_used_channels():
    score = read_midi(FIXTURES / "type1.mid")  # channels 1, 2, 3 and 10
    assert write.free_channel(score) == 3
    track = mido.MidiTrack(mido.Message("control_change", channel=c) for c in range(16))
    full = Score(score.path, mido.MidiFile(tracks=[track]), score.notes, score.tempo, score.meters)
    with pytest.raises(MidiFileError, match="every MIDI channel"):
        write.free_channel(full)


def test_events_to_track_gives_delta_times_after_the_head():
    on, off = mido.Message("note_on", note=60, velocity=80), mido.Message("note_off", note=60)
    head = [mido.MetaMessage("track_name", name="x")]
    track = events_to_track([(480, off), (0, on), (480, on.copy(note=62))], head)
    assert track == [head[0], on.copy(time=0), off.copy(time=480), on.copy(note=62, time=0)]
    assert timed(track)[-1][0] == 480


def test_events_to_track_keeps_the_given_order_at_a_tick_unless_offs_come_first():
    on, off = mido.Message("note_on", note=60, velocity=80), mido.Message("note_off", note=60)
    silent = mido.Message("note_on", note=64, velocity=0)
    events = [(0, on), (240, on.copy(note=64)), (480, on), (480, off), (480, silent)]
    assert events_to_track(events)[2:] == [on.copy(time=240), off, silent]
    assert events_to_track(events, offs_first=True)[2:] == [off.copy(time=240), silent, on]
