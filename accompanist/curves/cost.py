"""What a trained model costs to run: live step latency, offline throughput, and its size, per device.

A live step is timed on one torch thread, as ``accompanist live`` runs, in sessions of
``SESSION_BEATS`` beats (a reset between them), over the melodies of the given pieces.
Throughput is offline beats harmonized per second over the pieces, after one warm-up piece.
A model moves to every device torch offers (CPU, and CUDA when present), unless its family has
no torch weights (markov), which is timed on the CPU only.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from accompanist.harmonizers.base import Harmonizer

SESSION_BEATS = 64
SEED = 0


def step_latency(model: Harmonizer, pieces: list, steps: int) -> dict[str, float]:
    """Milliseconds per live step on one torch thread: median and p99 over ``steps`` steps."""
    import torch

    frames = [f for p in pieces for f in p.melody.frames()]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    times = []
    try:
        for i in range(steps):
            if i % SESSION_BEATS == 0:
                model.reset(SEED)
            start = time.perf_counter()
            model.step_index(frames[i % len(frames)])
            times.append(time.perf_counter() - start)
    finally:
        torch.set_num_threads(threads)
    ms = np.array(times) * 1000
    return {"step_p50_ms": float(np.median(ms)), "step_p99_ms": float(np.percentile(ms, 99))}


def throughput(model: Harmonizer, pieces: list) -> float:
    """Offline beats harmonized per second over the pieces (after one warm-up piece)."""
    model.predict(pieces[0].melody, seed=SEED)
    start = time.perf_counter()
    beats = sum(len(model.predict(p.melody, seed=SEED)) for p in pieces)
    return beats / (time.perf_counter() - start)


def size(state: Any) -> int:
    """Numbers a model stores: the elements of every tensor or array in its state."""
    if isinstance(state, Mapping):
        return sum(size(v) for v in state.values())
    if isinstance(state, (list, tuple)):
        return sum(size(v) for v in state)
    if hasattr(state, "numel"):
        return int(state.numel())
    return int(state.size) if isinstance(state, np.ndarray) else 0


def devices() -> list[str]:
    """``cpu``, and ``cuda`` when torch sees a GPU."""
    import torch

    return ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]


def measure_cost(models: Mapping[str, Harmonizer], pieces: list, steps: int) -> list[dict[str, Any]]:
    """One row per model and device: size, step latency (p50, p99) and throughput; models end on CPU."""
    rows = []
    for name, model in models.items():
        movable = model.movable
        for device in devices() if movable else ["cpu"]:
            model.to(device)
            row = {"model": name, "device": device, "numbers": size(model.state())}
            row |= step_latency(model, pieces, steps)
            row["beats_per_s"] = throughput(model, pieces)
            rows.append(row)
        model.to("cpu")
    return rows
