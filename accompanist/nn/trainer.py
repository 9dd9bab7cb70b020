"""A supervised training loop that knows nothing of the model it trains (minGPT style).

The caller gives the model, ``batches(epoch)`` (the epoch's batches, drawn with the caller's
own seeded RNG), ``loss(model, batch)`` and ``validate(model) -> float`` (higher is better).
The trainer runs AdamW with a one-cycle schedule and gradient clipping, shows a tqdm bar with
the loss and the validation score, stops early when validation has not improved for
``patience`` epochs, and returns the model holding the best epoch's weights. Callbacks
(``on_batch_end``, ``on_epoch_end``) see the trainer itself.

Under ``torchrun`` (``WORLD_SIZE`` > 1) the model is wrapped in DistributedDataParallel (gloo
on CPU, nccl on GPU) and each process takes every ``world``-th batch of the epoch; all
processes validate the same weights, so they agree on when to stop.
"""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

Batch = Any


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


class Trainer:
    """Trains ``model`` on the caller's batches and loss; keeps the best validated weights."""

    def __init__(
        self,
        config: TrainerConfig,
        model: nn.Module,
        batches: Callable[[int], Sequence[Batch]],
        loss: Callable[[nn.Module, Batch], torch.Tensor],
        validate: Callable[[nn.Module], float],
        *,
        rank: int = 0,
        world: int = 1,
        progress: bool = True,
        desc: str = "training",
    ) -> None:
        self.config = config
        self.model = model
        self.batches = batches
        self.loss_fn = loss
        self.validate = validate
        self.rank, self.world = rank, world
        self.progress = progress and rank == 0
        self.desc = desc
        self.epoch = self.step = 0
        self.loss = self.score = self.best_score = float("nan")
        self.best_epoch = -1
        self.history: list[dict[str, float]] = []

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
        net = self._wrap(self.model)
        optimizer = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        per_epoch = len(self._my_batches(0))
        schedule = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=cfg.lr, total_steps=cfg.epochs * per_epoch, pct_start=0.2
        )
        best_state = copy.deepcopy(self.model.state_dict())
        bar = tqdm(range(cfg.epochs), desc=self.desc, disable=not self.progress, file=sys.stderr, leave=False)
        for self.epoch in bar:
            self.loss = self._train_epoch(net, optimizer, schedule)
            self.model.eval()
            with torch.no_grad():
                self.score = float(self.validate(self.model))
            self.history.append({"epoch": self.epoch, "loss": self.loss, "validation": self.score})
            if not self.score <= self.best_score:  # also true for the first epoch (nan)
                self.best_score, self.best_epoch = self.score, self.epoch
                best_state = copy.deepcopy(self.model.state_dict())
            bar.set_postfix(loss=f"{self.loss:.3f}", val=f"{self.score:.3f}", best=f"{self.best_score:.3f}")
            if self.epoch - self.best_epoch >= cfg.patience:
                break
        self.model.load_state_dict(best_state)
        self.model.eval()
        return self.model

    def _wrap(self, model: nn.Module) -> nn.Module:
        if self.world == 1:
            return model
        return nn.parallel.DistributedDataParallel(model)

    def _train_epoch(self, net: nn.Module, optimizer, schedule) -> float:
        net.train()
        total, count = 0.0, 0
        for batch in self._my_batches(self.epoch):
            loss = self.loss_fn(net, batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(self.model.parameters(), self.config.grad_clip)
            optimizer.step()
            if schedule.last_epoch + 1 < schedule.total_steps:
                schedule.step()
            total, count = total + loss.item(), count + 1
            self.step += 1
        return total / max(count, 1)
