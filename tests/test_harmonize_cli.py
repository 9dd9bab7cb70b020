"""`accompanist harmonize` end to end, in process: outputs, chord files, errors and exit codes."""

import json
import os
import re
import shutil
import stat
from pathlib import Path

import mido
import numpy as np
import pytest
from stubs import RootStub as SharedRootStub

from accompanist import chords, files, harmonizers
from accompanist.cli import main
from accompanist.midi.read import read_midi

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = Path(__file__).parent.parent / "midi_samples"
STUB = "test-root"


class RootStub(SharedRootStub):
    family = STUB


@pytest.fixture(autouse=True)
def stub_model():
    harmonizers.register(RootStub)
    yield
    harmonizers._extra.pop(STUB, None)


def harmonize(*args) -> int:
    return main(["harmonize", *map(str, args), "--model", STUB, "--device", "cpu"])


def copy(name: str, folder: Path) -> Path:
    return Path(shutil.copy(FIXTURES / name, folder / name))


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("accompanist: error: ") and "Traceback" not in err
    return err


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.mid")))
def test_samples_are_harmonized(name, tmp_path, capsys):
    assert harmonize(SAMPLES / name, "--out-dir", tmp_path) == 0
    out = tmp_path / name.replace(".mid", ".harmonized.mid")
    assert len(mido.MidiFile(out).tracks) == len(mido.MidiFile(SAMPLES / name).tracks) + 1
    printed = capsys.readouterr().out
    assert f"by {STUB}" in printed and str(out) in printed and re.search(r"^bar +1 \| ", printed, re.M)


@pytest.mark.parametrize(
    "name",
    ["type0.mid", "type1.mid", "overlapping-notes.mid", "unterminated-note.mid", "velocity-zero-noteoff.mid"]
    + ["tpb-96.mid", "tpb-960.mid", "time-signature-change.mid", "polyphonic-melody.mid"],
)
def test_fixtures_are_harmonized_next_to_the_input(name, tmp_path, capsys):
    source = copy(name, tmp_path)
    before = source.read_bytes()
    assert harmonize(source) == 0
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [name, name.replace(".mid", ".harmonized.mid")]
    )
    assert capsys.readouterr().err == ""


def test_lab_seconds_follow_the_tempo_map(tmp_path, capsys):
    # 120 bpm, 60 bpm from beat 4, 240 bpm from beat 6; melody C C G A A G G G (one per beat)
    assert (
        harmonize(FIXTURES / "tempo-change.mid", "-o", tmp_path / "out.mid", "--chords", tmp_path / "c.lab")
        == 0
    )
    assert (tmp_path / "c.lab").read_text() == (
        "0.000000\t1.000000\tC:maj\n1.000000\t1.500000\tG:maj\n1.500000\t3.000000\tA:maj\n3.000000\t4.500000\tG:maj\n"
    )
    assert "key G major\nbar 1 | C / G A | A G / / |" in capsys.readouterr().out  # symbols on screen


def test_json_chords_hold_seconds_and_beats(tmp_path):
    assert (
        harmonize(FIXTURES / "tempo-change.mid", "--out-dir", tmp_path, "--chords", tmp_path / "c.json") == 0
    )
    doc = json.loads((tmp_path / "c.json").read_text())
    assert doc["model"] == STUB and doc["ticks_per_beat"] == 480 and doc["key"] == "G major"
    assert doc["chords"][2] == {
        "start": 1.5,
        "end": 3.0,
        "start_beat": 3,
        "end_beat": 5,
        "label": "A:maj",
        "symbol": "A",
    }


