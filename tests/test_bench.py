"""`accompanist bench`: figures for every model that loads, JSON on stdout, sections by flag."""

import json

import numpy as np

from accompanist import chords, harmonizers
from accompanist.bench import bench_models, percentiles
from accompanist.cli import main
from accompanist.commands import bench as bench_command
from accompanist.harmonizers.base import Harmonizer
from accompanist.melody import Melody


class Constant(Harmonizer):
    """Always C major; counts its calls."""

    family = "test-bench-constant"
    steps = 0

    def probabilities(self, melody, *, causal=False, seed=None):
        probs = np.zeros((melody.n_beats, chords.VOCAB_SIZE))
        probs[:, 1] = 1.0
        return probs

    def reset(self, seed=None):
        pass

    def step_index(self, frame):
        Constant.steps += 1
        return 1

    def state(self):
        return {}

    @classmethod
    def from_state(cls, state, device="cpu"):
        return cls()

    @classmethod
    def untrained(cls):
        return cls()


harmonizers.register(Constant)
MELODIES = [Melody.from_notes([(b, 1.0, 60 + b) for b in range(n)]) for n in (5, 9)]


def test_percentiles_in_microseconds():
    assert percentiles([0.001] * 99 + [0.002], 1e6) == {"p50": 1000.0, "p99": 1010.0, "n": 100}


def test_every_model_that_loads_is_timed_and_the_others_say_why():
    Constant.steps = 0
    out = bench_models(MELODIES, [Constant.family, "no-such-family"], steps=30)
    assert out["step_us"][Constant.family]["n"] == 30
    assert Constant.steps >= 30 + 50  # the warm-up steps are not counted
    assert out["offline_ms"][Constant.family]["n"] == len(MELODIES)
    assert "no-such-family" in out["skipped"]


def test_json_on_stdout(capsys, chorales):
    argv = ["bench", "--json", "--models", "markov", Constant.family, "--steps", "20", "--pieces", "2"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["device"] == "cpu"
    assert set(result["step_us"]) == {"markov", Constant.family}
    assert {"p50", "p99"} <= set(result["step_us"]["markov"])


def test_sections_are_dispatched_by_flag_and_merged(monkeypatch, capsys, chorales):
    def fake(args):
        return {"extra_ms": {"floor": {"p50": 1.0}}, "skipped": {"gan": "no checkpoint"}}

    monkeypatch.setattr(bench_command, "SECTIONS", [("live", "fake live", fake)])
    argv = ["bench", "--json", "--models", Constant.family, "--steps", "5", "--pieces", "1", "--live"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["extra_ms"] == {"floor": {"p50": 1.0}}
    assert result["skipped"] == {"gan": "no checkpoint"}


def test_live_load_is_passed_to_the_live_bench(monkeypatch, capsys, chorales):
    from accompanist.live import bench_live

    calls = []

    def fake(families, **options):
        calls.append(options)
        return {"live_ms": {"floor": {"p50": 1.0, "p99": 2.0, "max": 3.0}}, "skipped": {}}

    monkeypatch.setattr(bench_live, "bench_live", fake)
    base = ["bench", "--models", Constant.family, "--steps", "5", "--pieces", "1", "--live"]
    assert main([*base, "--load"]) == 0
    assert "floor      live p50 1.0 ms, p99 2.0 ms, max 3.0 ms" in capsys.readouterr().out
    assert main(base) == 0
    assert [c["load"] for c in calls] == [True, False]
