"""The test plug-in family ``tinyroot``, installed the way another package would install it.

``install(folder)`` writes its module and a ``*.dist-info`` whose entry point lists it in the group
``accompanist.harmonizers``; with ``folder`` on ``sys.path`` (or ``PYTHONPATH``) the registry finds it
like any installed family. tests/test_plugins.py runs it through the command line, and
tests/test_contract.py holds it to the Harmonizer contract next to the shipped families.
"""

import textwrap
from pathlib import Path

FAMILY = "tinyroot"
MODULE = "tinyroot_family"

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


def install(folder: Path) -> Path:
    """Write the plug-in's module and its entry point into ``folder``; return ``folder``."""
    (folder / f"{MODULE}.py").write_text(PLUGIN)
    dist = folder / f"{MODULE}-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: tinyroot-family\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[accompanist.harmonizers]\n{FAMILY} = {MODULE}:RootHarmonizer\n")
    return folder
