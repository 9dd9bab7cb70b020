"""The numpy inference gives the reference maths' probabilities, beat by beat, on both test splits.

markov: the factored forward (and backward) passes against the dense float32 table; lstm: the
numpy nets (steps and whole melodies) against torch's ChordNets; gan: the numpy sampler against
torch's Generators teacher-forced with the same noise and chords; the ensemble: stepping its
members' fast paths against their references. Shipped checkpoints, every beat of every test piece.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from torch_reference import gan_probabilities, lstm_probabilities

from accompanist import harmonizers
from accompanist.data import nottingham
from accompanist.harmonizers.ensemble import EnsembleHarmonizer, average

TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def models():
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield {name: harmonizers.load(name) for name in ("markov", "lstm", "gan")}
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def folk_test():
    if nottingham.data_dir() is None:
        pytest.skip("the Nottingham ABC files are not in ../shared/data/nottingham")
    from accompanist.data.corpora import corpus

    return corpus("nottingham").parts(progress=False)["test"]


@pytest.fixture(scope="module")
def reference_cache():
    """(family, split) -> each test piece's reference step probabilities, computed once."""
    return {}


def stepped(model, melody) -> np.ndarray:
    model.reset(seed=0)
    return np.stack([model.step_probabilities(frame) for frame in melody.frames()])


def reference_rows(model, melody) -> np.ndarray:
    """One piece's reference step probabilities: markov's dense steps, torch's causal runs."""
    if model.family == "lstm":
        return lstm_probabilities(model, melody, causal=True)
    model.reference = True
    try:
        return stepped(model, melody)
    finally:
        model.reference = False


def reference_steps(model, pieces, split: str, cache: dict) -> list[np.ndarray]:
    if (model.family, split) not in cache:
        cache[model.family, split] = [reference_rows(model, piece.melody) for piece in pieces]
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
def test_steps_equal_the_reference_on_every_chorale_test_beat(models, chorales, reference_cache, name):
    check_family(models[name], chorales["test"], "chorales", reference_cache)


def test_ensemble_steps_equal_the_reference_on_every_chorale_test_beat(models, chorales, reference_cache):
    check_ensemble(models, chorales["test"], "chorales", reference_cache)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["markov", "lstm"])
def test_steps_equal_the_reference_on_every_folk_test_beat(models, folk_test, reference_cache, name):
    check_family(models[name], folk_test, "nottingham", reference_cache)


@pytest.mark.slow
def test_ensemble_steps_equal_the_reference_on_every_folk_test_beat(models, folk_test, reference_cache):
    check_ensemble(models, folk_test, "nottingham", reference_cache)


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


def check_offline(model, pieces) -> None:
    """The deep families' whole-melody runs (offline and causal) against torch's."""
    for piece in pieces:
        for causal in (False, True):
            if model.family == "lstm":
                fast = model.probabilities(piece.melody, causal=causal)
                reference = lstm_probabilities(model, piece.melody, causal=causal)
            else:
                fast, reference = gan_probabilities(model, piece.melody, causal=causal, seed=3)
            assert np.abs(fast - reference).max() < TOLERANCE, (piece.id, causal)


@pytest.mark.parametrize("name", ["lstm", "gan"])
def test_whole_melodies_equal_torch_on_every_chorale_test_beat(models, chorales, name):
    models[name].use_style("chorale")
    check_offline(models[name], chorales["test"])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["lstm", "gan"])
def test_whole_melodies_equal_torch_on_every_folk_test_beat(models, folk_test, name):
    models[name].use_style("folk")
    check_offline(models[name], folk_test)


def test_gan_steps_are_its_causal_run(models, chorales):
    """The gan's reference for steps: stepping draws what the causal run draws (checked against
    torch in check_offline), beat for beat."""
    gan = models["gan"]
    for piece in chorales["test"][:10]:
        gan.reset(seed=7)
        rows = np.stack([gan.step_probabilities(frame) for frame in piece.melody.frames()])
        assert np.array_equal(rows, gan.probabilities(piece.melody, causal=True, seed=7))


def stepped_prepared(model, melody, vary_at: int | None = None) -> np.ndarray:
    """Steps as the live loop takes them: ``prepare`` once each answer is out (twice here: it must
    do its work once), ``vary`` (where asked) between the prepare and the step it applies to."""
    model.reset(seed=0)
    rows = []
    for beat, frame in enumerate(melody.frames()):
        if beat == vary_at:
            model.vary(5)
        rows.append(model.step_probabilities(frame))
        model.prepare()
        model.prepare()
    return np.stack(rows)


@pytest.mark.parametrize("name", ["markov", "lstm", "gan", "ensemble"])
def test_prepared_steps_are_the_steps_bit_for_bit(models, chorales, name):
    """``prepare`` between beats moves work ahead and changes no number, seeds and ideas included."""
    if name == "ensemble":
        model = EnsembleHarmonizer([models["markov"], models["lstm"]], [0.3, 0.7])
    else:
        model = models[name]
    model.use_style("chorale")
    for piece in chorales["test"][:6]:
        for vary_at in (None, 5):
            prepared = stepped_prepared(model, piece.melody, vary_at)
            model.reset(seed=0)
            plain = []
            for beat, frame in enumerate(piece.melody.frames()):
                if beat == vary_at:
                    model.vary(5)
                plain.append(model.step_probabilities(frame))
            assert np.array_equal(prepared, np.stack(plain)), (piece.id, vary_at)


INFERENCE = """
import sys
from accompanist import harmonizers
from accompanist.midi.melody import melody_notes, to_melody
from accompanist.midi.read import read_midi
score = read_midi("midi_samples/ode-to-joy.mid")
melody = to_melody(score, melody_notes(score))
for name in ("markov", "lstm", "gan", "ensemble"):
    model = harmonizers.load(name)
    model.harmonize(melody), model.harmonize(melody, causal=True)
    model.reset()
    [model.step(frame) for frame in melody.frames()]
print(sorted(m for m in ("torch", "scipy", "mir_eval") if m in sys.modules))
"""


def test_inference_imports_neither_torch_nor_scipy():
    root = Path(__file__).resolve().parent.parent
    run = subprocess.run([sys.executable, "-c", INFERENCE], capture_output=True, text=True, cwd=root)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]", run.stdout + run.stderr
