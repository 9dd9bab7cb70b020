"""Score harmonizers on held-out pieces, offline and causal, next to the corpus's own chords.

``evaluate`` returns one plain dict (what ``accompanist eval --json`` prints)::

    {"split": "test", "corpus": "chorales", "style": "chorale", "changes": "auto",
     "models": {"markov": {"offline": {"accuracy": ..., "root_accuracy": ..., "majmin": ...,
                                       "che": ..., "cc": ..., "ctd": ..., "ctnctr": ..., "pcs": ...,
                                       "mctd": ..., "note_in_chord": ..., "nll": ...},
                           "causal": {...}}},
     "reference": {"che": ..., "cc": ..., "ctd": ..., "ctnctr": ..., "pcs": ..., "mctd": ...,
                   "note_in_chord": ..., "changes_per_bar": ...},
     "floor": {"accuracy": ..., ...}}

The reference row scores the human chords (Bach's, or the lead sheets') with the metrics that
do not compare against them (its accuracy would be 1 by definition). The floor row holds each
piece's first chord throughout: a harmonizer that does not beat it has learned nothing of the
melody. Every model harmonizes in ``style`` at the pace ``changes``
(``accompanist.pace``). A value is None where no piece defines it (``nll`` for a model whose
``probabilities`` raises NotImplementedError). Aggregation over pieces is described
in ``accompanist.metrics``. Models are run with seed 0 so that generative ones are repeatable.

A family adds its own numbers with ``Harmonizer.extra_metrics(pieces, causal=bool, changes=pace)``:
the dict it returns is merged into that mode's metrics (the GAN reports diversity across seeds, at
the same pace as the rest of its row).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from accompanist import chords, metrics, pace
from accompanist.harmonizers.base import Harmonizer
from accompanist.melody import Melody

if TYPE_CHECKING:
    from accompanist.data import Piece

MODES = ("offline", "causal")
MODEL_METRICS = (
    "accuracy",
    "root_accuracy",
    "majmin",
    "che",
    "cc",
    "ctd",
    "ctnctr",
    "pcs",
    "mctd",
    "note_in_chord",
    "changes_per_bar",
    "nll",
)
REFERENCE_METRICS = ("che", "cc", "ctd", "ctnctr", "pcs", "mctd", "note_in_chord", "changes_per_bar")
SEED = 0
REFERENCE_NAMES = {"chorales": "Bach", "nottingham": "lead sheets"}


def evaluate(
    models: dict[str, Harmonizer],
    pieces: list[Piece],
    modes: tuple[str, ...] = MODES,
    progress: bool = True,
    split: str = "test",
    corpus: str = "chorales",
    style: str = "chorale",
    changes: str = "auto",
) -> dict[str, Any]:
    """Metrics of every model in every mode, of the reference chords and of the floor."""
    for model in models.values():
        model.use_style(style)
    return {
        "split": split,
        "corpus": corpus,
        "style": style,
        "changes": changes,
        "models": {
            name: {mode: evaluate_mode(model, pieces, mode, progress, name, changes) for mode in modes}
            for name, model in models.items()
        },
        "reference": reference_metrics(pieces),
        "floor": floor_metrics(pieces),
    }


def reference_metrics(pieces: list[Piece]) -> dict[str, float | None]:
    """The chord-only and melody-dependent metrics of the pieces' own chords."""
    scores = metrics.aggregate([metrics.piece_metrics(p.melody, p.chords) for p in pieces])
    return {key: scores.get(key) for key in REFERENCE_METRICS}


def hold_first_chord(reference: np.ndarray) -> np.ndarray:
    """The piece's first chord (other than N) on every beat."""
    labelled = reference[reference != chords.NO_CHORD]
    return np.full(len(reference), labelled[0] if len(labelled) else chords.NO_CHORD)


def floor_metrics(pieces: list[Piece]) -> dict[str, float | None]:
    """Every model metric (but NLL) of holding each piece's first chord throughout."""
    rows = [metrics.piece_metrics(p.melody, hold_first_chord(p.chords), p.chords) for p in pieces]
    return {key: value for key, value in metrics.aggregate(rows).items() if key in MODEL_METRICS}


def evaluate_mode(
    model: Harmonizer,
    pieces: list[Piece],
    mode: str,
    progress: bool = False,
    name: str = "",
    changes: str = "auto",
) -> dict[str, float | None]:
    """One model in one mode ("offline" or "causal") over every piece."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose from {MODES}")
    from tqdm import tqdm

    causal = mode == "causal"
    rows = []
    for piece in tqdm(pieces, desc=f"{name} {mode}".strip(), disable=not progress, file=sys.stderr):
        predicted, probabilities = predict(model, piece.melody, causal, changes)
        rows.append(metrics.piece_metrics(piece.melody, predicted, piece.chords, probabilities))
    scores = metrics.aggregate(rows)
    out = {key: scores.get(key) for key in MODEL_METRICS}
    out.update(model.extra_metrics(pieces, causal=causal, changes=changes))
    return out


def predict(
    model: Harmonizer, melody: Melody, causal: bool, changes: str = "auto"
) -> tuple[np.ndarray, np.ndarray | None]:
    """Chord indices per beat at the pace asked for, and the probabilities (None if the model gives none)."""
    try:
        probabilities = model.probabilities(melody, causal=causal, seed=SEED)
    except NotImplementedError:
        probabilities = None
    beat_pace = pace.resolve(changes, model) == "beat"
    if beat_pace and probabilities is not None and model.predict_is_argmax:
        return probabilities.argmax(axis=1), probabilities  # what predict() would compute again
    return pace.predict(model, melody, causal=causal, seed=SEED, changes=changes), probabilities


def format_table(results: dict[str, Any]) -> str:
    """The results as a text table: one row per model and mode, then the reference; 3 decimals."""
    rows = [
        (f"{name} {mode}", values)
        for name, by_mode in results["models"].items()
        for mode, values in by_mode.items()
    ]
    rows.append((f"reference ({REFERENCE_NAMES.get(results.get('corpus'), 'human')})", results["reference"]))
    if "floor" in results:
        rows.append(("hold first chord", results["floor"]))
    columns = list(dict.fromkeys(k for _, values in rows for k in values))
    cells = [[label] + [_cell(values.get(k)) for k in columns] for label, values in rows]
    corpus = f" ({results['corpus']})" if "corpus" in results else ""
    header = [f"split: {results['split']}{corpus}"] + columns
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]
    return "\n".join(_line(line, widths) for line in [header, ["-" * w for w in widths], *cells])


def _line(cells: list[str], widths: list[int]) -> str:
    """The row label left-aligned, numbers right-aligned."""
    (label, *numbers), (first, *rest) = cells, widths
    return "  ".join([label.ljust(first)] + [c.rjust(w) for c, w in zip(numbers, rest, strict=True)])


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, (int, float)) else str(value)
