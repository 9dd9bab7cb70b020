"""Train any family on named corpora (or a user's folder) and describe the run.

``train_family`` is what ``accompanist train``, the REPL and the learning-curve benchmark
share: it gathers the corpora's pieces (each carries its style; the families learn every style
they see), calls the family's ``fit`` and fills the checkpoint metadata (corpora and splits,
validation accuracy per style, the pace of chord changes per style, seconds, device).
"""

from __future__ import annotations

import platform
import random
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from accompanist import harmonizers
from accompanist.data.corpora import DEFAULT_STYLE, NAMES, corpus, folder_corpus
from accompanist.harmonizers.base import Harmonizer
from accompanist.pace import style_paces

TRAINING_CORPORA = NAMES  # every family learns both idioms unless told otherwise


def subset(pieces: list, fraction: float, seed: int = 0) -> list:
    """A deterministic share of the pieces (at least one), drawn with ``seed``."""
    if fraction >= 1.0:
        return list(pieces)
    order = list(pieces)
    random.Random(seed).shuffle(order)
    return order[: max(1, round(fraction * len(order)))]


def load_training_data(
    corpora: Sequence[str] = TRAINING_CORPORA, data: str | None = None, style: str = DEFAULT_STYLE
) -> tuple[dict[str, list], dict[str, Any]]:
    """Train/validation/test pieces of the named corpora (or a user's folder in ``style``) together,
    and a description of where they came from."""
    chosen = [folder_corpus(Path(data), style)] if data else [corpus(name) for name in corpora]
    parts: dict[str, list] = {"train": [], "validation": [], "test": []}
    for c in chosen:
        for name, pieces in c.parts().items():
            parts[name] += pieces
    sources = [c.source for c in chosen]
    return parts, {
        "data": " + ".join(s["data"] for s in sources),
        "split": " + ".join(s["split"] for s in sources),
        "corpora": sources,
    }


def validation_accuracy(model: Harmonizer, pieces: list) -> dict[str, dict[str, float]]:
    """Exact chord accuracy per style, offline and causal (beat-weighted), each style asked for."""
    out = {}
    for style in sorted({p.style for p in pieces}):
        model.use_style(style)
        chosen = [p for p in pieces if p.style == style]
        out[style] = {}
        for mode in ("offline", "causal"):
            hits = [model.predict(p.melody, causal=mode == "causal") == p.chords for p in chosen]
            out[style][mode] = float(np.concatenate(hits).mean()) if hits else float("nan")
    return out


def train_family(
    name: str,
    *,
    corpora: Sequence[str] = TRAINING_CORPORA,
    data: str | None = None,
    style: str = DEFAULT_STYLE,
    options: dict[str, str] | None = None,
    fraction: float = 1.0,
    device: str = "cpu",
    seed: int = 0,
    progress: bool = True,
) -> Harmonizer:
    """Fit a family on the training split; the model's ``meta`` describes the run."""
    cls = harmonizers.family(name)
    parts, source = load_training_data(corpora, data, style)
    train = subset(parts["train"], fraction, seed)
    start = time.perf_counter()
    model = cls.fit(
        train, parts["validation"], options=options or {}, device=device, seed=seed, progress=progress
    )
    seconds = time.perf_counter() - start
    model.meta = {
        **model.meta,
        **source,
        "train_pieces": len(train),
        "train_pieces_by_style": dict(Counter(p.style for p in train)),
        "pace": style_paces(train),
        "fraction": fraction,
        "seed": seed,
        "train_seconds": round(seconds, 2),
        "device": device,
        "machine": platform.machine(),
        "validation_accuracy": validation_accuracy(model, parts["validation"]),
        "options": dict(options or {}),
    }
    return model
