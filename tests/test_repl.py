"""The REPL: melody grammar, commands, the prompt loop through a pipe, completion, output, listening."""

import os
import shutil
import time
from pathlib import Path

import mido
import numpy as np
import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from stubs import RootStub as SharedRootStub
from stubs import SamplerStub as SharedSamplerStub

from accompanist import chord_symbols, chords, harmonizers
from accompanist.cli import build_parser, main
from accompanist.errors import AccompanistError
from accompanist.midi.write import HARMONY_TRACK_NAME
from accompanist.repl import output, render
from accompanist.repl.commands import execute
from accompanist.repl.completion import ReplCompleter
from accompanist.repl.listen import Listener
from accompanist.repl.parse import MelodyParseError, note_name, parse_meter, parse_notes
from accompanist.repl.prompt import history_path, run_repl
from accompanist.repl.session import Session

ROOT, SAMPLER = "test-repl-root", "test-repl-sampler"
SAMPLES = Path(__file__).parent.parent / "midi_samples"


class RootStub(SharedRootStub):
    family = ROOT


class SamplerStub(SharedSamplerStub):
    family = SAMPLER


@pytest.fixture(autouse=True)
def stubs(monkeypatch, tmp_path):
    harmonizers.register(RootStub)
    harmonizers.register(SamplerStub)
    monkeypatch.setattr(harmonizers, "available", lambda: [ROOT, SAMPLER])
    monkeypatch.setenv("ACCOMPANIST_HISTORY", str(tmp_path / "history"))
    yield
    harmonizers._extra.pop(ROOT, None)
    harmonizers._extra.pop(SAMPLER, None)


@pytest.fixture
def session():
    return Session(model_name=ROOT)


def drive(session: Session, *lines: str) -> list[str]:
    """Type lines, then Ctrl-D, into the real prompt loop through a pipe; what it printed."""
    printed: list[str] = []
    with create_pipe_input() as pipe:
        pipe.send_text("".join(f"{line}\n" for line in lines) + "\x04")
        with create_app_session(input=pipe, output=DummyOutput()):
            run_repl(session, write=printed.append)
    return printed


# ---- the melody grammar ------------------------------------------------------------------
def test_notes_have_names_octaves_and_beats():
    notes = parse_notes("E4 E4 F4 G4/2 | C#5:0.5 Bb/1/2 r/2 c".split())
    assert notes == [
        (0.0, 1.0, 64),
        (1.0, 1.0, 64),
        (2.0, 1.0, 65),
        (3.0, 2.0, 67),
        (5.0, 0.5, 73),
        (5.5, 0.5, 82),  # the octave of the note before
        (6.0, 2.0, -1),
        (8.0, 1.0, 72),
    ]


@pytest.mark.parametrize("tokens", [["H4"], ["C4/0"], ["C4/x"], ["r", "r"], ["G9#"], ["B#9"], ["C4/100"]])
def test_bad_notes_are_named(tokens):
    with pytest.raises(MelodyParseError):
        parse_notes(tokens)


def test_meters_must_fill_whole_beats():
    assert parse_meter("3/4") == (3, 4) and parse_meter("6/8") == (6, 8)
    for bad in ("5/8", "3", "4/3", "0/4"):
        with pytest.raises(MelodyParseError):
            parse_meter(bad)
    assert note_name(60) == "C4" and note_name(70) == "Bb4" and note_name(-1) == "-"


def test_trailing_rests_take_beats_and_time_moves_bar_lines(session):
    execute(session, "melody C4 D4 E4 r/2")
    assert session.melody.n_beats == 5 and (session.melody.pitch[-8:] == -1).all()
    execute(session, "time 3/4")
    assert session.melody.bar_pos.tolist() == [0, 1, 2, 0, 1]


# ---- the prompt loop ---------------------------------------------------------------------
def test_melody_harmonize_save_writes_a_valid_file(session, tmp_path):
    out = tmp_path / "take.mid"
    printed = drive(session, "melody E4 E4 F4 G4/2", "harmonize", f"save {out}", "quit")
    assert any(line.startswith("bar 1 | E / F G |") for line in "\n".join(printed).splitlines())
    midi = mido.MidiFile(out)
    melody, harmony = midi.tracks
    assert [m.note for m in melody if m.type == "note_on"] == [64, 64, 65, 67]
    assert midi.length == pytest.approx(5 * 60 / 100)  # five beats at the default 100 bpm
    assert any(m.type == "track_name" and m.name == HARMONY_TRACK_NAME for m in harmony)
    ons = [m for m in harmony if m.type == "note_on" and m.velocity > 0]
    offs = [m for m in harmony if m.type == "note_off"]
    assert ons and len(ons) == len(offs)
    assert history_path().read_text().count("+harmonize") == 1  # kept across sessions


