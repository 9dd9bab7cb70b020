"""harmonizers.load by family name: the Harmonizer hooks default_checkpoint() and untrained()."""

import numpy as np
import pytest
from stubs import RootStub

from accompanist import chords, harmonizers
from accompanist.errors import CheckpointError
from accompanist.harmonizers.base import Harmonizer


class Plain(Harmonizer):
    """Neither hook of its own: the base class's defaults."""

    family = "test-load-plain"

    def probabilities(self, melody, *, causal=False, seed=None):
        return np.full((melody.n_beats, chords.VOCAB_SIZE), 1 / chords.VOCAB_SIZE)

    def reset(self, seed=None):
        pass

    def step_index(self, frame):
        return chords.NO_CHORD

    def state(self):
        return {}

    @classmethod
    def from_state(cls, state, device="cpu"):
        return cls()


class Elsewhere(RootStub):
    """Its checkpoint lives where default_checkpoint says; RootStub's untrained otherwise."""

    family = "test-load-elsewhere"
    path = None

    @classmethod
    def default_checkpoint(cls):
        return cls.path


@pytest.fixture(autouse=True)
def registered():
    for cls in (Plain, Elsewhere):
        harmonizers.register(cls)
    yield
    for cls in (Plain, Elsewhere):
        harmonizers._extra.pop(cls.family, None)
    Elsewhere.path = None


def test_the_base_hooks_default_to_the_registry_path_and_no_fallback():
    assert Plain.default_checkpoint() is None and Plain.untrained() is None
    with pytest.raises(CheckpointError, match="test-load-plain.pt"):  # missing, no fallback
        harmonizers.load(Plain.family)


def test_untrained_is_the_fallback_for_a_missing_checkpoint():
    assert type(harmonizers.load(Elsewhere.family)) is Elsewhere


def test_default_checkpoint_names_the_file_loaded(tmp_path):
    Elsewhere.path = tmp_path / "mine.pt"
    Elsewhere().save(Elsewhere.path, {"mine": True})
    assert harmonizers.load(Elsewhere.family).meta == {"mine": True}


def test_the_declared_flags_and_meta_have_defaults_and_follow_overrides():
    class Moves(Plain):
        def to(self, device):
            return self

    class Declared(Moves):
        movable = False  # overrides to() but says it moves nothing

    plain, other = Plain(), Plain()
    assert not plain.movable and not plain.varies and plain.predict_is_argmax
    assert Moves().movable and not Declared().movable
    assert plain.meta == {} and plain.meta is not other.meta  # each model its own
    plain.meta = {"train_seconds": 1.0}
    assert plain.meta == {"train_seconds": 1.0} and other.meta == {}
    assert not plain.use_temperature(0.5)  # a family that does not sample refuses it
    flags = {name: harmonizers.family(name).movable for name in ("markov", "lstm", "gan", "ensemble")}
    assert flags == {"markov": False, "lstm": True, "gan": True, "ensemble": True}
