"""Train any family on the chorale split (or a user's MIDI folder) and describe the run.

``train_family`` is what ``accompanist train``, the REPL and the learning-curve benchmark
share: it picks the data, calls the family's ``fit`` and fills the checkpoint metadata
(data, split, validation accuracy, seconds, device).
"""

from __future__ import annotations

import hashlib
import platform
import random
import time
from pathlib import Path
from typing import Any

import numpy as np

from accompanist import harmonizers
from accompanist.harmonizers.base import Harmonizer


def subset(pieces: list, fraction: float, seed: int = 0) -> list:
    """A deterministic share of the pieces (at least one), drawn with ``seed``."""
    if fraction >= 1.0:
        return list(pieces)
    order = list(pieces)
    random.Random(seed).shuffle(order)
    return order[: max(1, round(fraction * len(order)))]


def load_training_data(data: str | None = None) -> tuple[dict[str, list], dict[str, Any]]:
    """Train/validation/test pieces and a description of where they came from."""
    if data:
        from accompanist.data.user import load_midi_folder, split_folder

        parts = split_folder(load_midi_folder(Path(data)))
        return parts, {"data": f"user MIDI folder {Path(data).name}", "split": "90/10 by file name hash"}
    from accompanist.data import load_chorales, split_pieces
    from accompanist.data.split import SPLIT_FILE

    digest = hashlib.sha1(SPLIT_FILE.read_bytes()).hexdigest()[:12]
    return split_pieces(load_chorales()), {"data": "music21 Bach chorales", "split": f"split.json {digest}"}


def validation_accuracy(model: Harmonizer, pieces: list) -> dict[str, float]:
    """Exact chord accuracy on pieces, offline and causal (beat-weighted)."""
    out = {}
    for mode in ("offline", "causal"):
        hits = [model.predict(p.melody, causal=mode == "causal") == p.chords for p in pieces]
        out[mode] = float(np.concatenate(hits).mean()) if hits else float("nan")
    return out


def train_family(
    name: str,
    *,
    data: str | None = None,
    options: dict[str, str] | None = None,
    fraction: float = 1.0,
    device: str = "cpu",
    seed: int = 0,
    progress: bool = True,
) -> Harmonizer:
    """Fit a family on the training split; the model's ``meta`` describes the run."""
    cls = harmonizers.family(name)
    parts, source = load_training_data(data)
    train = subset(parts["train"], fraction, seed)
    start = time.perf_counter()
    model = cls.fit(
        train, parts["validation"], options=options or {}, device=device, seed=seed, progress=progress
    )
    seconds = time.perf_counter() - start
    model.meta = {
        **getattr(model, "meta", {}),
        **source,
        "train_pieces": len(train),
        "fraction": fraction,
        "seed": seed,
        "train_seconds": round(seconds, 2),
        "device": device,
        "machine": platform.machine(),
        "validation_accuracy": validation_accuracy(model, parts["validation"]),
        "options": dict(options or {}),
    }
    return model