def test_a_bad_command_or_input_does_not_end_the_session(session):
    printed = drive(
        session, "bogus", "harmonize", "melody H4", "melody 'C4", "seed x", "melody C4", "harmonize"
    )
    errors = [line for line in printed if line.startswith("error: ")]
    assert len(errors) == 5
    assert "unknown command 'bogus'" in errors[0] and "no melody yet" in errors[1]
    assert printed[-1].startswith(f"{ROOT} (offline), 1 beats:")


def test_end_of_input_ends_the_session(session):
    assert drive(session, "melody C4")[-1].startswith("melody (1 beats")


def test_repl_is_a_subcommand():
    args = build_parser().parse_args(["repl", "--model", "gan", "--device", "cpu"])
    assert args.model == "gan" and args.func.__module__ == "accompanist.commands.repl"


# ---- commands ---------------------------------------------------------------------------
def test_compare_shows_every_model_side_by_side_with_metrics(session):
    execute(session, "melody C4 E4 G4 C5")
    text = execute(session, "compare")
    table, metrics = text.split("\n\n")
    assert table.splitlines()[0].split() == ["beat", "melody", ROOT, SAMPLER]
    assert table.splitlines()[2].split()[:3] == ["1.1", "C4", "C"]
    assert [line.split()[0] for line in metrics.splitlines()[2:]] == [ROOT, SAMPLER]
    assert "ctnctr" in metrics and "pcs" in metrics and "note_in_chord" in metrics


def test_compare_marks_beats_where_every_model_holds_its_chord(session):
    execute(session, "temperature 0")  # the sampler answers the minor chord on each beat's pitch
    execute(session, "melody C4/2 E4 E4")  # C held over two beats by every model, then E twice
    rows = execute(session, "compare").split("\n\n")[0].splitlines()[2:]
    assert [row.split()[0] for row in rows] == ["1.1", "1.2", "1.3", "1.4"]  # no beat dropped
    assert rows[1].split()[2:] == ["/", "/", "(held)"] and rows[3].endswith("(held)")
    assert not rows[2].endswith("(held)")


def test_temperature_reaches_models_that_sample_and_seed_changes_samples(session):
    assert "ignored by" in execute(session, "temperature 0.5")
    execute(session, f"model {SAMPLER}")
    execute(session, "melody C4 D4 E4 F4 G4 A4 B4 C5")
    execute(session, "seed 1")
    first = session.harmonize().labels
    execute(session, "seed 2")
    assert session.harmonize().labels != first
    assert "ignored" not in execute(session, "temperature 0")
    assert session.harmonize().labels[0] == "C:min"


def test_again_harmonizes_with_the_next_seed_that_changes_the_chords(session):
    execute(session, f"model {SAMPLER}")
    execute(session, "melody C4 D4 E4 F4 G4 A4 B4 C5")
    execute(session, "seed 1")
    first = session.harmonize().labels
    text = execute(session, "again")
    assert text.startswith(f"{SAMPLER} (offline, seed 2), 8 beats:") and "bar 1 |" in text
    assert session.seed == 2 and session.result.labels != first
    assert session.result.labels == session.harmonize_with(2).labels  # made again from its seed


def test_variants_show_numbered_rows_with_metrics_and_pick_keeps_one_for_save(session, tmp_path):
    execute(session, f"model {SAMPLER}")
    execute(session, "melody C4 D4 E4 F4 | G4 A4 B4 C5")
    execute(session, "seed 5")
    text = execute(session, "variants 3")
    lines = text.splitlines()
    assert lines[0] == f"{SAMPLER} (offline), 3 variants (seeds 5-7), 3 distinct:"
    assert lines[1] == "bars 1-2" and [line.split()[:2] for line in lines[2:5]] == [
        ["1", "|"],
        ["2", "|"],
        ["3", "|"],
    ]
    labels = {seed: session.harmonize_with(seed).labels for seed in (5, 6, 7)}
    key = chord_symbols.estimate_key(session.melody.pitch, [chords.from_label(x) for x in labels[5]])
    symbol = chord_symbols.symbols([chords.from_label(labels[6][0])], key, [None])[0]
    assert lines[3].split("|")[1].split()[0] == symbol  # variant 2 is seed 6, in chord symbols
    header = next(line for line in lines if line.startswith("variant"))
    assert header.split() == ["variant", "pcs", "note_in_chord", "cc"]
    assert [line.split()[0] for line in lines[lines.index(header) + 2 :][:3]] == ["1", "2", "3"]
    assert "(seed 7)" in text and "pick K" in lines[-1]
    assert execute(session, "pick 2").startswith("kept variant 2 (seed 6)")
    assert session.result.labels == labels[6] and session.seed == 6
    out = tmp_path / "take.mid"
    execute(session, f"save {out}")
    assert session.current_result().labels == labels[6] and out.is_file()
    execute(session, "voicing satb")  # a new voicing keeps the chords: the seed was kept too
    assert session.current_result().labels == labels[6]


