"""MIDI in and out: notes, tempo map, meters, melody choice, and an exact copy plus a harmony track."""

from pathlib import Path

import mido
import numpy as np
import pytest

from accompanist import midi_io
from accompanist.errors import MidiFileError, OutputError
from accompanist.midi_io import Note, TempoMap, melody_notes, read_midi, skyline, to_melody, write_midi

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
SCALE = [72, 74, 76, 77, 79, 77, 76, 74]


def melody_of(name: str, **choice) -> list[tuple[float, float, int]]:
    score = read_midi(FIXTURES / name)
    tpb = score.ticks_per_beat
    return [(n.start / tpb, (n.end - n.start) / tpb, n.pitch) for n in melody_notes(score, **choice)]


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
    assert harmony[0] == mido.MetaMessage("track_name", name=midi_io.HARMONY_TRACK_NAME)
    assert harmony[1] == mido.Message("program_change", channel=2, program=midi_io.HARMONY_PROGRAM)
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

    monkeypatch.setattr(midi_io.os, "replace", fail)
    with pytest.raises(OutputError, match="No space left"):
        write_midi(tmp_path / "out.mid", score, [])
    assert list(tmp_path.iterdir()) == []


def test_type0_melody_is_the_higher_channel():
    assert melody_of("type0.mid") == [(b, 1, p) for b, p in enumerate(SCALE)]


def test_type1_melody_leaves_out_chords_drums_and_stray_notes():
    assert melody_of("type1.mid") == [(b, 1, p - 7) for b, p in enumerate(SCALE)]


def test_chosen_track_or_channel_gives_its_top_line():
    assert {p for _, _, p in melody_of("type1.mid", track=2)} == {81}
    assert melody_of("type1.mid", channel=9)[:2] == [(0, 0.25, 81), (0.5, 0.25, 81)]
    with pytest.raises(MidiFileError, match="no melody notes in track 7"):
        melody_of("type1.mid", track=7)


def test_velocity_zero_note_on_ends_a_note():
    assert melody_of("velocity-zero-noteoff.mid") == [(b, 1, p) for b, p in enumerate(SCALE)]


def test_overlapping_notes_give_a_monophonic_top_line():
    # legato overlap forgiven, a re-struck pitch ends the sounding one, a chord gives its top note
    expected = [(0, 1, 72), (1, 1, 71), (2, 1, 74), (3, 1, 74), (4, 1, 79)]
    assert melody_of("overlapping-notes.mid") == expected


def test_unterminated_note_lasts_to_the_end_of_the_file():
    assert melody_of("unterminated-note.mid")[-1] == (2, 4, 71)


def test_polyphonic_part_gives_its_skyline():
    assert melody_of("polyphonic-melody.mid") == [(b, 1, p) for b, p in enumerate([76, 77, 79, 76])]


def test_skyline_rules():
    def n(start, end, pitch):
        return Note(start, end, pitch, 80, 0, 0)

    notes = [n(0, 480, 60), n(0, 480, 64), n(240, 960, 55), n(480, 960, 67), n(500, 900, 72)]
    # 55 starts under a sounding 64; 72 starts 20 ticks into 67, which is dropped as a rolled chord
    assert skyline(notes, 120) == [n(0, 480, 64), n(500, 900, 72)]


def test_different_ticks_per_beat_give_the_same_melody():
    a, b = (
        to_melody(s, melody_notes(s))
        for s in map(read_midi, [FIXTURES / "tpb-96.mid", FIXTURES / "tpb-960.mid"])
    )
    assert a.pitch.tolist() == b.pitch.tolist() and a.onset.tolist() == b.onset.tolist()
    assert a.pitch[8:12].tolist() == [72, 74, 72, 72]  # 16ths on the grid
    assert a.onset[8:12].tolist() == [True, True, True, False]


def test_time_signature_changes_give_bar_positions():
    score = read_midi(FIXTURES / "time-signature-change.mid")  # 3/4 x2, 6/8, 2/4, 4/4
    melody = to_melody(score, melody_notes(score))
    assert melody.bar_pos.tolist() == [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 0, 1, 2, 3]


