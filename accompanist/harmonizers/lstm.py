"""The deep-learning family: LSTMs that learn their own features from the melody alone.

One checkpoint holds two networks (``accompanist.nn.lstm.ChordNet``): a bidirectional one for
files (``harmonize``, ``probabilities``) and a unidirectional one for live play (``causal=True``,
``reset``/``step``), whose chord for a beat depends only on the melody up to that beat. Input is
the melody grid (pitch tokens, onsets, place in the bar); nothing harmonic is computed by hand.

Training (``fit``) draws every piece in a random transposition each epoch (all 12 keys), trains
with label smoothing, AdamW and a one-cycle schedule (``accompanist.nn.trainer``), and keeps the
weights of the best validation epoch. With ``shifts`` > 1 predictions average the network's
answers over the melody transposed into that many keys, the causal ones stepped in one batch.
With ``pretrain=true`` the melody encoder is first trained on folk melodies without chords
(``accompanist.nn.pretrain``). Live steps run the causal net's maths in numpy with the weights
prepared once (``accompanist.nn.lstm_step``); ``reference = True`` steps it with torch instead
(``CausalStepper``), the maths the numpy steps are tested against.

The defaults are the shipped model's. Measured on the validation split while choosing them
(one seed each, noise about one point): hidden 256 beat 128 by about one point, batch 8 beat
16 by one; the auxiliary voice loss and a transposition ensemble were within the noise; dropout
0.5, three layers, no label smoothing, weight decay 0.1, whole-beat input dropout, a pooled
global context, a CRF over chord transitions and seed ensembles did not help. Runs on one
torch thread: two threads on a busy 2-core CPU made these small steps 10-100x slower.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch

from accompanist.config import apply_overrides
from accompanist.data import balance_styles
from accompanist.data.corpora import STYLES
from accompanist.harmonizers.base import Harmonizer
from accompanist.melody import BeatFrame, Melody
from accompanist.nn.configs import LSTMConfig
from accompanist.nn.encoding import IGNORE, collate
from accompanist.nn.lstm import CausalStepper, ChordNet, ensemble_probabilities
from accompanist.nn.lstm_step import NumpyStepper
from accompanist.nn.trainer import Trainer, TrainerConfig, distributed

NETS = ("bidirectional", "causal")


def style_index(style: str) -> int:
    """The row of a style in the networks' style embedding (``accompanist.data.corpora.STYLES``)."""
    return STYLES.index(style) if style in STYLES else 0


class LSTMHarmonizer(Harmonizer):
    family = "lstm"
    reference = False  # True: live steps in torch (CausalStepper), not numpy; set it before reset()

    def __init__(self, config: LSTMConfig, nets: dict[str, ChordNet]) -> None:
        self.config = config
        self.nets = nets
        self.styles = config.style_list()
        for net in nets.values():
            net.eval()
        self.stepper = CausalStepper(nets["causal"], config.shift_list())
        weights = {k: v.detach().cpu().numpy() for k, v in nets["causal"].state_dict().items()}
        self.fast = NumpyStepper(weights, config.layers, config.shift_list())
        self.use_style("folk")

    def use_style(self, style: str) -> None:
        self.style = style
        index = style_index(style if style in self.styles or not self.styles else self.styles[0])
        self.stepper.style = self.fast.style = index

    def _batch(self, melody: Melody) -> dict[str, torch.Tensor]:
        return _to(collate([melody], styles=[self.stepper.style]), self.stepper.device)

    # ---- offline ------------------------------------------------------------------------
    @torch.inference_mode()
    def probabilities(self, melody: Melody, *, causal: bool = False, seed: int | None = None) -> np.ndarray:
        net = self.nets["causal" if causal else "bidirectional"]
        batch = self._batch(melody)
        with one_thread():
            probs = ensemble_probabilities(net, batch, self.config.shift_list())[0]
        return probs.double().cpu().numpy()

    # ---- live ---------------------------------------------------------------------------
    def reset(self, seed: int | None = None) -> None:
        (self.stepper if self.reference else self.fast).reset()

    def step_probabilities(self, frame: BeatFrame) -> np.ndarray:
        if self.reference:
            return self.stepper.probabilities(frame.pitch, frame.onset, frame.bar_pos).double().numpy()
        return self.fast.probabilities(frame.pitch, frame.onset, frame.bar_pos)

    def step_index(self, frame: BeatFrame) -> int:
        return int(self.step_probabilities(frame).argmax())

    # ---- persistence ----------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        weights = {name: {k: v.cpu() for k, v in net.state_dict().items()} for name, net in self.nets.items()}
        return {"config": asdict(self.config), **weights}

    @classmethod
    def from_state(cls, state: dict[str, Any], device: str = "cpu") -> LSTMHarmonizer:
        config = LSTMConfig(**state["config"])
        sizes = (config.pitch_dim, config.embed_dim, config.hidden)
        if not (min(*sizes, config.layers) >= 1 and max(sizes) <= 4096 and config.layers <= 8):
            raise ValueError("config: pitch_dim, embed_dim, hidden 1-4096; layers 1-8")
        if not (0 <= config.dropout < 1 and config.shifts >= 1 and set(config.style_list()) <= set(STYLES)):
            raise ValueError("config: dropout in [0, 1), shifts >= 1, styles among chorale, folk")
        nets = {}
        for name in NETS:
            nets[name] = ChordNet(bidirectional=name == "bidirectional", **config.net_kwargs())
            nets[name].load_state_dict(state[name])
        return cls(config, nets).to(device)

    def to(self, device: str) -> LSTMHarmonizer:
        for net in self.nets.values():
            net.to(device)
        self.stepper = CausalStepper(self.nets["causal"], self.config.shift_list(), self.stepper.style)
        return self

    # ---- training -----------------------------------------------------------------------
    @classmethod
    def fit(
        cls,
        train: list,
        valid: list,
        *,
        options: dict[str, str],
        device: str = "cpu",
        seed: int = 0,
        progress: bool = True,
    ) -> LSTMHarmonizer:
        """Train the bidirectional net, then the causal one; each keeps its best validation epoch."""
        config = apply_overrides(LSTMConfig(), options)
        config.styles = ",".join(s for s in STYLES if any(p.style == s for p in train))
        torch.set_num_threads(config.threads)
        start = time.perf_counter()
        nets, meta = {}, {"epochs": {}, "validation_best": {}}
        with distributed(device) as (rank, world, dev):
            lm = _pretrained(config, seed, dev, rank, world, progress) if config.pretrain else None
            for name in NETS:
                job = TrainJob(config, train, valid, seed, dev, rank, world, progress, f"lstm {name}")
                trainer = job.run(name == "bidirectional", lm)
                nets[name] = trainer.model.cpu()
                meta["epochs"][name] = trainer.epoch + 1
                meta["validation_best"][name] = round(trainer.best_score, 4)
        model = cls(config, nets).to(device)
        model.meta = {**meta, "train_seconds": time.perf_counter() - start, "world_size": world}
        return model


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

    def run(self, bidirectional: bool, lm: Any = None) -> Trainer:
        """Train one net from seed ``seed`` (from the language model's weights if given)."""
        cfg, dev = self.config, self.device
        torch.manual_seed(self.seed)
        net = ChordNet(bidirectional=bidirectional, **cfg.net_kwargs()).to(dev)
        if lm is not None:
            lm.transfer(net)
        valid = _batches(self.valid, 64, self.seed, -1, dev)
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
