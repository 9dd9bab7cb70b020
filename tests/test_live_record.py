"""--record: two tracks, real times as ticks at the session's tempo."""

import mido
import pytest

from accompanist.cli import main
from accompanist.errors import OutputError
from accompanist.live.record import Recorder, RecordingOutput


def test_played_and_answered_go_to_two_tracks_at_the_tempo(tmp_path):
    rec = Recorder(bpm=60.0, ticks_per_beat=480)
    rec.played(mido.Message("note_on", note=60, velocity=90), 10.0)
    rec.played(mido.Message("clock"), 10.1)  # not a channel message: not kept
    rec.answered(mido.Message("note_on", channel=1, note=48, velocity=90), 10.002)
    rec.played(mido.Message("note_off", note=60), 10.5)
    rec.answered(mido.Message("note_off", channel=1, note=48), 11.0)
    path = tmp_path / "take.mid"
    rec.write(path)
    midi = mido.MidiFile(path)
    assert midi.type == 1 and [t.name for t in midi.tracks] == ["played", "answered"]
    played = [(m.type, m.time) for m in midi.tracks[0] if not m.is_meta]
    answered = [(m.type, m.time) for m in midi.tracks[1] if not m.is_meta]
    assert played == [("note_on", 0), ("note_off", 240)]  # half a second at 60 bpm
    assert answered == [("note_on", 1), ("note_off", 479)]
    assert abs(midi.length - 1.0) < 0.01
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left


def test_recording_output_sends_and_records():
    sent = []

    class Port:
        def send(self, msg):
            sent.append(msg)

    rec = Recorder()
    out = RecordingOutput(Port(), rec, clock=lambda: 1.0)
    out.send(mido.Message("note_on", note=60, velocity=1))
    assert len(sent) == 1 and len(rec) == 1


def test_write_replaces_a_file_only_when_asked(tmp_path):
    path = tmp_path / "take.mid"
    path.write_text("an earlier take")
    with pytest.raises(OutputError, match="exists"):
        Recorder().write(path)
    assert path.read_text() == "an earlier take"
    Recorder().write(path, overwrite=True)
    assert mido.MidiFile(path).type == 1


@pytest.mark.parametrize(
    "name, message", [("take.mid", "take.mid exists; --force replaces it"), ("new/take.mid", "no folder")]
)
def test_live_refuses_a_record_file_before_opening_ports(name, message, tmp_path, capsys):
    (tmp_path / "take.mid").write_text("an earlier take")
    assert main(["live", "--record", str(tmp_path / name)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert (tmp_path / "take.mid").read_text() == "an earlier take" and not (tmp_path / "new").exists()
