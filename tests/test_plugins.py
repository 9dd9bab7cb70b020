"""A family installed by another package (an entry point, tests/plugin_family.py) appears in
`harmonize --model`, `eval --models` and `live --model`, each run in a Python of its own."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from plugin_family import FAMILY, install

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def plugin_env(tmp_path):
    """The environment of a Python that has the plug-in package installed."""
    install(tmp_path)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env.get("PYTHONPATH", "")])
    return env


def run(args, env):
    return subprocess.run(
        [sys.executable, "-m", "accompanist", *args], env=env, capture_output=True, text=True
    )


def test_entry_point_family_is_listed(plugin_env):
    code = "from accompanist import harmonizers; print(harmonizers.available())"
    out = subprocess.run([sys.executable, "-c", code], env=plugin_env, capture_output=True, text=True)
    assert "tinyroot" in out.stdout


def test_entry_point_family_harmonizes_a_file(plugin_env, tmp_path):
    out_file = tmp_path / "out.mid"
    chords_file = tmp_path / "out.json"
    result = run(
        [
            "harmonize",
            str(FIXTURES / "type1.mid"),
            "-o",
            str(out_file),
            "--model",
            "tinyroot",
            "--chords",
            str(chords_file),
        ],
        plugin_env,
    )
    assert result.returncode == 0, result.stderr
    assert out_file.is_file()
    labels = [c["label"] for c in json.loads(chords_file.read_text())["chords"]]
    assert labels and all(label == "N" or label.endswith(":maj") for label in labels)


def test_unknown_model_is_one_clear_line(plugin_env, tmp_path):
    result = run(
        ["harmonize", str(FIXTURES / "type1.mid"), "-o", str(tmp_path / "x.mid"), "--model", "nosuch"],
        plugin_env,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "tinyroot" in result.stderr


def test_entry_point_family_is_scored_by_eval(plugin_env):
    result = run(["eval", "--models", FAMILY, "--limit", "2", "--json", "--device", "cpu"], plugin_env)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert list(doc["models"]) == [FAMILY]
    scores = doc["models"][FAMILY]
    # it ignores the future, so both modes score the same; its root chords hit some of Bach's
    assert 0 < scores["offline"]["accuracy"] == scores["causal"]["accuracy"] < 1
    assert 0 < scores["offline"]["pcs"] <= 1


LIVE = """
from accompanist import chords, cli
from accompanist.commands import live
from accompanist.melody import BeatFrame

live.prepare_process = lambda: None  # no real-time scheduling or locked memory in a test
args = cli.build_parser().parse_args(["live", "--model", "tinyroot", "--seed", "4"])
stepper = live._stepper(args)  # what `accompanist live` loads and warms before it opens a port
stepper.reset()
played = [BeatFrame.held(p, bar_pos=b % 4) for b, p in enumerate([62, 66, -1, 69])]
print(type(stepper.harmonizer).__name__, args.varies, args.pace)
print(" ".join(chords.to_label(stepper.step(frame)) for frame in played))
"""


def test_entry_point_family_answers_live(plugin_env):
    out = subprocess.run([sys.executable, "-c", LIVE], env=plugin_env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["RootHarmonizer False beat", "D:maj F#:maj N A:maj"]
