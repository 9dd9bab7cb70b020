"""The Harmonizer contract (``accompanist.harmonizers.base``), held by every family the same way.

Each test runs over the shipped ``markov``, ``lstm``, ``gan`` and ``ensemble`` (loaded by name, as
``--model`` loads them) and the test plug-in ``tinyroot`` (tests/plugin_family.py, found through
its entry point), on a few short melodies: a 4/4 tune, a 3/4 tune with a pickup and a 2/4 line
with rests. A new family is held to it by adding its name to ``FAMILIES``.
"""

import copy
import sys

import numpy as np
import pytest
from plugin_family import FAMILY as PLUGIN_FAMILY
from plugin_family import MODULE as PLUGIN_MODULE
from plugin_family import install

from accompanist import chords, harmonizers, pace
from accompanist.harmonizers.ensemble import EnsembleHarmonizer
from accompanist.live.realtime import one_blas_thread
from accompanist.melody import Melody

MIXED = f"ensemble:gan+{PLUGIN_FAMILY}"  # a sampling member and one without step_probabilities
FAMILIES = ("markov", "lstm", "gan", "ensemble", PLUGIN_FAMILY, MIXED)
V = chords.VOCAB_SIZE
SEED = 3


def cut(melody: Melody, beats: int) -> Melody:
    """The first ``beats`` beats of a melody."""
    steps = 4 * beats
    return Melody(melody.pitch[:steps], melody.onset[:steps], melody.bar_pos[:beats])


# the first four bars of Ode to Joy (4/4, a dotted quarter and an eighth in bar 4)
ODE = Melody.from_notes(
    [(b, 1, p) for b, p in enumerate([64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64])]
    + [(12, 1.5, 64), (13.5, 0.5, 62), (14, 2, 62)]
)
# Amazing Grace's first line (3/4, a pickup beat, two eighths in bar 2)
GRACE = Melody.from_notes(
    [(0, 1, 62), (1, 2, 67), (3, 0.5, 71), (3.5, 0.5, 67), (4, 2, 71), (6, 1, 69)]
    + [(7, 2, 67), (9, 1, 64), (10, 2, 62), (12, 1, 62), (13, 2, 67)],
    beats_per_bar=3,
    first_bar_pos=2,
)
# a 2/4 line starting on the offbeat, with a whole beat of rest and a rest inside a beat
WITH_RESTS = Melody.from_notes(
    [(0, 1, 67), (1, 0.5, 72), (1.5, 0.5, 71), (2, 1, 69), (4, 1.5, 65), (6, 1, 64), (7, 2, 60)],
    beats_per_bar=2,
    first_bar_pos=1,
)
MELODIES = {"ode-to-joy": ODE, "amazing-grace": GRACE, "with-rests": WITH_RESTS}
EMPTY = Melody(np.zeros(0, np.int16), np.zeros(0, bool), np.zeros(0, np.int8))


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """One BLAS thread, as `accompanist eval` and live play run: on a busy 2-core machine a second
    OpenBLAS thread makes these small products some 100 times slower."""
    one_blas_thread()


@pytest.fixture(scope="module")
def plugin_installed(tmp_path_factory):
    """The plug-in family on ``sys.path``, with its entry point, for this module's tests."""
    folder = str(install(tmp_path_factory.mktemp("plugin")))
    sys.path.insert(0, folder)
    yield
    sys.path.remove(folder)
    sys.modules.pop(PLUGIN_MODULE, None)


@pytest.fixture(scope="module")
def loaded(request):
    """Each family's model, loaded by its name (the plug-in's through its entry point) once; and an
    ensemble of the gan and the plug-in, whose live steps run the plug-in on the melody so far."""
    models = {}

    def get(name):
        if name not in models:
            if name == MIXED:
                models[name] = EnsembleHarmonizer([get("gan"), get(PLUGIN_FAMILY)], [0.7, 0.3])
            else:
                if name == PLUGIN_FAMILY:
                    request.getfixturevalue("plugin_installed")
                models[name] = harmonizers.load(name)
        return models[name]

    return get


