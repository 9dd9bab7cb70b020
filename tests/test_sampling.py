"""``--temperature T`` on harmonize and eval: taken by models that sample, refused by the others."""

from pathlib import Path

import pytest
from stubs import RootStub as SharedRootStub
from stubs import SamplerStub as SharedSamplerStub

from accompanist import harmonizers
from accompanist.cli import main
from accompanist.commands import sampling
from accompanist.errors import AccompanistError

SAMPLES = Path(__file__).parent.parent / "midi_samples"
ROOT, SAMPLER = "test-sampling-root", "test-sampling-sampler"


class RootStub(SharedRootStub):
    family = ROOT


class SamplerStub(SharedSamplerStub):
    family = SAMPLER


@pytest.fixture(autouse=True)
def stubs():
    harmonizers.register(RootStub)
    harmonizers.register(SamplerStub)
    yield
    harmonizers._extra.pop(ROOT, None)
    harmonizers._extra.pop(SAMPLER, None)


def harmonize(model, *args):
    source = SAMPLES / "twinkle-twinkle.mid"
    return main(["harmonize", str(source), "--model", model, "--device", "cpu", "--changes", "beat", *args])


def test_harmonize_at_temperature_zero_takes_the_likeliest_chords(tmp_path, capsys):
    out = tmp_path / "take.mid"
    assert harmonize(SAMPLER, "--temperature", "0", "-o", str(out)) == 0
    sheet = capsys.readouterr().out.split("\n", 2)[2]  # under the header and the key line
    symbols = {cell for cell in sheet.split() if cell not in ("bar", "|", "/") and not cell.isdigit()}
    assert symbols and all(symbol.endswith("m") for symbol in symbols) and out.is_file()  # minor chords


def test_a_model_that_does_not_sample_refuses_the_temperature_in_one_line(tmp_path, capsys):
    out = tmp_path / "take.mid"
    assert harmonize(ROOT, "--temperature", "0.5", "-o", str(out)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"--temperature: {ROOT} does not sample" in err
    assert not out.exists()


@pytest.mark.parametrize("value", ["-1", "nan", "hot"])
def test_a_bad_temperature_is_one_option_error(value, capsys):
    with pytest.raises(SystemExit) as exit_:
        harmonize(SAMPLER, "--temperature", value)
    assert exit_.value.code == 2
    assert "a temperature is a number, 0 or more" in capsys.readouterr().err


def test_among_several_models_those_that_do_not_sample_are_noted(capsys):
    models = {ROOT: RootStub(), SAMPLER: SamplerStub()}
    sampling.apply(models, 0.25)
    assert models[SAMPLER].config.temperature == 0.25
    assert f"--temperature ignored by {ROOT}" in capsys.readouterr().err
    sampling.apply(models, None)  # no option: each keeps its own
    assert models[SAMPLER].config.temperature == 0.25
    with pytest.raises(AccompanistError, match=f"{ROOT}, {ROOT}2 do not sample"):
        sampling.apply({ROOT: RootStub(), f"{ROOT}2": RootStub()}, 0.5)


def test_eval_refuses_a_temperature_no_model_takes(capsys):
    assert main(["eval", "--models", ROOT, "--device", "cpu", "--temperature", "0.5"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "does not sample" in captured.err
