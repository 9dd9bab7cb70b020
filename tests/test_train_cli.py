"""`accompanist train`'s command line: --out checked before training, --subset, --set keys in the help."""

import os
from pathlib import Path

import pytest
from stubs import RootStub as SharedRootStub

from accompanist import harmonizers, training
from accompanist.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
STUB = "train-stub"
META = {
    "train_pieces": 3,
    "train_seconds": 0.5,
    "validation_accuracy": {"chorale": {"offline": 0.5, "causal": 0.4}},  # per style trained on
}


class RootStub(SharedRootStub):
    family = STUB


@pytest.fixture
def trained(monkeypatch):
    """train_family answers a stub model at once; ``calls`` counts the trainings started."""
    calls = []

    def train_family(name, **kwargs):
        calls.append(name)
        model = RootStub()
        model.meta = META
        return model

    harmonizers.register(RootStub)
    monkeypatch.setattr(training, "train_family", train_family)
    yield calls
    harmonizers._extra.pop(STUB, None)


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("accompanist: error: ") and "Traceback" not in err
    return err


def test_it_says_how_to_use_the_checkpoint_it_wrote(trained, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", STUB]) == 0
    out = capsys.readouterr().out
    assert f"wrote {STUB}.pt" in out
    assert f"use it with: accompanist harmonize IN.mid --model ./{STUB}.pt" in out
    assert main(["harmonize", str(FIXTURES / "type0.mid"), "-o", "out.mid", "--model", f"./{STUB}.pt"]) == 0


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.mkdir(), "is a folder; name a file"),
        (lambda p: p.write_bytes(b"an older model"), "exists; --force replaces it"),
        (lambda p: None, "no folder"),
    ],
)
def test_a_bad_out_is_refused_before_training(make, message, trained, tmp_path, capsys):
    out = tmp_path / "m.pt" if message != "no folder" else tmp_path / "missing" / "m.pt"
    make(out)
    assert main(["train", STUB, "--out", str(out)]) == 2
    assert message in one_error_line(capsys)
    assert trained == []


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="no /sys here")
def test_an_unwritable_folder_is_refused_before_training(trained, capsys):
    assert main(["train", STUB, "--out", "/sys/m.pt"]) == 2  # even root cannot make files in /sys
    assert "/sys" in one_error_line(capsys) and trained == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_is_never_an_out_even_with_force(trained, tmp_path, capsys):
    os.mkfifo(tmp_path / "m.pt")
    assert main(["train", STUB, "--out", str(tmp_path / "m.pt"), "--force"]) == 2
    assert "not a regular file" in one_error_line(capsys)


def test_force_replaces_and_mkdir_creates(trained, tmp_path, capsys):
    (tmp_path / "m.pt").write_bytes(b"an older model")
    assert main(["train", STUB, "--out", str(tmp_path / "m.pt"), "--force"]) == 0
    assert isinstance(harmonizers.load(str(tmp_path / "m.pt")), RootStub)  # a checkpoint now
    assert main(["train", STUB, "--out", str(tmp_path / "new" / "m.pt"), "--mkdir"]) == 0
    assert (tmp_path / "new" / "m.pt").is_file()
    assert f"--model {tmp_path / 'new' / 'm.pt'}" in capsys.readouterr().out


@pytest.mark.parametrize("subset", ["0", "-1", "1.5", "nan", "half"])
def test_subset_is_a_share_above_0_up_to_1(subset, trained, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["train", STUB, "--subset", subset])
    assert stop.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    share = f"give a share above 0 and at most 1 (0.5 = half), not {subset!r}"
    assert lines[0] == f"accompanist: error: argument --subset: {share}"
    assert lines[1:] == ["  see: accompanist train --help"] and trained == []


def test_help_lists_every_familys_settings(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = capsys.readouterr().out
    assert "settings (--set KEY=VALUE; the defaults):" in out
    for family, key in [
        ("markov", "k3="),
        ("lstm", "hidden="),
        ("gan", "adversarial_weight="),
        ("ensemble", "members="),
    ]:
        assert f"  {family}: " in out and key in out
