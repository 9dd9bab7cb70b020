"""How the live loop asks a harmonizer for a chord: directly, or within a budget with a fallback.

``DirectStepper`` calls ``step_index`` on the loop's worker, and ``prepare`` once the answer is
out (``Harmonizer.prepare``: the next step's work that needs no melody). ``FallbackStepper``
runs the main model on a thread of its own and waits for it at most ``budget`` seconds; when it
misses, the fallback model (the baseline, ``--fallback markov``) answers that beat. Both models
hear every beat, so their states stay in step; a main model more than ``max_backlog`` beats
behind skips beats until it catches up, rather than building a queue. ``vary`` hands both models
the next seed's idea (``Harmonizer.vary``: it keeps what they heard); the loop calls it at phrase
boundaries.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Protocol

from accompanist.harmonizers.base import Harmonizer
from accompanist.melody import BeatFrame


class Stepper(Protocol):
    """The loop's view of a model: a streaming session of chord indices."""

    def reset(self) -> None: ...

    def step(self, frame: BeatFrame) -> int: ...

    def prepare(self) -> None: ...

    def vary(self) -> None: ...

    def close(self) -> None: ...


def next_seed(seed: int | None) -> int:
    """The seed of the next idea (None is a model's default seed, 0)."""
    return (0 if seed is None else seed) + 1


class DirectStepper:
    """Steps one harmonizer on the caller's thread."""

    def __init__(self, harmonizer: Harmonizer, seed: int | None = None) -> None:
        self.harmonizer = harmonizer
        self.seed = seed

    def reset(self) -> None:
        self.harmonizer.reset(self.seed)

    def step(self, frame: BeatFrame) -> int:
        return self.harmonizer.step_index(frame)

    def prepare(self) -> None:
        self.harmonizer.prepare()

    def vary(self) -> None:
        """A new idea from the next step on (``Harmonizer.vary``); a later reset keeps it."""
        self.seed = next_seed(self.seed)
        self.harmonizer.vary(self.seed)

    def close(self) -> None:
        pass


class FallbackStepper:
    """The main model within a time budget per step, else the fallback's chord for that step."""

    def __init__(
        self,
        main: Harmonizer,
        fallback: Harmonizer,
        budget: float,
        seed: int | None = None,
        max_backlog: int = 4,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.main, self.fallback = main, fallback
        self.budget, self.seed, self.max_backlog, self.clock = budget, seed, max_backlog, clock
        self.missed = 0  # steps the fallback answered
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="accompanist-model")
        self._pending: deque[Future] = deque()

    def reset(self) -> None:
        self._submit(self.main.reset, self.seed, always=True)
        self.fallback.reset(self.seed)

    def step(self, frame: BeatFrame) -> int:
        deadline = self.clock() + self.budget
        future = self._submit(self.main.step_index, frame)
        quick = self.fallback.step_index(frame)
        if future is not None:
            try:
                return future.result(timeout=max(0.0, deadline - self.clock()))
            except FutureTimeout:
                pass
        self.missed += 1
        return quick

    def prepare(self) -> None:
        """Both models do ahead what they can of the next step, the main one on its own thread."""
        self._submit(self.main.prepare)
        self.fallback.prepare()

    def vary(self) -> None:
        """A new idea for both models, the main one on its own thread after the steps it owes."""
        self.seed = next_seed(self.seed)
        self._submit(self.main.vary, self.seed, always=True)
        self.fallback.vary(self.seed)

    def _submit(self, fn: Callable, *args: object, always: bool = False) -> Future | None:
        while self._pending and self._pending[0].done():
            self._pending.popleft().result()  # a model's exception surfaces here
        if len(self._pending) >= self.max_backlog and not always:
            return None
        future = self._pool.submit(fn, *args)
        self._pending.append(future)
        return future

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