@pytest.fixture(params=FAMILIES)
def model(request, loaded):
    """A copy of each family's loaded model, for a test to change (style, temperature, session)."""
    return copy.deepcopy(loaded(request.param))


@pytest.fixture(params=list(MELODIES))
def melody(request):
    return MELODIES[request.param]


def stepped(model, melody, seed):
    """The labels of a live session: ``reset(seed)``, then one ``step`` per beat."""
    model.reset(seed)
    return [model.step(frame) for frame in melody.frames()]


@pytest.mark.parametrize("causal", [False, True])
def test_probabilities_are_one_distribution_per_beat(model, melody, causal):
    probs = model.probabilities(melody, causal=causal, seed=SEED)
    assert probs.shape == (melody.n_beats, V)
    assert np.isfinite(probs).all() and (probs >= 0).all()
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-4)


@pytest.mark.parametrize("causal", [False, True])
def test_the_same_seed_gives_the_same_chords(model, melody, causal):
    first = model.harmonize(melody, causal=causal, seed=SEED)
    assert len(first) == melody.n_beats and set(first) <= set(chords.LABELS)
    assert model.harmonize(melody, causal=causal, seed=SEED) == first


@pytest.mark.parametrize("seed", [None, SEED])
def test_the_causal_run_is_a_live_session(model, melody, seed):
    assert model.harmonize(melody, causal=True, seed=seed) == stepped(model, melody, seed)


