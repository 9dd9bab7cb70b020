"""A family installed by another package (an entry point) appears in --model, eval and live."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

PLUGIN = textwrap.dedent(
    '''
    """A tiny plug-in family: the major chord on the first melody note of each beat."""
    import numpy as np

    from accompanist import chords
    from accompanist.harmonizers.base import Harmonizer


    class RootHarmonizer(Harmonizer):
        family = "tinyroot"

        @classmethod
        def untrained(cls):
            return cls()

        def _chord(self, pitch):
            sounding = [p for p in pitch if p >= 0]
            return chords.index(sounding[0] % 12, 0) if sounding else chords.NO_CHORD

        def probabilities(self, melody, *, causal=False, seed=None):
            out = np.full((melody.n_beats, chords.VOCAB_SIZE), 1e-3)
            for t, frame in enumerate(melody.frames()):
                out[t, self._chord(frame.pitch)] = 1.0
            return out / out.sum(axis=1, keepdims=True)

        def reset(self, seed=None):
            pass

        def step_index(self, frame):
            return self._chord(frame.pitch)

        def state(self):
            return {}

        @classmethod
        def from_state(cls, state, device="cpu"):
            return cls()
    '''
)


@pytest.fixture
def plugin_env(tmp_path):
    (tmp_path / "tinyroot_family.py").write_text(PLUGIN)
    dist = tmp_path / "tinyroot_family-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: tinyroot-family\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[accompanist.harmonizers]\ntinyroot = tinyroot_family:RootHarmonizer\n"
    )
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
