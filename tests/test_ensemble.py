"""The ensemble: a weighted average of its members, causal steps that agree, weights tuned, checkpoints."""

import numpy as np
import pytest

from accompanist import chords, harmonizers
from accompanist.harmonizers.base import Harmonizer
from accompanist.harmonizers.ensemble import EnsembleHarmonizer, simplex_grid, tune_weights
from accompanist.melody import Melody

V = chords.VOCAB_SIZE


class Fixed(Harmonizer):
    """Causal: a distribution that depends on the melody so far (its running pitch sum), offline: on all."""

    family = "test-ensemble-fixed"

    def __init__(self, shift=0):
        self.shift = shift

    def probabilities(self, melody, *, causal=False, seed=None):
        pitch = np.maximum(melody.pitch.reshape(-1, 4)[:, 0], 0).astype(float)
        key = np.cumsum(pitch) if causal else np.full(len(pitch), pitch.sum())
        probs = np.full((melody.n_beats, V), 0.1 / (V - 1))
        probs[np.arange(melody.n_beats), (key.astype(int) + self.shift) % V] = 0.9
        return probs

    def reset(self, seed=None):
        pass

    def step_index(self, frame):
        raise NotImplementedError

    def state(self):
        return {"shift": self.shift}

    @classmethod
    def from_state(cls, state, device="cpu"):
        return cls(state["shift"])


@pytest.fixture(autouse=True)
def registered():
    harmonizers.register(Fixed)
    harmonizers.register(EnsembleHarmonizer)
    yield
    harmonizers._extra.pop(Fixed.family, None)
    harmonizers._extra.pop(EnsembleHarmonizer.family, None)


MELODY = Melody.from_notes([(0, 1, 60), (1, 1, 62), (2, 2, 64), (4, 1, 65)])


def test_probabilities_are_the_weighted_average():
    a, b = Fixed(0), Fixed(5)
    both = EnsembleHarmonizer([a, b], [3, 1])
    expected = 0.75 * a.probabilities(MELODY) + 0.25 * b.probabilities(MELODY)
    assert np.allclose(both.probabilities(MELODY), expected)
    assert np.allclose(both.probabilities(MELODY).sum(axis=1), 1.0)


def test_live_steps_agree_with_the_causal_run():
    both = EnsembleHarmonizer([Fixed(0), Fixed(5)], [0.6, 0.4])
    both.reset()
    steps = [both.step_index(frame) for frame in MELODY.frames()]
    assert steps == both.predict(MELODY, causal=True).tolist()


class Stepped(Fixed):
    """Fixed, stepped one beat at a time from a running pitch sum; counts full-melody runs."""

    family = "test-ensemble-stepped"

    def __init__(self, shift=0):
        super().__init__(shift)
        self.full_runs = 0

    def probabilities(self, melody, *, causal=False, seed=None):
        self.full_runs += 1
        return super().probabilities(melody, causal=causal, seed=seed)

    def reset(self, seed=None):
        self.sum = 0

    def step_probabilities(self, frame):
        self.sum += max(frame.pitch[0], 0)
        row = np.full(V, 0.1 / (V - 1))
        row[(self.sum + self.shift) % V] = 0.9
        return row


def test_members_with_step_probabilities_are_stepped_once_a_beat_never_rerun():
    members = [Stepped(0), Stepped(5)]
    both = EnsembleHarmonizer(members, [0.6, 0.4])
    both.reset()
    rows = [both.step_probabilities(frame) for frame in MELODY.frames()]
    assert all(m.full_runs == 0 for m in members)
    assert np.allclose(rows, both.probabilities(MELODY, causal=True))


def test_weights_are_tuned_towards_the_member_that_is_right():
    class Piece:
        melody = MELODY
        chords = Fixed(5).predict(MELODY)

    # every weight that favours Fixed(5) is all right; the first such grid point is chosen
    assert tune_weights([Fixed(0), Fixed(5)], [Piece()]) == [0.0, 1.0]
    assert len(simplex_grid(3)) == 66 and all(sum(w) == pytest.approx(1) for w in simplex_grid(3))


def test_checkpoint_round_trip(tmp_path):
    both = EnsembleHarmonizer([Fixed(0), Fixed(7)], [1, 3])
    both.save(tmp_path / "ens.pt", {"note": "test"})
    loaded = harmonizers.load(str(tmp_path / "ens.pt"))
    assert isinstance(loaded, EnsembleHarmonizer) and loaded.weights == [0.25, 0.75]
    assert [m.shift for m in loaded.members] == [0, 7]
    assert np.allclose(loaded.probabilities(MELODY), both.probabilities(MELODY))


def test_bad_weights_are_refused():
    for weights in ([1.0], [-1.0, 2.0], [0.0, 0.0]):
        with pytest.raises(ValueError):
            EnsembleHarmonizer([Fixed(0), Fixed(1)], weights)


class Sampling(Fixed):
    """Fixed that samples: it records the seeds it is asked to vary to and takes a temperature."""

    family = "test-ensemble-sampling"

    def __init__(self, shift=0):
        super().__init__(shift)
        self.varied, self.temperature = [], None

    def vary(self, seed):
        self.varied.append(seed)

    def use_temperature(self, temperature):
        self.temperature = temperature
        return True


def test_vary_reaches_every_member_and_varies_if_any_member_does():
    sampling, plain = Sampling(0), Fixed(5)
    both = EnsembleHarmonizer([sampling, plain])
    assert both.varies and sampling.varies and not plain.varies
    both.vary(7)
    assert sampling.varied == [7]
    assert not EnsembleHarmonizer([Fixed(0), Fixed(5)]).varies


def test_use_temperature_reaches_every_member_and_is_taken_if_any_member_takes_it():
    first, second = Sampling(0), Sampling(5)
    assert EnsembleHarmonizer([Fixed(0), first, second]).use_temperature(0.5)
    assert first.temperature == second.temperature == 0.5
    assert not EnsembleHarmonizer([Fixed(0), Fixed(5)]).use_temperature(0.5)
