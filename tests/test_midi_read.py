"""Reading MIDI files: tempo map, bad and hostile files refused with one line, data bytes clipped."""

from pathlib import Path

import mido
import pytest

from accompanist.errors import MidiFileError
from accompanist.midi import read
from accompanist.midi.read import TempoMap, read_midi

FIXTURES = Path(__file__).parent / "fixtures"


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


def test_a_folder_is_not_a_midi_file():
    with pytest.raises(MidiFileError, match="cannot read"):
        read_midi(FIXTURES)


def test_hostile_files_are_capped(tmp_path, monkeypatch):
    many = mido.MidiFile(type=1)
    many.tracks.extend(mido.MidiTrack() for _ in range(read.MAX_TRACKS + 1))
    many.save(tmp_path / "many.mid")
    with pytest.raises(MidiFileError, match="tracks"):
        read_midi(tmp_path / "many.mid")
    monkeypatch.setattr(read, "MAX_NOTES", 3)
    with pytest.raises(MidiFileError, match="notes"):
        read_midi(FIXTURES / "type0.mid")
    monkeypatch.setattr(read, "MAX_FILE_BYTES", 100)
    with pytest.raises(MidiFileError, match="bytes"):
        read_midi(FIXTURES / "type1.mid")


def test_data_bytes_out_of_range_are_clipped(tmp_path):
    data = bytearray((FIXTURES / "type0.mid").read_bytes())
    data[data.index(bytes([0x90, 72, 80])) + 2] = 0xFF  # velocity 255
    (tmp_path / "bad.mid").write_bytes(bytes(data))
    assert [n.velocity for n in read_midi(tmp_path / "bad.mid").notes if n.pitch == 72] == [127]
