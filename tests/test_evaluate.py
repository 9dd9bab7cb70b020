"""evaluate(): the result's schema with a stub model on two tiny pieces; `accompanist eval` output."""

import json
from typing import Any

import numpy as np
import pytest

from accompanist import chords, harmonizers
from accompanist.commands import eval as eval_command
from accompanist.data import Piece
from accompanist.evaluate import MODEL_METRICS, REFERENCE_METRICS, evaluate, format_table
from accompanist.harmonizers.base import Harmonizer
from accompanist.melody import BeatFrame, Melody


class RootTriad(Harmonizer):
    """Answers the major triad on the pitch class of each beat's first step; N on a rest."""

    family = "test-no-checkpoint"

    def _index(self, frame: BeatFrame) -> int:
        return chords.NO_CHORD if frame.pitch[0] < 0 else chords.index(frame.pitch[0] % 12, 0)

    def probabilities(self, melody: Melody, *, causal: bool = False, seed: int | None = None) -> np.ndarray:
        probs = np.full((melody.n_beats, chords.VOCAB_SIZE), 0.1 / (chords.VOCAB_SIZE - 1))
        probs[np.arange(melody.n_beats), [self._index(f) for f in melody.frames()]] = 0.9
        return probs

    def reset(self, seed: int | None = None) -> None:
        pass

    def step_index(self, frame: BeatFrame) -> int:
        return self._index(frame)

    def state(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_state(cls, state: dict[str, Any], device: str = "cpu") -> "RootTriad":
        return cls()

    def extra_metrics(self, pieces: list, causal: bool, changes: str = "auto") -> dict[str, float]:
        return {} if causal else {"diversity": 0.0}


class RootStub(RootTriad):
    """The same, loadable by family name without a checkpoint."""

    family = "test-root-stub"

    @classmethod
    def untrained(cls) -> "RootStub":
        return cls()


@pytest.fixture
def stubs():
    for cls in (RootStub, RootTriad):
        harmonizers.register(cls)
    yield
    for cls in (RootStub, RootTriad):
        harmonizers._extra.pop(cls.family, None)


def piece(piece_id: str, notes: list, labels: list[str]) -> Piece:
    melody = Melody.from_notes(notes)
    chord_seq = np.array([chords.from_label(x) for x in labels], dtype=np.int16)
    satb = np.full((melody.n_beats, 4), -1, dtype=np.int16)
    return Piece(id=piece_id, tune=piece_id, melody=melody, chords=chord_seq, satb=satb)


PIECES = [
    piece("a", [(0, 1, 60), (1, 1, 67), (2, 1, 69)], ["C:maj", "G:maj", "F:maj"]),
    piece("b", [(0, 1, 64), (1, 1, 67)], ["C:maj", "G:7"]),
]


def test_evaluate_schema_and_values():
    results = evaluate({"stub": RootStub()}, PIECES, progress=False)
    assert results.keys() == {"split", "corpus", "style", "changes", "models", "reference", "floor"}
    assert (results["split"], results["corpus"], results["style"]) == ("test", "chorales", "chorale")
    offline = results["models"]["stub"]["offline"]
    assert list(offline) == [*MODEL_METRICS, "diversity"]
    assert list(results["models"]["stub"]["causal"]) == list(MODEL_METRICS)
    assert list(results["reference"]) == list(REFERENCE_METRICS)
    # stub: C G A | E G against C G F | C G:7 -> exact C, G; roots C, G, G; majmin reads G:7 as G:maj
    assert offline["accuracy"] == pytest.approx(2 / 5)
    assert offline["root_accuracy"] == pytest.approx(3 / 5)
    assert offline["majmin"] == pytest.approx(3 / 5)
    assert offline["note_in_chord"] == 1.0  # every note is its own chord's root
    assert offline["nll"] == pytest.approx((2 * -np.log(0.9) + 3 * -np.log(0.1 / 108)) / 5)
    assert results["reference"]["cc"] == pytest.approx(2.5)  # 3 chords, then 2: mean over pieces
    assert results["reference"]["changes_per_bar"] == pytest.approx(3 / 2)  # 2 + 1 changes, a bar each
    # the floor holds C throughout: right on both first beats of 5
    assert results["floor"]["accuracy"] == pytest.approx(2 / 5)
    assert results["floor"]["changes_per_bar"] == 0.0 and "nll" not in results["floor"]
    json.loads(json.dumps(results))


def test_format_table_has_a_row_per_model_and_mode_and_the_reference():
    table = format_table(evaluate({"stub": RootStub()}, PIECES, progress=False))
    lines = table.splitlines()
    assert lines[0].split()[:2] == ["split:", "test"] and "note_in_chord" in lines[0]
    assert [line.split()[0] for line in lines[2:]] == ["stub", "stub", "reference", "hold"]
    assert "0.400" in lines[2] and lines[4].count("-") >= 4  # reference has no accuracy or nll


def run_cli(argv: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    from accompanist.cli import main

    monkeypatch.setattr(
        eval_command, "load_pieces", lambda split, limit=None, corpus="chorales": PIECES[:limit]
    )
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_eval_cli_json_is_one_object(stubs, monkeypatch, capsys, tmp_path):
    path = tmp_path / "mine.pt"
    RootStub().save(path)
    argv = ["eval", "--json", "--device", "cpu", "--limit", "1", "--models", RootStub.family, str(path)]
    code, out, _ = run_cli(argv, monkeypatch, capsys)
    assert code == 0
    results = json.loads(out)
    assert list(results["models"]) == [RootStub.family, "mine"]
    assert results["models"]["mine"]["offline"]["accuracy"] == pytest.approx(2 / 3)


def test_eval_cli_takes_a_corpus_and_a_style_and_says_them_in_the_json(stubs, monkeypatch, capsys):
    argv = ["eval", "--json", "--models", RootStub.family, "--corpus", "nottingham", "--style", "chorale"]
    code, out, _ = run_cli(argv, monkeypatch, capsys)
    results = json.loads(out)
    assert code == 0 and (results["corpus"], results["style"], results["changes"]) == (
        "nottingham",
        "chorale",
        "auto",
    )
    argv = ["eval", "--json", "--models", RootStub.family, "--corpus", "nottingham", "--changes", "bar"]
    results = json.loads(run_cli(argv, monkeypatch, capsys)[1])
    assert results["style"] == "folk"  # the corpus's own
    assert results["models"][RootStub.family]["offline"]["changes_per_bar"] == 0.0  # one bar each


def test_eval_cli_default_models_skip_a_missing_checkpoint(stubs, monkeypatch, capsys):
    families = [RootStub.family, RootTriad.family]
    monkeypatch.setattr(harmonizers, "available", lambda: families)
    code, out, err = run_cli(["eval", "--device", "cpu"], monkeypatch, capsys)
    assert code == 0
    assert f"skipping {RootTriad.family}" in err
    assert out.splitlines()[2].startswith(RootStub.family) and "reference" in out


def test_eval_cli_unknown_model_is_one_line_error(monkeypatch, capsys):
    code, out, err = run_cli(["eval", "--models", "no-such-family"], monkeypatch, capsys)
    assert code == 2 and out == "" and err.count("\n") == 1


class CountingTriad(RootTriad):
    """RootTriad that counts its predict calls; ``predict_is_argmax`` left as overriding it makes it."""

    family = "test-counting-triad"
    calls = 0

    def predict(self, melody, *, causal=False, seed=None):
        type(self).calls += 1
        return super().predict(melody, causal=causal, seed=seed)


class ArgmaxCountingTriad(CountingTriad):
    predict_is_argmax = True


def test_evaluate_takes_the_argmax_of_the_probabilities_only_where_predict_is_argmax():
    from accompanist.harmonizers.gan import GANHarmonizer

    assert RootTriad.predict_is_argmax and not GANHarmonizer.predict_is_argmax
    assert not CountingTriad.predict_is_argmax and ArgmaxCountingTriad.predict_is_argmax
    CountingTriad.calls = ArgmaxCountingTriad.calls = 0
    scores = {
        cls: evaluate({"stub": cls()}, PIECES, progress=False, changes="beat")["models"]
        for cls in (RootTriad, CountingTriad, ArgmaxCountingTriad)
    }
    assert CountingTriad.calls == 2 * len(PIECES)  # both modes
    assert ArgmaxCountingTriad.calls == 0
    assert scores[RootTriad] == scores[CountingTriad] == scores[ArgmaxCountingTriad]