def test_a_model_without_seed_effect_says_so_in_one_line(session):
    execute(session, "melody C4 E4 G4 C5")
    text = execute(session, "variants 4")
    assert text.startswith(f"{ROOT} gives the same chords for all 4 seeds 0-3: it does not vary")
    again = execute(session, "again")
    assert "\n" not in again and "does not vary with the seed" in again and session.seed is None


def test_pick_needs_variants_of_this_melody_and_settings(session):
    execute(session, f"model {SAMPLER}")
    execute(session, "melody C4 E4 G4 C5")
    with pytest.raises(AccompanistError, match="no variants yet"):
        execute(session, "pick 1")
    execute(session, "variants 2")
    for bad, message in (
        ("pick 3", "from 1 to 2"),
        ("pick x", "whole number"),
        ("pick", "number of a variant"),
    ):
        with pytest.raises(AccompanistError, match=message):
            execute(session, bad)
    with pytest.raises(AccompanistError, match="from 1 to 12"):
        execute(session, "variants 13")
    execute(session, "style chorale")
    with pytest.raises(AccompanistError, match="other settings"):
        execute(session, "pick 1")
    execute(session, "melody C4 D4")
    with pytest.raises(AccompanistError, match="no variants yet"):
        execute(session, "pick 1")


def test_load_and_save_keep_the_file_tracks(session, tmp_path):
    source = SAMPLES / "twinkle-twinkle.mid"
    assert execute(session, f"load {source}").startswith(f"loaded {source}")
    with pytest.raises(AccompanistError, match="own file"):
        execute(session, f"save {source} --force")
    out = tmp_path / "twinkle.mid"
    execute(session, f"save {out}")
    assert len(mido.MidiFile(out).tracks) == len(mido.MidiFile(source).tracks) + 1
    with pytest.raises(AccompanistError, match="exists"):
        execute(session, f"save {out}")


def test_play_without_port_or_fluidsynth_says_why(session, monkeypatch):
    execute(session, "melody C4")
    monkeypatch.setattr(output, "first_synth", lambda api=None: None)
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    with pytest.raises(AccompanistError, match="FluidSynth is not installed"):
        execute(session, "play")


@pytest.mark.skipif(render.can_render() is not None, reason="FluidSynth or a soundfont is not installed")
def test_play_renders_a_wav_with_fluidsynth(session, tmp_path):
    execute(session, "melody C4 E4")
    wav = tmp_path / "take.wav"
    assert execute(session, f"play --wav {wav}") == f"rendered {wav} (play it with any audio player)"
    assert wav.read_bytes()[:4] == b"RIFF" and wav.stat().st_size > 10_000


def test_train_and_eval_use_the_new_model(session, monkeypatch, chorales):
    from accompanist import training

    few = {"train": chorales["train"][:8], "validation": chorales["validation"][:2]}
    asked = []

    def load(corpora, data=None, style="folk"):
        asked.append(tuple(corpora))
        return few, {"data": "a few"}

    monkeypatch.setattr(training, "load_training_data", load)
    text = execute(session, "train markov --subset 0.5 --corpus chorales")
    assert text.startswith("model markov@0.5: markov trained on 4 pieces") and asked == [("chorales",)]
    assert session.model_name == "markov@0.5" and session.get_model().family == "markov"
    assert "markov@0.5 offline" in execute(session, "eval --limit 1")
    assert "markov@0.5" in [c.text for c in complete(session, "model ")]


