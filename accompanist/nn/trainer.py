"""One training loop for every deep family, knowing nothing of the models it trains (minGPT style).

The caller gives the model, ``batches(epoch)`` (the epoch's batches, drawn with the caller's
own seeded RNG), ``validate(model)`` (higher is better) and either ``loss(model, batch)`` (the
supervised case: the trainer runs AdamW with a one-cycle schedule) or ``step``, a function that
takes the trainer and returns the per-batch update (``batch -> {name: loss}``), for models with
their own optimizers, such as a generator against a critic. Every update goes through
``Trainer.update``: backward, gradients averaged over the processes, clipped to ``grad_clip``.

``validate`` returns one score, or one per named part of the model (``{"offline": .., "causal":
..}`` for a ``ModuleDict`` with those parts): each part keeps the weights of its own best epoch.
The trainer shows a tqdm bar with the losses and the scores, stops early when no score has
improved for ``patience`` epochs, and returns the model holding the best weights.

Under ``torchrun`` (``WORLD_SIZE`` > 1) each process takes every ``world``-th batch of the epoch
and the gradients are averaged over the processes before each optimizer step (gloo on CPU, nccl
on GPU), as DistributedDataParallel does; all processes validate the same weights, so they
agree on when to stop.
"""

from __future__ import annotations

import copy
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import torch
from torch import nn

Batch = Any
A = TypeVar("A")
B = TypeVar("B")
Step = Callable[[Batch], dict[str, float]]
Scores = float | dict[str, float]


@dataclass
class TrainerConfig:
    epochs: int = 60
    lr: float = 3e-3
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    patience: int = 12
    seed: int = 0


