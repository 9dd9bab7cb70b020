"""`--data DIR`: a folder of MIDI files with melody and accompaniment becomes training pieces."""

import json
from pathlib import Path

import mido
import pytest
import torch

from accompanist import chords
from accompanist.cli import main
from accompanist.data.user import load_folder, split_folder
from accompanist.errors import DataError

TPB = 480
# (melody pitch, accompaniment chord) per beat: C, F, G7, C
PROGRESSION = [(72, (48, 64, 67)), (77, (53, 69, 72)), (74, (43, 65, 71)), (72, (48, 64, 67))]


def write_song(path: Path, bars: int = 2, transpose: int = 0) -> None:
    """Melody on channel 1 (track 1), block chords on channel 2 (track 2), one per beat."""
    midi = mido.MidiFile(ticks_per_beat=TPB)
    melody, backing = mido.MidiTrack(), mido.MidiTrack()
    midi.tracks += [melody, backing]
    for _ in range(bars):
        for top, chord in PROGRESSION:
            melody += [
                mido.Message("note_on", note=top + transpose, velocity=80, channel=0),
                mido.Message("note_off", note=top + transpose, time=TPB, channel=0),
            ]
            backing += [mido.Message("note_on", note=p + transpose, velocity=60, channel=1) for p in chord]
            backing += [
                mido.Message("note_off", note=p + transpose, time=TPB if i == 0 else 0, channel=1)
                for i, p in enumerate(chord)
            ]
    midi.save(path)


@pytest.fixture
def folder(tmp_path):
    for i in range(4):
        write_song(tmp_path / f"song{i}.mid", transpose=i)
    (tmp_path / "sub").mkdir()
    write_song(tmp_path / "sub" / "deep.midi", bars=3)
    return tmp_path


def test_chords_come_from_the_accompaniment(folder):
    pieces = load_folder(folder)
    assert [p.id for p in pieces] == ["song0.mid", "song1.mid", "song2.mid", "song3.mid", "sub/deep.midi"]
    song = pieces[0]
    assert song.melody.n_beats == 8
    assert [chords.to_label(int(c)) for c in song.chords[:4]] == ["C:maj", "F:maj", "G:7", "C:maj"]
    assert song.satb[0].tolist() == [72, 67, 64, 48]
    assert chords.to_label(int(pieces[2].chords[0])) == "D:maj"


def test_split_keeps_a_validation_piece(folder):
    parts = split_folder(load_folder(folder))
    assert len(parts["validation"]) == 1 and len(parts["train"]) == 4 and parts["test"] == []
    assert {p.id for p in parts["train"]}.isdisjoint(p.id for p in parts["validation"])


def test_unusable_files_are_skipped_and_an_empty_folder_is_an_error(tmp_path, capsys):
    (tmp_path / "broken.mid").write_bytes(b"not midi")
    with pytest.raises(DataError, match="no MIDI file"):
        load_folder(tmp_path)
    assert "broken.mid" in capsys.readouterr().err
    with pytest.raises(DataError, match="no such folder"):
        load_folder(tmp_path / "missing")


def test_train_lstm_on_a_folder(folder, tmp_path, capsys):
    out = tmp_path / "mine.pt"
    sets = ["epochs=2", "hidden=16", "embed_dim=16", "pitch_dim=8", "shifts=2"]
    argv = ["train", "lstm", "--data", str(folder), "--out", str(out), "--quiet", "--device", "cpu"]
    assert main(argv + [x for s in sets for x in ("--set", s)]) == 0
    meta = torch.load(out, weights_only=True)["meta"]
    assert meta["train_pieces"] == 4 and "user folder" in meta["data"]
    assert json.dumps(meta)  # plain values only


def test_train_on_a_folder_without_music_fails_in_one_line(tmp_path, capsys):
    assert main(["train", "lstm", "--data", str(tmp_path), "--quiet"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