def test_train_save_to_a_missing_folder_is_refused_before_training(session, tmp_path, monkeypatch):
    from accompanist import training

    def never(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(training, "train_family", never)
    with pytest.raises(AccompanistError, match="no folder"):
        execute(session, f"train markov --save {tmp_path / 'new' / 'm.pt'}")
    assert not (tmp_path / "new").exists()


# ---- completion -------------------------------------------------------------------------
PORTS = {"input": ["Keystation:Port-0"], "output": ["Midi Through:Port-0", "FLUID Synth (42):Synth input"]}


def complete(session: Session, text: str):
    completer = ReplCompleter(session, ports=PORTS.get)
    return list(completer.get_completions(Document(text), CompleteEvent(completion_requested=True)))


def test_completion_offers_commands_models_ports_and_files(session, tmp_path, monkeypatch):
    assert [c.text for c in complete(session, "harm")] == ["harmonize"]
    assert [c.text for c in complete(session, "model ")] == [ROOT, SAMPLER]
    assert [c.text for c in complete(session, "model test-repl-s")] == [SAMPLER]
    assert [c.text for c in complete(session, "train ")] == [ROOT, SAMPLER]
    assert [c.text for c in complete(session, "play --port fl")] == ["'FLUID Synth (42):Synth input'"]
    assert [c.text for c in complete(session, "listen --in ")] == ["Keystation:Port-0"]
    assert [c.text for c in complete(session, "play --")] == ["--port", "--wav", "--force", "--mkdir"]
    assert [c.text for c in complete(session, "listen ")] == ["stop"]
    assert [c.text for c in complete(session, "ag")] == ["again"]
    assert complete(session, "pick ") == []
    execute(session, "melody C4 E4")
    execute(session, "variants 3")
    assert [c.text for c in complete(session, "pick ")] == ["1", "2", "3"]
    assert all(name in execute(session, "help") for name in ("again", "variants", "pick"))
    (tmp_path / "song.mid").write_bytes(b"")
    (tmp_path / "notes.txt").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    assert [c.text for c in complete(session, "load so")] == ["ng.mid"]
    assert complete(session, "load no") == []


# ---- listening --------------------------------------------------------------------------
class FakeInput:
    name, virtual = "fake keyboard", True

    def set_callback(self, callback, clock=False):
        self.callback = callback

    def cancel_callback(self):
        self.callback = None

    def close(self):
        self.closed = True


class FakeOutput:
    name, virtual = "fake synth", True

    def __init__(self):
        self.sent = []

    def send(self, msg):
        self.sent.append(msg)

    def close(self):
        self.closed = True


def test_listen_logs_chords_and_releases_every_note():
    inp, out, log = FakeInput(), FakeOutput(), []
    listener = Listener(RootStub(), inp, out, log.append).start()
    for pitch in (60, 65):
        inp.callback(mido.Message("note_on", note=pitch, velocity=80))
        deadline = time.monotonic() + 5
        while listener.loop.steps < (1 if pitch == 60 else 2) and time.monotonic() < deadline:
            time.sleep(0.01)
    assert "stopped listening after 2 steps, 2 chords" in listener.stop()
    assert [line.split() for line in log] == [["live", "C4", "C"], ["live", "F4", "F"]]
    sounding = set()
    for msg in out.sent:
        if msg.type == "note_on" and msg.velocity > 0:
            sounding.add((msg.channel, msg.note))
        elif msg.type in ("note_on", "note_off"):
            sounding.discard((msg.channel, msg.note))
    assert not sounding and inp.closed and out.closed


@pytest.mark.skipif(shutil.which("fluidsynth") is None, reason="no FluidSynth")
def test_a_soundfont_can_be_chosen(monkeypatch, tmp_path):
    monkeypatch.setenv("ACCOMPANIST_SOUNDFONT", str(tmp_path / "missing.sf2"))
    assert "no soundfont found" in render.can_render()


def test_style_changes_and_voicing_are_settings_of_the_session(session):
    execute(session, "melody C4 E4 C4 G4 | G4 B4 G4 D5")
    assert execute(session, "style") == "style folk"
    assert execute(session, "style chorale") == "style chorale" and session.style == "chorale"
    assert execute(session, "voicing satb") == "voicing satb" and session.voicing == "satb"
    with pytest.raises(AccompanistError, match="unknown voicing"):
        execute(session, "voicing fancy")
    every_beat = execute(session, "harmonize").splitlines()[2]  # under the header and the key
    assert execute(session, "changes bar") == "changes bar"
    by_bar = execute(session, "harmonize").splitlines()[2]
    assert every_beat.split("|")[1].split() == ["C", "E/B", "C", "G/B"]  # satb: the bass in the symbol
    assert [bar.split() for bar in by_bar.split("|")[1:3]] == [
        ["C", "/", "/", "/"],
        ["G", "/", "/", "/"],
    ]
    assert "style        chorale (chords change: bar), voicing satb" in execute(session, "show")


def test_save_makes_no_folder_unless_mkdir_and_never_writes_a_pipe(session, tmp_path):
    execute(session, "melody C4 E4 G4")
    out = tmp_path / "new" / "take.mid"
    with pytest.raises(AccompanistError, match=r"no folder .*new for take.mid \(--mkdir creates it\)"):
        execute(session, f"save {out}")
    assert not (tmp_path / "new").exists()
    assert execute(session, f"save {out} --mkdir").startswith(f"wrote {out}")
    os.mkfifo(tmp_path / "pipe.mid")
    with pytest.raises(AccompanistError, match="not a regular file"):
        execute(session, f"save {tmp_path / 'pipe.mid'} --force")


@pytest.fixture
def fake_fluidsynth(tmp_path, monkeypatch):
    """A `fluidsynth` that writes a small RIFF file where -F says, and a soundfont file."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "fluidsynth"
    script.write_text('#!/bin/sh\nwhile [ "$1" != -F ]; do shift; done\nprintf RIFFfake > "$2"\n')
    script.chmod(0o755)
    (tmp_path / "gm.sf2").write_bytes(b"sf2")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("ACCOMPANIST_SOUNDFONT", str(tmp_path / "gm.sf2"))


def test_play_wav_replaces_a_file_only_with_force(session, tmp_path, fake_fluidsynth):
    execute(session, "melody C4 E4")
    wav = tmp_path / "take.wav"
    wav.write_bytes(b"an earlier take")
    with pytest.raises(AccompanistError, match="take.wav exists; --force replaces it"):
        execute(session, f"play --wav {wav}")
    assert wav.read_bytes() == b"an earlier take"
    assert execute(session, f"play --wav {wav} --force") == f"rendered {wav} (play it with any audio player)"
    assert wav.read_bytes() == b"RIFFfake"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "gm.sf2", "take.wav"]


def test_repl_runs_the_lines_of_a_file_on_stdin(tmp_path, monkeypatch, capsys):
    script = tmp_path / "script.txt"
    script.write_text(
        f"model {ROOT}\nmelody C4 E4 G4\nharmonize\nsave {tmp_path / 'take.mid'}\nquit\nnever run\n"
    )
    with script.open() as stdin:
        monkeypatch.setattr("sys.stdin", stdin)
        assert main(["repl", "--device", "cpu"]) == 0
    printed = capsys.readouterr().out
    assert "accompanist> melody C4 E4 G4" in printed and "bar 1 | C E G" in printed
    assert "never run" not in printed and (tmp_path / "take.mid").is_file()


@pytest.mark.skipif(render.can_render() is not None, reason="FluidSynth or a soundfont is not installed")
def test_play_with_no_synth_or_sound_card_writes_a_loud_trimmed_wav_removed_on_quit(session, monkeypatch):
    import wave

    monkeypatch.setattr(output, "first_synth", lambda api=None: None)
    monkeypatch.setattr(output, "audio_driver", lambda: None)
    execute(session, "melody C4 E4 G4 C5")
    said = execute(session, "play")
    assert said.startswith("no MIDI synth or sound card here: rendered ") and "removed on quit" in said
    path = Path(said.split("rendered ")[1].split(" (")[0])
    with wave.open(str(path)) as wav:
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").reshape(-1, wav.getnchannels())
        seconds = wav.getnframes() / wav.getframerate()
    peak_dbfs = 20 * np.log10(np.abs(samples.astype(float)).max() / 32767)
    assert -1.2 < peak_dbfs < -0.8
    assert seconds < 4 * 60 / 100 + 1.5  # four beats at 100 bpm, a short release, no seconds of silence
    folder = path.parent
    assert folder.name.startswith("accompanist-repl-")
    drive(session, "quit")  # the prompt loop closes the session after quit (or Ctrl-D)
    assert not folder.exists()


def test_play_goes_to_the_sound_card_through_fluidsynth_where_there_is_one(session, monkeypatch):
    played = []
    monkeypatch.setattr(output, "first_synth", lambda api=None: None)
    monkeypatch.setattr(output, "can_render", lambda: None)
    monkeypatch.setattr(output, "audio_driver", lambda: "alsa")
    monkeypatch.setattr(output, "play_audio", lambda midi, driver: played.append((midi, driver)))
    execute(session, "melody C4 E4")
    assert execute(session, "play") == "played through FluidSynth (alsa)"
    assert played and played[0][1] == "alsa" and mido.MidiFile(played[0][0]).tracks