def test_bar_positions_of_odd_meters():
    assert midi_io.bar_positions([(0, 2.5)], 480, 6).tolist() == [0, 1, 2, 0, 1, 0]  # 5/8
    assert midi_io.bar_positions([(0, 4.0), (720, 3.0)], 480, 5).tolist() == [0, 1, 0, 1, 2]


def test_tempo_map_seconds_follow_the_tempo_changes():
    tempo = read_midi(FIXTURES / "tempo-change.mid").tempo  # 120 bpm, 60 bpm at beat 4, 240 at beat 6
    assert [tempo.beat_seconds(b) for b in (0, 1, 4, 5, 6, 8)] == [0, 0.5, 2, 3, 4, 4.5]
    assert tempo.seconds(480 * 4.5) == 2.5
    assert TempoMap(96).beat_seconds(3) == 1.5  # no tempo event: 120 bpm


ERRORS = [
    ("empty.mid", "holds no notes"),
    ("truncated.mid", "truncated"),
    ("not-midi.mid", "not a MIDI file"),
    ("type2.mid", "type 2"),
    ("smpte-division.mid", "SMPTE"),
    ("missing.mid", "no such file"),
]


@pytest.mark.parametrize("name, message", ERRORS)
def test_bad_files_raise_midi_file_error(name, message):
    with pytest.raises(MidiFileError, match=message):
        read_midi(FIXTURES / name)


def test_drums_only_has_no_melody():
    with pytest.raises(MidiFileError, match="drum channel"):
        melody_of("drums-only.mid")


def test_a_folder_is_not_a_midi_file():
    with pytest.raises(MidiFileError, match="cannot read"):
        read_midi(FIXTURES)


def test_hostile_files_are_capped(tmp_path, monkeypatch):
    many = mido.MidiFile(type=1)
    many.tracks.extend(mido.MidiTrack() for _ in range(midi_io.MAX_TRACKS + 1))
    many.save(tmp_path / "many.mid")
    with pytest.raises(MidiFileError, match="tracks"):
        read_midi(tmp_path / "many.mid")
    long = mido.MidiFile(type=0, ticks_per_beat=1)
    on, off = mido.Message("note_on", note=60), mido.Message("note_off", note=60, time=midi_io.MAX_BEATS + 1)
    long.tracks.append(mido.MidiTrack([on, off]))
    long.save(tmp_path / "long.mid")
    score = read_midi(tmp_path / "long.mid")
    with pytest.raises(MidiFileError, match="beats long"):
        to_melody(score, melody_notes(score))
    monkeypatch.setattr(midi_io, "MAX_NOTES", 3)
    with pytest.raises(MidiFileError, match="notes"):
        read_midi(FIXTURES / "type0.mid")
    monkeypatch.setattr(midi_io, "MAX_FILE_BYTES", 100)
    with pytest.raises(MidiFileError, match="bytes"):
        read_midi(FIXTURES / "type1.mid")


def test_data_bytes_out_of_range_are_clipped(tmp_path):
    data = bytearray((FIXTURES / "type0.mid").read_bytes())
    data[data.index(bytes([0x90, 72, 80])) + 2] = 0xFF  # velocity 255
    (tmp_path / "bad.mid").write_bytes(bytes(data))
    assert [n.velocity for n in read_midi(tmp_path / "bad.mid").notes if n.pitch == 72] == [127]


def test_free_channel_skips_drums_and_used_channels():
    score = read_midi(FIXTURES / "type1.mid")  # channels 1, 2, 3 and 10
    assert midi_io.free_channel(score) == 3
    track = mido.MidiTrack(mido.Message("control_change", channel=c) for c in range(16))
    full = midi_io.Score(score.path, mido.MidiFile(tracks=[track]), score.notes, score.tempo, score.meters)
    with pytest.raises(MidiFileError, match="every MIDI channel"):
        midi_io.free_channel(full)


def test_melody_grid_starts_at_the_file_start():
    melody = to_melody(read_midi(FIXTURES / "type1.mid"), melody_notes(read_midi(FIXTURES / "type1.mid")))
    assert melody.n_beats == 8 and melody.bar_pos.tolist() == [0, 1, 2, 3] * 2
    assert np.all(melody.pitch >= 0)
