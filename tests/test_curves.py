"""The learning-curve experiment: its plan, and a tiny run end to end that writes tables and plots."""

import json

import pytest

from accompanist.curves import QUICK, run_curves
from accompanist.curves.cost import size
from accompanist.curves.experiment import epochs_for, plan


def test_smaller_shares_get_more_epochs_up_to_three_times():
    assert [epochs_for(10, f) for f in (1.0, 0.5, 0.25, 0.1, 0.05)] == [10, 14, 20, 30, 30]
    jobs = plan(["markov", "lstm"], [0.1, 1.0], {"markov": 3}, {"lstm": 10})
    assert [(j.family, j.fraction, j.seed, j.epochs) for j in jobs] == [
        ("markov", 0.1, 0, None),
        ("markov", 0.1, 1, None),
        ("markov", 0.1, 2, None),
        ("markov", 1.0, 0, None),
        ("markov", 1.0, 1, None),
        ("markov", 1.0, 2, None),
        ("lstm", 0.1, 0, 30),
        ("lstm", 1.0, 0, 10),
    ]


def test_size_counts_every_stored_number():
    import numpy as np
    import torch

    assert (
        size({"a": torch.zeros(3, 4), "b": [np.ones(5), {"c": torch.ones(2)}], "d": "text", "e": 1.0}) == 19
    )


@pytest.mark.usefixtures("chorales")  # builds the data cache once per machine
def test_quick_curves_write_tables_plots_and_results(tmp_path):
    results = run_curves(tmp_path, **QUICK, progress=False)
    assert {(r["family"], r["fraction"]) for r in results["runs"]} == {("markov", 0.05), ("lstm", 0.05)}
    assert all(0 <= r["test"][m] <= 1 for r in results["runs"] for m in ("offline", "causal"))
    (mix,) = results["ensemble"]
    assert sum(mix["weights"].values()) == pytest.approx(1.0)
    best = max(r["test"]["offline"] for r in results["runs"])
    assert mix["test"]["offline"] >= best - 0.1  # tuned on validation, so close to the better member
    assert {(row["model"], row["device"]) for row in results["cost"]} >= {
        ("markov", "cpu"),
        ("lstm", "cpu"),
        ("ensemble", "cpu"),
    }
    assert all(
        row["step_p99_ms"] >= row["step_p50_ms"] > 0 and row["beats_per_s"] > 0 for row in results["cost"]
    )
    readme = (tmp_path / "README.md").read_text()
    assert "| markov | 5% | 14 | 1 |" in readme and "| ensemble | 5% |" in readme
    for png in ("accuracy.png", "train_time.png", "cost.png"):
        assert f"]({png})" in readme
        assert (tmp_path / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((tmp_path / "results.json").read_text())["runs"] == results["runs"]