def test_harmony_track_holds_voiced_chords_under_the_melody(tmp_path):
    assert harmonize(FIXTURES / "tempo-change.mid", "-o", tmp_path / "out.mid", "--voicing", "satb") == 0
    score = read_midi(tmp_path / "out.mid")
    harmony = [n for n in score.notes if n.track == 2]
    melody = {n.start // 480: n.pitch for n in score.notes if n.track == 1}
    assert harmony and {n.channel for n in harmony} == {1}
    assert all(n.pitch < melody[n.start // 480] for n in harmony)
    changes = sorted({n.start // 480 for n in harmony})
    assert changes[:2] == [0, 2]  # the repeated C:maj of beats 0 and 1 is one held chord


def test_causal_run_voices_beat_by_beat(tmp_path):
    assert harmonize(FIXTURES / "type1.mid", "-o", tmp_path / "out.mid", "--causal", "--seed", "3") == 0
    assert len(mido.MidiFile(tmp_path / "out.mid").tracks) == 6


class LookAheadStub(SharedRootStub):
    """Offline, every beat the major chord on the melody's last note (it looks ahead); causal, the
    major chord on the last note heard so far. The root moves up ``seed`` semitones. It keeps the
    melodies it is given."""

    family = "test-look-ahead"
    melodies: list = []

    def probabilities(self, melody, *, causal=False, seed=None):
        self.melodies.append(melody)
        heard = np.maximum.accumulate(np.where(melody.pitch >= 0, np.arange(len(melody.pitch)), -1))
        last = heard[3::4] if causal else np.full(melody.n_beats, heard[-1])
        roots = np.where(last >= 0, melody.pitch[last] + (seed or 0), -1)
        probs = np.full((melody.n_beats, chords.VOCAB_SIZE), 0.1 / (chords.VOCAB_SIZE - 1))
        probs[np.arange(melody.n_beats), [self.chord(int(r)) for r in roots]] = 0.9
        return probs

    def reset(self, seed=None):
        self.seed, self.last = seed or 0, -1

    def step_index(self, frame):
        self.last = next((p for p in reversed(frame.pitch) if p >= 0), self.last)
        return self.chord(self.last + self.seed if self.last >= 0 else -1)


def beat_labels(chord_file: Path) -> list[str]:
    """One label per beat from a JSON chord file's spans."""
    spans = json.loads(chord_file.read_text())["chords"]
    assert [s["start_beat"] for s in spans[1:]] == [s["end_beat"] for s in spans[:-1]]
    return [s["label"] for s in spans for _ in range(s["end_beat"] - s["start_beat"])]


def test_causal_chords_are_the_models_causal_run_not_its_offline_one(tmp_path):
    harmonizers.register(LookAheadStub)
    try:
        for mode, flags in (("causal", ["--causal"]), ("offline", [])):
            args = ["harmonize", str(FIXTURES / "type1.mid"), "-o", str(tmp_path / f"{mode}.mid")]
            args += ["--chords", str(tmp_path / f"{mode}.json"), "--model", LookAheadStub.family]
            assert main([*args, "--seed", "3", *flags]) == 0
    finally:
        harmonizers._extra.pop(LookAheadStub.family, None)
    model, melody = LookAheadStub(), LookAheadStub.melodies[-1]  # the melody the command read
    causal, offline = beat_labels(tmp_path / "causal.json"), beat_labels(tmp_path / "offline.json")
    assert causal == model.harmonize(melody, causal=True, seed=3)
    model.reset(3)
    assert causal == [model.step(frame) for frame in melody.frames()]  # as live play answers
    assert offline == model.harmonize(melody, seed=3)
    assert causal != offline and len(causal) == melody.n_beats


@pytest.mark.parametrize(
    "name",
    ["empty.mid", "truncated.mid", "not-midi.mid", "type2.mid", "smpte-division.mid", "drums-only.mid"],
)
def test_bad_files_give_one_line_and_exit_2(name, tmp_path, capsys):
    source = copy(name, tmp_path)
    assert harmonize(source) == 2
    assert name in one_error_line(capsys)
    assert list(tmp_path.iterdir()) == [source]


def test_missing_file(tmp_path, capsys):
    assert harmonize(tmp_path / "nowhere.mid") == 2
    assert "no such file" in one_error_line(capsys)


@pytest.mark.parametrize("model", ["no-such-family", "models/none.pt"])
def test_unknown_model_or_missing_checkpoint(model, capsys):
    assert main(["harmonize", str(FIXTURES / "type0.mid"), "--model", model, "--device", "cpu"]) == 2
    one_error_line(capsys)


def test_corrupt_checkpoint(tmp_path, capsys):
    (tmp_path / "bad.pt").write_bytes(b"not a checkpoint")
    assert main(["harmonize", str(FIXTURES / "type0.mid"), "--model", str(tmp_path / "bad.pt")]) == 2
    assert "checkpoint" in one_error_line(capsys)


def test_a_bad_file_is_skipped_and_the_rest_done(tmp_path, capsys):
    good, bad = copy("type0.mid", tmp_path), copy("truncated.mid", tmp_path)
    assert harmonize(good, bad, "--chords", f"{tmp_path}/labs/") == 2
    err = capsys.readouterr().err
    assert err.count("accompanist: error: ") == 1 and "truncated.mid" in err and "1 of 2 files failed" in err
    assert (tmp_path / "type0.harmonized.mid").is_file() and (tmp_path / "labs" / "type0.lab").is_file()
    assert not (tmp_path / "truncated.harmonized.mid").exists()


def test_a_folder_leaves_out_earlier_outputs(tmp_path, capsys):
    copy("type0.mid", tmp_path)
    copy("tpb-96.mid", tmp_path)
    assert harmonize(tmp_path) == 0
    assert harmonize(tmp_path, "--force") == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "tpb-96.harmonized.mid",
        "tpb-96.mid",
        "type0.harmonized.mid",
        "type0.mid",
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["{in}", "-o", "{in}"], "refusing to overwrite the input"),
        (["{in}", "--chords", "{in}"], "must end in .lab or .json"),
        (["{in}", "{other}", "--chords", "{dir}/x.lab"], "--chords must be a folder"),
        (["{in}", "{other}", "-o", "{dir}/x.mid"], "-o names one output file"),
        (["{in}", "{dir}/sub/type0.mid", "--out-dir", "{dir}"], "both be written"),
    ],
)
def test_unsafe_or_ambiguous_outputs_are_refused(args, message, tmp_path, capsys):
    source, other = copy("type0.mid", tmp_path), copy("tpb-96.mid", tmp_path)
    (tmp_path / "sub").mkdir()
    copy("type0.mid", tmp_path / "sub")
    names = {"in": source, "dir": tmp_path, "other": other}
    assert harmonize(*(a.format(**names) for a in args)) == 2
    assert message in one_error_line(capsys)
    assert not list(tmp_path.glob("*.harmonized.mid"))


def test_failed_write_leaves_no_file(tmp_path, capsys, monkeypatch):
    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", full_disk)
    assert harmonize(copy("type0.mid", tmp_path)) == 2
    assert "No space left on device" in one_error_line(capsys)
    assert [p.name for p in tmp_path.iterdir()] == ["type0.mid"]


@pytest.mark.parametrize("channel", ["0", "17", "x"])
def test_melody_channel_is_1_to_16(channel, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["harmonize", str(FIXTURES / "type1.mid"), "--melody-channel", channel])
    assert stop.value.code == 2


def test_chosen_melody_track(tmp_path, capsys):
    assert harmonize(FIXTURES / "type1.mid", "-o", tmp_path / "o.mid", "--melody-track", "2") == 0
    assert "bar 1 | A / / / |" in capsys.readouterr().out  # the top line of the chord track is A5
    assert harmonize(FIXTURES / "type1.mid", "-o", tmp_path / "o2.mid", "--melody-channel", "16") == 2
    assert "no melody notes on channel 16" in one_error_line(capsys)


@pytest.mark.skipif(
    not harmonizers.default_checkpoint("markov").is_file(), reason="models/markov.pt not built"
)
def test_real_markov_model(tmp_path, capsys):
    out = tmp_path / "out.mid"
    args = [
        "harmonize",
        str(SAMPLES / "ein-feste-burg.mid"),
        "-o",
        str(out),
        "--chords",
        str(tmp_path / "c.lab"),
    ]
    assert main([*args, "--model", "markov", "--device", "cpu"]) == 0
    lines = (tmp_path / "c.lab").read_text().splitlines()
    labels = {line.split("\t")[2] for line in lines}
    assert labels <= set(chords.LABELS) and len(labels) > 3
    assert "by markov" in capsys.readouterr().out


def test_an_existing_output_is_refused_unless_force(tmp_path, capsys):
    source = copy("type0.mid", tmp_path)
    out, lab = tmp_path / "out.mid", tmp_path / "out.lab"
    out.write_text("not MIDI, someone's notes")
    assert harmonize(source, "-o", out) == 2
    assert f"{out} exists; --force replaces it" in one_error_line(capsys)
    assert out.read_text() == "not MIDI, someone's notes"
    assert harmonize(source, "-o", out, "--force") == 0
    assert mido.MidiFile(out).tracks
    lab.write_text("0\t1\tC:maj\n")
    assert harmonize(source, "-o", tmp_path / "new.mid", "--chords", lab) == 2
    assert f"{lab} exists" in one_error_line(capsys)
    assert not (tmp_path / "new.mid").exists() and lab.read_text() == "0\t1\tC:maj\n"


def test_rerunning_a_folder_is_refused_in_one_line_unless_force(tmp_path, capsys):
    copy("type0.mid", tmp_path)
    copy("tpb-96.mid", tmp_path)
    assert harmonize(tmp_path) == 0
    before = (tmp_path / "type0.harmonized.mid").read_bytes()
    capsys.readouterr()
    assert harmonize(tmp_path, "--chords-format", "json") == 2
    assert "exists (and 1 more outputs); --force replaces them" in one_error_line(capsys)
    assert (tmp_path / "type0.harmonized.mid").read_bytes() == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_is_never_an_output_nor_read_as_an_input(tmp_path, capsys):
    source = copy("type0.mid", tmp_path)
    os.mkfifo(tmp_path / "pipe.mid")
    assert harmonize(source, "-o", tmp_path / "pipe.mid", "--force") == 2
    assert "not a regular file" in one_error_line(capsys)
    assert harmonize(tmp_path / "pipe.mid", "-o", tmp_path / "out.mid") == 2  # returns, does not wait
    assert "pipe.mid: cannot read: not a regular file" in one_error_line(capsys)
    assert stat.S_ISFIFO(os.stat(tmp_path / "pipe.mid").st_mode)


def test_a_missing_output_folder_is_made_only_with_mkdir(tmp_path, capsys):
    source = copy("type0.mid", tmp_path)
    out = tmp_path / "new" / "sub" / "out.mid"
    assert harmonize(source, "-o", out) == 2
    assert "no folder" in one_error_line(capsys) and not (tmp_path / "new").exists()
    assert harmonize(source, "-o", out, "--mkdir") == 0 and out.is_file()
    assert harmonize(source, "--out-dir", tmp_path / "a" / "b") == 2
    assert "--mkdir creates it" in one_error_line(capsys) and not (tmp_path / "a").exists()


def test_an_out_dir_or_chords_folder_is_made_itself(tmp_path, capsys):
    source = copy("type0.mid", tmp_path)
    assert harmonize(source, "--out-dir", tmp_path / "out", "--chords", f"{tmp_path}/labs/") == 0
    assert (tmp_path / "out" / "type0.harmonized.mid").is_file()
    assert (tmp_path / "labs" / "type0.lab").is_file()


def test_a_failed_chord_write_leaves_no_midi_file_behind(tmp_path, capsys, monkeypatch):
    real_replace = os.replace

    def chord_file_fails(src, dst):
        if str(dst).endswith(".lab"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", chord_file_fails)
    source = copy("type0.mid", tmp_path)
    assert harmonize(source, "-o", tmp_path / "out.mid", "--chords", tmp_path / "out.lab") == 2
    assert "out.lab: No space left on device" in one_error_line(capsys)
    assert [p.name for p in tmp_path.iterdir()] == ["type0.mid"]
