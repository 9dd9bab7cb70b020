"""Training the lstm family's ChordNets (torch): the bidirectional net and the causal one.

The two nets share nothing but the data, so on the CPU (``parallel``, one process) the causal
net trains in a second process, one core each, and once it is done the bidirectional one takes
its core too: on a 2-core machine both take less than the bidirectional one alone. The causal
net has its own ``causal_style_balance`` and ``causal_epoch_scale``: it cannot look ahead, and learns
the chorales' beat-by-beat harmony slower (on validation, chorales at par with the folk tunes
and 48 epochs against 32 gave 0.513 against 0.499 chorale accuracy, 0.634 against 0.627 folk),
and it costs about half as much an epoch.

Every piece is drawn in a random transposition each epoch (all 12 keys); label smoothing, AdamW
and a one-cycle schedule (``accompanist.nn.trainer``); each net keeps the weights of its best
validation epoch. With ``pretrain=true`` the melody encoder is first trained on folk melodies
without chords (``accompanist.nn.pretrain``). Inference needs none of this (``lstm_numpy``).
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from accompanist.data import balance_styles
from accompanist.data.corpora import style_index
from accompanist.melody import Melody
from accompanist.nn.configs import VALIDATION_BATCH, LSTMConfig
from accompanist.nn.encoding import IGNORE, collate
from accompanist.nn.lstm import ChordNet, ensemble_probabilities
from accompanist.nn.trainer import Trainer, TrainerConfig, beside, distributed, train_apart

NETS = ("bidirectional", "causal")


def train_nets(
    config: LSTMConfig, train: list, valid: list, *, device: str, seed: int, progress: bool
) -> tuple[dict[str, ChordNet], dict[str, Any]]:
    """Both nets (on the CPU) and what their training measured (epochs, best validation, seconds)."""
    torch.set_num_threads(config.threads)
    start = time.perf_counter()
    meta: dict[str, Any] = {"epochs": {}, "validation_best": {}, "seconds": {}}
    results = {}
    with distributed(device) as (rank, world, dev):
        lm = _pretrained(config, seed, dev, rank, world, progress) if config.pretrain else None
        job = TrainJob(config, train, valid, seed, dev, rank, world, progress, "")
        if train_apart(dev, world, config.parallel):
            if progress:
                print("lstm causal: training in a second process beside the bidirectional net")
            quiet = dataclasses.replace(job, progress=False)
            results["bidirectional"], results["causal"] = beside(
                lambda causal_done: _trained(
                    dataclasses.replace(job, before_epoch=_more_threads_once(causal_done, config)),
                    "bidirectional",
                    lm,
                ),
                functools.partial(_trained, quiet, "causal", lm),
            )
        else:
            results = {name: _trained(job, name, lm) for name in NETS}
    nets = {}
    for name, (weights, epochs, best, seconds) in results.items():
        net = ChordNet(bidirectional=name == "bidirectional", **config.net_kwargs())
        net.load_state_dict(weights)
        nets[name] = net
        meta["epochs"][name] = epochs
        meta["validation_best"][name] = round(best, 4)
        meta["seconds"][name] = round(seconds, 1)
    return nets, {**meta, "train_seconds": time.perf_counter() - start, "world_size": world}


def _more_threads_once(done: Callable[[], bool], config: LSTMConfig) -> Callable[[int], None]:
    """Before an epoch: once ``done()``, take the other process's threads too (1 and 2 threads
    give bitwise the same training here; 2 train the bidirectional net 1.7x faster on 2 cores)."""

    def before_epoch(epoch: int) -> None:
        if done() and torch.get_num_threads() < 2 * config.threads:
            torch.set_num_threads(2 * config.threads)

    return before_epoch


def _trained(job: TrainJob, name: str, lm: Any) -> tuple[dict[str, torch.Tensor], int, float, float]:
    """One net's best weights (on the CPU), epochs run, best validation score and seconds: run in
    this process or in a second one (picklable, one torch thread)."""
    start = time.perf_counter()
    torch.set_num_threads(job.config.threads)
    if name == "causal":
        cfg = job.config
        own = {
            "style_balance": cfg.causal_style_balance,
            "epochs": round(cfg.epochs * cfg.causal_epoch_scale),
        }
        job = dataclasses.replace(job, config=dataclasses.replace(job.config, **own))
    trainer = dataclasses.replace(job, desc=f"lstm {name}").run(name == "bidirectional", lm)
    weights = {k: v.detach().cpu().clone() for k, v in trainer.model.state_dict().items()}
    return weights, trainer.epoch + 1, trainer.best_score, time.perf_counter() - start


def build_nets(
    config: LSTMConfig, weights: dict[str, dict[str, np.ndarray]], device: str
) -> dict[str, ChordNet]:
    """torch ChordNets holding these weights, in eval mode, on ``device``."""
    nets = {}
    for name in NETS:
        net = ChordNet(bidirectional=name == "bidirectional", **config.net_kwargs())
        net.load_state_dict(
            {k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in weights[name].items()}
        )
        nets[name] = net.eval().to(device)
    return nets


@torch.inference_mode()
def torch_probabilities(net: ChordNet, melody: Melody, style: int, shifts: list[int]) -> np.ndarray:
    """(n_beats, V) probabilities of torch's ChordNet over the transposition ensemble (the reference
    maths of ``lstm_numpy``, and the path for a GPU)."""
    device = net.head.weight.device
    batch = {k: v.to(device) for k, v in collate([melody], styles=[style]).items()}
    with one_thread():
        probs = ensemble_probabilities(net, batch, shifts)[0]
    return probs.double().cpu().numpy()


@dataclass
class TrainJob:
    """Everything one net's training needs besides the net."""

    config: LSTMConfig
    train: list
    valid: list
    seed: int
    device: str
    rank: int
    world: int
    progress: bool
    desc: str
    before_epoch: Callable[[int], None] | None = None

    def run(self, bidirectional: bool, lm: Any = None) -> Trainer:
        """Train one net from seed ``seed`` (from the language model's weights if given)."""
        cfg, dev = self.config, self.device
        torch.manual_seed(self.seed)
        net = ChordNet(bidirectional=bidirectional, **cfg.net_kwargs()).to(dev)
        if lm is not None:
            lm.transfer(net)
        valid = _batches(self.valid, VALIDATION_BATCH, self.seed, -1, dev)
        train = balance_styles(self.train, cfg.style_balance)
        trainer = Trainer(
            _trainer_config(cfg, self.seed),
            net,
            batches=lambda epoch: _batches(train, cfg.batch_size, self.seed, epoch, dev),
            loss=lambda model, batch: _loss(model, batch, cfg),
            validate=lambda model: _accuracy(model, valid),
            rank=self.rank,
            world=self.world,
            progress=self.progress,
            desc=self.desc,
            before_epoch=self.before_epoch,
        )
        trainer.run()
        return trainer


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread: for nets this small, a second thread on a busy CPU costs 10-100x."""
    before = torch.get_num_threads()
    if before != 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if before != 1:
            torch.set_num_threads(before)


def _trainer_config(config: LSTMConfig, seed: int) -> TrainerConfig:
    return TrainerConfig(
        epochs=config.epochs,
        lr=config.lr,
        weight_decay=config.weight_decay,
        patience=config.patience,
        seed=seed,
    )


def _to(batch: dict[str, torch.Tensor], device: str | torch.device) -> dict[str, torch.Tensor]:
    return {k: v.to(device) for k, v in batch.items()}


def _batches(pieces: list, size: int, seed: int, epoch: int, device: str) -> list[dict[str, torch.Tensor]]:
    """Pieces in batches of similar length; for epoch >= 0 each piece in a random key (-6..+5)."""
    rng = np.random.default_rng([seed, epoch + 1])
    shifts = rng.integers(-6, 6, len(pieces)) if epoch >= 0 else np.zeros(len(pieces), dtype=int)
    noise = rng.uniform(0, 8, len(pieces)) if epoch >= 0 else np.zeros(len(pieces))
    order = np.argsort([p.melody.n_beats + n for p, n in zip(pieces, noise)], kind="stable")
    groups = [order[i : i + size] for i in range(0, len(order), size)]
    if epoch >= 0:
        rng.shuffle(groups)
    out = []
    for group in groups:
        moved = [pieces[i].transpose(int(shifts[i])) if shifts[i] else pieces[i] for i in group]
        batch = collate(
            [p.melody for p in moved], [p.chords for p in moved], [style_index(p.style) for p in moved]
        )
        batch["voices"] = _voice_targets([p.satb for p in moved], batch["mask"].shape[1])
        out.append(_to(batch, device))
    return out


def _voice_targets(satb: list[np.ndarray], length: int) -> torch.Tensor:
    """(B, T, 3) pitch classes of alto, tenor and bass at each beat (12 = rest), IGNORE-padded."""
    out = torch.full((len(satb), length, 3), IGNORE, dtype=torch.long)
    for i, voices in enumerate(satb):
        if voices is None:
            continue  # a lead sheet has no voices to learn from
        lower = voices[:, 1:].astype(np.int64)
        out[i, : len(lower)] = torch.from_numpy(np.where(lower < 0, 12, lower % 12))
    return out


def _loss(model: torch.nn.Module, batch: dict[str, torch.Tensor], config: LSTMConfig) -> torch.Tensor:
    """Label-smoothed chord cross-entropy, plus the weighted voice loss when there is one."""
    ce = torch.nn.functional.cross_entropy
    if config.voice_weight > 0:
        logits, voices = model(batch, voices=True)
        targets = batch["voices"].flatten()
        # summed over the voices there are, so a batch of lead sheets (no voices) adds 0, not nan
        voice = ce(voices.flatten(0, 2), targets, ignore_index=IGNORE, reduction="sum")
        extra = config.voice_weight * voice / (targets != IGNORE).sum().clamp(min=1)
    else:
        logits, extra = model(batch), 0.0
    smoothing = config.label_smoothing
    targets = batch["chords"].flatten()
    return ce(logits.flatten(0, 1), targets, ignore_index=IGNORE, label_smoothing=smoothing) + extra


def _accuracy(model: torch.nn.Module, batches: list[dict[str, torch.Tensor]]) -> float:
    """Beat accuracy of each style, averaged over the styles (so the smaller corpus counts as much)."""
    hits: dict[int, int] = {}
    total: dict[int, int] = {}
    for batch in batches:
        mask = batch["chords"] != IGNORE
        right = (model(batch).argmax(-1) == batch["chords"]) & mask
        for style in batch["style"].unique().tolist():
            rows = batch["style"] == style
            hits[style] = hits.get(style, 0) + int(right[rows].sum())
            total[style] = total.get(style, 0) + int(mask[rows].sum())
    return float(np.mean([hits[s] / max(total[s], 1) for s in total])) if total else 0.0


def _pretrained(config: LSTMConfig, seed: int, device: str, rank: int, world: int, progress: bool):
    from accompanist.nn.pretrain import PretrainConfig, pretrained_lm

    pretrain = PretrainConfig(melodies=config.pretrain_melodies, epochs=config.pretrain_epochs, seed=seed)
    return pretrained_lm(
        config.encoder_kwargs(), pretrain, device=device, rank=rank, world=world, progress=progress
    )