def test_the_causal_run_ignores_the_future(model, melody):
    full = model.predict(melody, causal=True, seed=SEED)
    full_probs = model.probabilities(melody, causal=True, seed=SEED)
    for beats in (1, melody.n_beats // 2, melody.n_beats - 1):
        prefix = cut(melody, beats)
        assert list(model.predict(prefix, causal=True, seed=SEED)) == list(full[:beats])
        assert np.allclose(model.probabilities(prefix, causal=True, seed=SEED), full_probs[:beats], atol=1e-6)


def test_step_probabilities_are_the_causal_rows_or_none(model, melody):
    model.reset(SEED)
    rows = [model.step_probabilities(frame) for frame in melody.frames()]
    if rows[0] is None:  # the family gives none (then it was not advanced)
        assert all(row is None for row in rows)
        return
    # a sampling family's rows lie along the chords its seed draws, as the causal run's do
    assert np.allclose(np.stack(rows), model.probabilities(melody, causal=True, seed=SEED), atol=1e-5)


@pytest.mark.parametrize("causal", [False, True])
def test_predict_is_argmax_means_what_it_says(model, melody, causal):
    if not model.predict_is_argmax:
        pytest.skip(f"{model.family}'s predict is not the argmax of its probabilities")
    probs = model.probabilities(melody, causal=causal, seed=SEED)
    assert list(model.predict(melody, causal=causal, seed=SEED)) == list(probs.argmax(axis=1))


@pytest.mark.parametrize("rate", ["half", "bar"])
@pytest.mark.parametrize("causal", [False, True])
def test_chords_change_only_where_the_pace_allows(model, melody, rate, causal):
    may_change = pace.change_points(melody.bar_pos, rate)
    spans = np.asarray(model.predict_spans(melody, may_change, causal=causal, seed=SEED))
    assert spans.shape == (melody.n_beats,) and ((spans >= 0) & (spans < V)).all()
    changed = np.flatnonzero(spans[1:] != spans[:-1]) + 1
    assert may_change[changed].all(), f"changes at beats {changed[~may_change[changed]]}"
    if causal:  # live play holds the chord chosen at each change point
        held = pace.hold(model.predict(melody, causal=True, seed=SEED), may_change)
        assert list(spans) == list(held)


def test_each_style_works_and_an_unknown_one_does_not_raise(model):
    melody = MELODIES["ode-to-joy"]
    before = model.probabilities(melody, seed=SEED)
    probs = {}
    for style in [*model.styles, "no-such-style"]:
        model.use_style(style)
        assert model.style == style
        probs[style] = model.probabilities(melody, seed=SEED)
        assert probs[style].shape == (melody.n_beats, V)
        assert np.allclose(probs[style].sum(axis=1), 1.0, atol=1e-4)
        assert model.harmonize(melody, causal=True, seed=SEED) == stepped(model, melody, SEED)
    if model.styles:  # each learned idiom gives chords of its own
        for a, b in zip(model.styles, model.styles[1:]):
            assert not np.allclose(probs[a], probs[b]), (a, b)
    else:  # a family without a style input ignores the request
        assert np.array_equal(probs["no-such-style"], before)


def test_varies_says_whether_vary_changes_the_chords_that_follow(model):
    melody = MELODIES["ode-to-joy"]
    frames = melody.frames()
    plain = stepped(model, melody, SEED)
    tails = []
    for other in (SEED + 1, SEED + 2, SEED + 3):
        model.reset(SEED)
        head = [model.step(frame) for frame in frames[:8]]
        model.vary(other)
        tails.append([model.step(frame) for frame in frames[8:]])
        assert head == plain[:8]
    if model.varies:
        assert any(tail != plain[8:] for tail in tails)
    else:
        assert all(tail == plain[8:] for tail in tails)


def test_use_temperature_answers_whether_the_family_samples(model):
    melody = MELODIES["amazing-grace"]
    before = {causal: model.harmonize(melody, causal=causal, seed=SEED) for causal in (False, True)}
    taken = model.use_temperature(0.0)
    assert isinstance(taken, bool)
    for causal in (False, True):
        chosen = model.predict(melody, causal=causal, seed=SEED)
        if taken:  # temperature 0: always the likeliest chord
            probs = model.probabilities(melody, causal=causal, seed=SEED)
            assert list(chosen) == list(probs.argmax(axis=1))
        else:  # False, changing nothing
            assert model.harmonize(melody, causal=causal, seed=SEED) == before[causal]
    assert model.use_temperature(5.0) is taken
    if taken and not model.predict_is_argmax:  # hot: the draws leave the likeliest chords
        probs = model.probabilities(melody, seed=SEED)
        assert list(model.predict(melody, seed=SEED)) != list(probs.argmax(axis=1))


def test_save_and_load_give_the_same_chords(model, tmp_path):
    path = tmp_path / f"{model.family}.pt"
    model.save(path)
    again = harmonizers.load(str(path))
    rebuilt = type(model).from_state(model.state())
    assert type(again) is type(model) and again.meta == getattr(model, "meta", {})
    for melody in MELODIES.values():
        for causal in (False, True):
            expected = model.probabilities(melody, causal=causal, seed=SEED)
            for other in (again, rebuilt):
                assert np.allclose(other.probabilities(melody, causal=causal, seed=SEED), expected, atol=1e-6)
                assert other.harmonize(melody, causal=causal, seed=SEED) == model.harmonize(
                    melody, causal=causal, seed=SEED
                )


def test_an_empty_melody_gives_no_rows_offline(model):
    assert model.probabilities(EMPTY, seed=SEED).shape == (0, V)
    assert model.harmonize(EMPTY, seed=SEED) == []
    assert len(model.predict_spans(EMPTY, np.zeros(0, bool), seed=SEED)) == 0


def test_an_empty_melody_gives_no_rows_causal(model):
    assert model.probabilities(EMPTY, causal=True, seed=SEED).shape == (0, V)
    assert model.harmonize(EMPTY, causal=True, seed=SEED) == []
    assert len(model.predict_spans(EMPTY, np.zeros(0, bool), causal=True, seed=SEED)) == 0
