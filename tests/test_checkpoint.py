"""Crafted checkpoints that torch.load(weights_only=True) reads: one line, exit 2, no warning."""

import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import torch

from accompanist import harmonizers
from accompanist.checkpoint import check_array, check_config, check_indices
from accompanist.cli import main
from accompanist.harmonizers.markov import MarkovConfig

MODELS = Path(__file__).parent.parent / "models"
MELODY = Path(__file__).parent.parent / "midi_samples" / "ode-to-joy.mid"


def shipped(name):
    return torch.load(MODELS / f"{name}.pt", weights_only=True)


def counts(state):
    """The markov counts of one style, in the one-style or the per-style layout."""
    return next(iter(state["styles"].values())) if "styles" in state else state


def markov_index_out_of_range(p):
    index = counts(p["state"])["tri_index"].clone()
    index[1, 0] = 500  # the context chord: 0..109
    counts(p["state"])["tri_index"] = index


def markov_list_for_a_tensor(p):
    counts(p["state"])["uni"] = [1.0, 2.0]


def markov_negative_index(p):
    index = counts(p["state"])["tri_index"].clone()
    index[1, 0] = -1  # would wrap around to the last chord, silently
    counts(p["state"])["tri_index"] = index


def markov_unknown_style(p):
    one = {k: v for k, v in counts(p["state"]).items() if k not in ("config", "styles")}
    p["state"]["styles"] = {"banjo": one}


def lstm_mismatched_weights(p):
    weights = p["state"]["causal"]
    weights.pop(next(iter(weights)))
    weights["extra.weight"] = torch.zeros(3)


CASES = {
    "no-kind": ("markov", lambda p: p.pop("kind"), "'kind' must name a model family"),
    "list-kind": ("markov", lambda p: p.update(kind=["markov"]), "'kind' must name a model family"),
    "unknown-kind": ("markov", lambda p: p.update(kind="banjo"), "no installed family 'banjo'"),
    "version": ("markov", lambda p: p.update(version=7), "version 7; this Accompanist reads 1"),
    "state-a-list": ("markov", lambda p: p.update(state=[1]), "'state' must be a dict"),
    "config-a-list": ("markov", lambda p: p["state"].update(config=[1]), "config must be a dict"),
    "config-type": ("markov", lambda p: p["state"]["config"].update(k3="x"), "config.k3 must be float"),
    "config-key": ("markov", lambda p: p["state"]["config"].update(zz=1), "unknown setting 'zz'"),
    "markov-index": ("markov", markov_index_out_of_range, "does not fit family 'markov'"),
    "markov-list": ("markov", markov_list_for_a_tensor, "does not fit family 'markov'"),
    "markov-missing": ("markov", lambda p: counts(p["state"]).pop("bi"), "does not fit family 'markov'"),
    "lstm-weights": ("lstm", lstm_mismatched_weights, "its weights do not match the network (1 missing, 1"),
    "lstm-config": ("lstm", lambda p: p["state"]["config"].update(hidden=True), "config.hidden must be int"),
    "gan-weights-a-list": ("gan", lambda p: p["state"].update(offline=[1]), "does not fit family 'gan'"),
    "markov-negative-index": ("markov", markov_negative_index, "tri_index row 1: indices -1"),
    "markov-unknown-style": ("markov", markov_unknown_style, "styles must be a dict of some of"),
    "markov-k3-zero": (
        "markov",
        lambda p: p["state"]["config"].update(k3=0.0),
        "k3, k2, emission_smoothing > 0",
    ),
    "lstm-huge": ("lstm", lambda p: p["state"]["config"].update(hidden=100_000), "hidden 1-4096"),
    "gan-temperature": ("gan", lambda p: p["state"]["config"].update(temperature=-1.0), "temperature >= 0"),
}


def crafted(tmp_path, case):
    family, change, _ = CASES[case]
    payload = shipped(family)
    change(payload)
    path = tmp_path / f"{case}.pt"
    torch.save(payload, path)
    return path


@pytest.mark.parametrize("case", CASES)
def test_a_crafted_checkpoint_is_one_line_and_exit_2(tmp_path, capsys, case):
    path = crafted(tmp_path, case)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main(["harmonize", str(MELODY), "-o", str(tmp_path / "out.mid"), "--model", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"accompanist: error: checkpoint {path}: "), err
    assert CASES[case][2] in err
    assert [str(w.message) for w in caught] == []
    assert not (tmp_path / "out.mid").exists()


def test_the_command_shows_no_traceback_and_no_warning(tmp_path):
    path = crafted(tmp_path, "markov-index")
    command = [sys.executable, "-m", "accompanist", "harmonize", str(MELODY), "-o", str(tmp_path / "o.mid")]
    run = subprocess.run([*command, "--model", str(path)], capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "does not fit family 'markov'" in run.stderr, run.stderr


@pytest.mark.parametrize("name", ["markov", "lstm", "gan", "ensemble"])
def test_shipped_checkpoints_pass_the_checks(name):
    assert harmonizers.load(name).family == name


def test_check_config_types():
    assert check_config(MarkovConfig, {"k3": 5, "decode": "viterbi"}) == MarkovConfig(k3=5, decode="viterbi")
    for bad in ({"k3": True}, {"k3": float("nan")}, {"decode": 1}, {"nope": 1.0}):
        with pytest.raises(ValueError):
            check_config(MarkovConfig, bad)


def test_check_array_and_indices():
    import numpy as np

    good = np.zeros((2, 3), np.float32)
    assert check_array(torch.zeros(2, 3), "w", (2, None)).shape == (2, 3)
    assert check_array(good, "w", (None, 3)) is not None
    for value, shape, kinds in (([0.0], (1,), "f"), (good, (3, 2), "f"), (good, (2, 3), "i")):
        with pytest.raises(ValueError):
            check_array(value, "w", shape, kinds)
    with pytest.raises(ValueError, match="NaN"):
        check_array(np.array([np.nan]), "w", (1,))
    check_indices(np.array([[0, 1], [2, 0]]), "i", (2, 3))
    with pytest.raises(ValueError, match="row 1"):
        check_indices(np.array([[0, 1], [3, 0]]), "i", (2, 3))
    with pytest.raises(ValueError, match="row 0"):
        check_indices(np.array([[-1], [0]]), "i", (2, 3))
