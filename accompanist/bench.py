"""Cost figures for every family that loads: one causal step, and offline harmonization of a chorale.

A causal step is what a note waits for in the live loop: ``step_index`` with batch 1, on one
torch thread and one BLAS thread (two threads made p99 tens of milliseconds), after the
``prepare()`` the loop calls once the previous beat is answered. ``beat_us`` adds that
``prepare`` (the work the loop does between beats): the whole cost of a beat. Both are timed
beat by beat over the test chorales, ``reset()`` at each new piece (not timed), after a warm-up.
Offline time is one ``predict`` of a whole chorale. All come back as plain dicts, ready for JSON.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import numpy as np

from accompanist import harmonizers
from accompanist.errors import AccompanistError
from accompanist.harmonizers.base import Harmonizer
from accompanist.melody import Melody

WARMUP_STEPS = 50


def percentiles(seconds: Iterable[float], scale: float) -> dict[str, float]:
    """Median, p99 and count of durations, multiplied by ``scale`` (1e6 for microseconds)."""
    values = np.asarray(list(seconds)) * scale
    return {
        "p50": round(float(np.percentile(values, 50)), 1),
        "p99": round(float(np.percentile(values, 99)), 1),
        "n": int(len(values)),
    }


def step_times(model: Harmonizer, melodies: list[Melody], steps: int) -> tuple[list[float], list[float]]:
    """Seconds of each ``step_index`` call (prepared, as the live loop does) and of each beat's
    ``prepare`` plus ``step_index``, piece after piece, until ``steps`` were timed."""
    answers: list[float] = []
    beats: list[float] = []
    clock = time.perf_counter
    while len(answers) < steps + WARMUP_STEPS:
        for melody in melodies:
            model.reset(seed=0)
            for frame in melody.frames():
                start = clock()
                model.prepare()
                ready = clock()
                model.step_index(frame)
                end = clock()
                answers.append(end - ready)
                beats.append(end - start)
            if len(answers) >= steps + WARMUP_STEPS:
                break
    timed = slice(WARMUP_STEPS, WARMUP_STEPS + steps)
    return answers[timed], beats[timed]


def offline_times(model: Harmonizer, melodies: list[Melody]) -> list[float]:
    """Seconds of one offline ``predict`` per melody (after one untimed call)."""
    model.predict(melodies[0], seed=0)
    times = []
    for melody in melodies:
        start = time.perf_counter()
        model.predict(melody, seed=0)
        times.append(time.perf_counter() - start)
    return times


def loadable(names: list[str] | None, device: str) -> tuple[dict[str, Harmonizer], dict[str, str]]:
    """The models that load (default: every family's shipped checkpoint) and why the others did not."""
    models, skipped = {}, {}
    for name in names or harmonizers.available():
        try:
            models[name] = harmonizers.load(name, device=device)
        except AccompanistError as exc:
            skipped[name] = str(exc)
    return models, skipped


def bench_models(
    melodies: list[Melody], names: list[str] | None = None, device: str = "cpu", steps: int = 2000
) -> dict[str, Any]:
    """``step_us``, ``beat_us`` and ``offline_ms`` (per chorale) for every model that loads, on one
    thread."""
    from accompanist.live.realtime import single_threaded

    single_threaded()
    models, skipped = loadable(names, device)
    out: dict[str, Any] = {"step_us": {}, "beat_us": {}, "offline_ms": {}}
    for name, model in models.items():
        answers, beats = step_times(model, melodies, steps)
        out["step_us"][name] = percentiles(answers, 1e6)
        out["beat_us"][name] = percentiles(beats, 1e6)
        out["offline_ms"][name] = percentiles(offline_times(model, melodies), 1e3)
    if skipped:
        out["skipped"] = skipped
    return out