@contextmanager
def distributed(device: str) -> Iterator[tuple[int, int, str]]:
    """(rank, world size, device) for this process; sets up and tears down torchrun's group."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1 or torch.distributed.is_initialized():
        yield (torch.distributed.get_rank() if world > 1 else 0), world, device
        return
    cuda = device.startswith("cuda")
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if cuda:
        torch.cuda.set_device(local)  # one GPU per process, or nccl puts every rank on GPU 0
    torch.distributed.init_process_group("nccl" if cuda else "gloo")
    try:
        yield torch.distributed.get_rank(), world, f"cuda:{local}" if cuda else device
    finally:
        torch.distributed.destroy_process_group()


def beside(here: Callable[[Callable[[], bool]], A], there: Callable[[], B]) -> tuple[A, B]:
    """``here(there_done)`` in this process while ``there()`` runs in a second (spawned) one;
    both results. ``there_done()`` tells ``here`` whether ``there`` has finished, so it can take
    the freed core.

    ``there`` must pickle (a module-level function, or a ``functools.partial`` of one). Two
    parts of a model that train apart (the lstm's two nets) train side by side on a 2-core CPU,
    one torch thread each, in about the time of the longer one. (The gan's two generators, each
    with its own critic, did not gain: its offline generator alone took 17 s an epoch on one
    core, against 15.5 s for both on two threads.)
    """
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        future = pool.submit(there)
        return here(future.done), future.result()


def train_apart(device: str, world: int, parallel: bool) -> bool:
    """Whether to train the parts in two processes (``beside``): on the CPU, outside torchrun."""
    return parallel and world == 1 and not str(device).startswith("cuda")


class Trainer:
    """Trains ``model`` on the caller's batches and loss (or step); keeps the best validated weights."""

    def __init__(
        self,
        config: TrainerConfig,
        model: nn.Module,
        batches: Callable[[int], Sequence[Batch]],
        loss: Callable[[nn.Module, Batch], torch.Tensor] | None = None,
        validate: Callable[[nn.Module], Scores] | None = None,
        *,
        step: Callable[[Trainer], Step] | None = None,
        rank: int = 0,
        world: int = 1,
        progress: bool = True,
        desc: str = "training",
        before_epoch: Callable[[int], None] | None = None,
    ) -> None:
        if (loss is None) == (step is None):
            raise ValueError("give the trainer a loss or a step, not both")
        self.config = config
        self.model = model
        self.batches = batches
        self.make_step = step or (lambda trainer: trainer._supervised_step(loss))
        self.validate = validate or (lambda model: float("nan"))
        self.rank, self.world = rank, world
        self.progress = progress and rank == 0
        self.desc = desc
        self.before_epoch = before_epoch  # called with each epoch's number before it trains
        self.epoch = self.total_steps = 0
        self.scores: dict[str, float] = {}
        self.best: dict[str, float] = {}
        self.best_epoch: dict[str, int] = {}
        self.history: list[dict[str, float]] = []

    @property
    def score(self) -> float:
        """The last epoch's validation score (the mean over the parts scored apart)."""
        return _mean(self.scores)

    @property
    def best_score(self) -> float:
        return _mean(self.best)

    def _my_batches(self, epoch: int) -> list[Batch]:
        """This process's share; every process gets the same number of batches."""
        batches = list(self.batches(epoch))
        usable = max(self.world, len(batches) // self.world * self.world)
        return [batches[i % len(batches)] for i in range(self.rank, usable, self.world)]

    def run(self) -> nn.Module:
        """Train until ``epochs`` or early stopping; return the model with the best weights loaded."""
        from tqdm import tqdm

        cfg = self.config
        torch.manual_seed(cfg.seed)
        if self.world > 1:  # every process starts from rank 0's weights, as DDP does
            for tensor in self.model.state_dict().values():
                torch.distributed.broadcast(tensor, 0)
        first = self._my_batches(0)
        self.total_steps = cfg.epochs * len(first)
        step = self.make_step(self)
        best_state: dict[str, Any] = {}
        bar = tqdm(range(cfg.epochs), desc=self.desc, disable=not self.progress, file=sys.stderr, leave=False)
        for self.epoch in bar:
            if self.before_epoch is not None:
                self.before_epoch(self.epoch)
            losses = self._train_epoch(step, first if self.epoch == 0 else self._my_batches(self.epoch))
            self.model.eval()
            with torch.no_grad():
                scores = self.validate(self.model)
            self.scores = scores if isinstance(scores, dict) else {"": float(scores)}
            row = {**losses, **self._score_row()}
            self.history.append({"epoch": self.epoch, **row})
            for part, score in self.scores.items():
                if not score <= self.best.get(part, float("nan")):  # also true the first time (nan)
                    self.best[part], self.best_epoch[part] = score, self.epoch
                    best_state[part] = copy.deepcopy(self._part(part).state_dict())
            bar.set_postfix({k: f"{v:.3f}" for k, v in row.items()}, best=f"{self.best_score:.3f}")
            if self.epoch - max(self.best_epoch.values()) >= cfg.patience:
                break
        for part, state in best_state.items():
            self._part(part).load_state_dict(state)
        self.model.eval()
        return self.model

    def update(
        self, loss: torch.Tensor, optimizer: torch.optim.Optimizer, params: Iterable[nn.Parameter]
    ) -> None:
        """One optimizer step on ``loss``: gradients averaged over the processes, then clipped."""
        params = list(params)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.world > 1:
            for p in params:
                if p.grad is not None:
                    torch.distributed.all_reduce(p.grad)
                    p.grad /= self.world
        nn.utils.clip_grad_norm_(params, self.config.grad_clip)
        optimizer.step()

    def one_cycle(self, optimizer: torch.optim.Optimizer, lr: float) -> Callable[[], None]:
        """A one-cycle learning-rate schedule over the whole run; call the result after each step.
        Outside a run (no steps planned yet) the rate stays at ``lr``."""
        if self.total_steps < 2:
            return lambda: None
        schedule = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=lr, total_steps=self.total_steps, pct_start=0.2
        )

        def advance() -> None:
            if schedule.last_epoch + 1 < schedule.total_steps:
                schedule.step()

        return advance

    def _supervised_step(self, loss_fn: Callable[[nn.Module, Batch], torch.Tensor]) -> Step:
        cfg = self.config
        params = list(self.model.parameters())
        optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
        advance = self.one_cycle(optimizer, cfg.lr)

        def step(batch: Batch) -> dict[str, float]:
            loss = loss_fn(self.model, batch)
            self.update(loss, optimizer, params)
            advance()
            return {"loss": loss.item()}

        return step

    def _train_epoch(self, step: Step, batches: list[Batch]) -> dict[str, float]:
        self.model.train()
        sums: dict[str, float] = {}
        for batch in batches:
            for name, value in step(batch).items():
                sums[name] = sums.get(name, 0.0) + value
        return {name: total / max(len(batches), 1) for name, total in sums.items()}

    def _score_row(self) -> dict[str, float]:
        return {part or "validation": score for part, score in self.scores.items()}

    def _part(self, part: str) -> nn.Module:
        return self.model[part] if part else self.model


def _mean(scores: dict[str, float]) -> float:
    return sum(scores.values()) / len(scores) if scores else float("nan")
