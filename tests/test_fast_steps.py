"""The lean live paths give the reference maths' probabilities, beat by beat, on both test splits.

markov: the factored forward (and backward) passes against the dense float32 table; lstm: the
numpy steps against torch's ``CausalStepper``; the ensemble: stepping its members' fast paths
against stepping their reference paths. Shipped checkpoints, every beat of every test piece.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from accompanist import harmonizers
from accompanist.data import nottingham
from accompanist.harmonizers.ensemble import EnsembleHarmonizer, average

TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def models():
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the reference's torch steps, as live play runs them
    yield {name: harmonizers.load(name) for name in ("markov", "lstm")}
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def folk_test():
    if nottingham.data_dir() is None:
        pytest.skip("the Nottingham ABC files are not in ../shared/data/nottingham")
    from accompanist.data.corpora import corpus

    return corpus("nottingham").parts(progress=False)["test"]


@pytest.fixture(scope="module")
def reference_rows():
    """(family, split) -> each test piece's reference step probabilities, computed once."""
    return {}


def stepped(model, melody) -> np.ndarray:
    model.reset(seed=0)
    return np.stack([model.step_probabilities(frame) for frame in melody.frames()])


def reference_steps(model, pieces, split: str, cache: dict) -> list[np.ndarray]:
    if (model.family, split) not in cache:
        model.reference = True
        try:
            cache[model.family, split] = [stepped(model, piece.melody) for piece in pieces]
        finally:
            model.reference = False
    return cache[model.family, split]


def worst_difference(fast: list[np.ndarray], reference: list[np.ndarray]) -> float:
    assert [f.shape for f in fast] == [r.shape for r in reference]
    return max(float(np.abs(f - r).max()) for f, r in zip(fast, reference))


def check_family(model, pieces, split: str, cache: dict) -> None:
    model.use_style(STYLE[split])
    fast = [stepped(model, piece.melody) for piece in pieces]
    assert worst_difference(fast, reference_steps(model, pieces, split, cache)) < TOLERANCE


def check_ensemble(models, pieces, split: str, cache: dict) -> None:
    """Stepping an ensemble of the fast members gives the average of the members' reference steps."""
    members = [models["markov"], models["lstm"]]
    ensemble = EnsembleHarmonizer(members, [0.3, 0.7])
    ensemble.use_style(STYLE[split])
    fast = [stepped(ensemble, piece.melody) for piece in pieces]
    rows = [reference_steps(m, pieces, split, cache) for m in members]
    reference = [average(list(per_member), ensemble.weights) for per_member in zip(*rows)]
    assert worst_difference(fast, reference) < TOLERANCE


STYLE = {"chorales": "chorale", "nottingham": "folk"}


@pytest.mark.parametrize("name", ["markov", "lstm"])
def test_steps_equal_the_reference_on_every_chorale_test_beat(models, chorales, reference_rows, name):
    check_family(models[name], chorales["test"], "chorales", reference_rows)


def test_ensemble_steps_equal_the_reference_on_every_chorale_test_beat(models, chorales, reference_rows):
    check_ensemble(models, chorales["test"], "chorales", reference_rows)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["markov", "lstm"])
def test_steps_equal_the_reference_on_every_folk_test_beat(models, folk_test, reference_rows, name):
    check_family(models[name], folk_test, "nottingham", reference_rows)


@pytest.mark.slow
def test_ensemble_steps_equal_the_reference_on_every_folk_test_beat(models, folk_test, reference_rows):
    check_ensemble(models, folk_test, "nottingham", reference_rows)


@pytest.mark.parametrize("causal", [False, True])
def test_markov_factored_passes_equal_the_dense_table_offline(models, chorales, causal):
    markov = models["markov"]
    markov.use_style("chorale")
    for piece in chorales["test"]:
        fast = markov.probabilities(piece.melody, causal=causal)
        markov.reference = True
        try:
            reference = markov.probabilities(piece.melody, causal=causal)
        finally:
            markov.reference = False
        assert np.abs(fast - reference).max() < TOLERANCE, piece.id


def test_live_steps_use_neither_the_dense_table_nor_torch(models, chorales, monkeypatch):
    from accompanist.nn.lstm import CausalStepper

    markov, lstm = models["markov"], models["lstm"]
    markov.use_style("chorale")
    monkeypatch.setattr(markov, "t", dataclasses.replace(markov.t, trans=None))
    monkeypatch.setattr(CausalStepper, "probabilities", None)
    for model in (markov, lstm):
        model.reset()
        assert [model.step_index(frame) for frame in chorales["test"][0].melody.frames()]
