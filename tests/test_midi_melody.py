"""The melody line: which part, its skyline, the 16th grid and bar positions, whatever the file's timing."""

from pathlib import Path

import mido
import numpy as np
import pytest

from accompanist.errors import MidiFileError
from accompanist.midi import melody
from accompanist.midi.melody import melody_notes, skyline, to_melody
from accompanist.midi.read import Note, read_midi

FIXTURES = Path(__file__).parent / "fixtures"
SCALE = [72, 74, 76, 77, 79, 77, 76, 74]


def melody_of(name: str, **choice) -> list[tuple[float, float, int]]:
    score = read_midi(FIXTURES / name)
    tpb = score.ticks_per_beat
    return [(n.start / tpb, (n.end - n.start) / tpb, n.pitch) for n in melody_notes(score, **choice)]


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
    assert melody.bar_positions([(0, 2.5)], 480, 6).tolist() == [0, 1, 2, 0, 1, 0]  # 5/8
    assert melody.bar_positions([(0, 4.0), (720, 3.0)], 480, 5).tolist() == [0, 1, 0, 1, 2]


def test_melody_grid_starts_at_the_file_start():
    melody = to_melody(read_midi(FIXTURES / "type1.mid"), melody_notes(read_midi(FIXTURES / "type1.mid")))
    assert melody.n_beats == 8 and melody.bar_pos.tolist() == [0, 1, 2, 3] * 2
    assert np.all(melody.pitch >= 0)


def test_drums_only_has_no_melody():
    with pytest.raises(MidiFileError, match="drum channel"):
        melody_of("drums-only.mid")


def test_a_melody_over_the_beat_limit_is_refused(tmp_path):
    long = mido.MidiFile(type=0, ticks_per_beat=1)
    on, off = mido.Message("note_on", note=60), mido.Message("note_off", note=60, time=melody.MAX_BEATS + 1)
    long.tracks.append(mido.MidiTrack([on, off]))
    long.save(tmp_path / "long.mid")
    score = read_midi(tmp_path / "long.mid")
    with pytest.raises(MidiFileError, match="beats long"):
        to_melody(score, melody_notes(score))
