"""Pretraining the melody encoder on melodies without chords: the transfer-learning experiment.

ELMo style: one ``BeatEncoder`` feeds a forward LSTM stack that predicts the next beat's four
pitch tokens and a one-layer backward LSTM that predicts the previous beat's. Folk melodies
(``accompanist.data.folk``) are drawn in a random key and a random window of ``WINDOW`` beats
each epoch. ``MelodyLM.transfer`` then copies the encoder into a ``ChordNet``, the forward stack
into the causal net's LSTM (the first forward layer of the bidirectional net) and the backward
layer into the bidirectional net's first backward layer; fine-tuning on chorales starts there.

The trained language model is cached under ``$ACCOMPANIST_CACHE``, keyed by everything that
shapes it, so experiments that fine-tune several times pretrain once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from accompanist.melody import STEPS_PER_BEAT, Melody
from accompanist.nn.configs import VALIDATION_BATCH
from accompanist.nn.encoding import IGNORE, N_PITCH_TOKENS, BeatEncoder, collate
from accompanist.nn.lstm import ChordNet, reverse_padded
from accompanist.nn.trainer import Trainer, TrainerConfig

WINDOW = 64
VALIDATION_SHARE = 0.05


@dataclass
class PretrainConfig:
    melodies: int = 3000
    epochs: int = 6
    batch_size: int = 32
    lr: float = 3e-3
    seed: int = 0


class MelodyLM(nn.Module):
    """A shared beat encoder, a forward LSTM stack (next beat) and a backward LSTM (previous beat)."""

    def __init__(self, pitch_dim: int, embed_dim: int, hidden: int, layers: int, dropout: float) -> None:
        super().__init__()
        self.encoder = BeatEncoder(pitch_dim, embed_dim, dropout)
        self.forward_rnn = nn.LSTM(embed_dim, hidden, layers, batch_first=True, dropout=dropout)
        self.backward_rnn = nn.LSTM(embed_dim, hidden, 1, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.forward_head = nn.Linear(hidden, STEPS_PER_BEAT * N_PITCH_TOKENS)
        self.backward_head = nn.Linear(hidden, STEPS_PER_BEAT * N_PITCH_TOKENS)

    def forward(self, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, T, 4, 129) logits of the next beat's pitches and of the previous beat's."""
        x = self.encoder(batch["pitch"], batch["onset"], batch["bar"])
        lengths = batch["mask"].sum(1)
        ahead = self.forward_rnn(x)[0]
        behind = reverse_padded(self.backward_rnn(reverse_padded(x, lengths))[0], lengths)
        shape = (*x.shape[:2], STEPS_PER_BEAT, N_PITCH_TOKENS)
        next_beat = self.forward_head(self.drop(ahead)).view(shape)
        return next_beat, self.backward_head(self.drop(behind)).view(shape)

    def transfer(self, net: ChordNet) -> None:
        """Start a chord net from the pretrained encoder and recurrent layers."""
        net.encoder.load_state_dict(self.encoder.state_dict())
        if not net.bidirectional:
            net.rnn.load_state_dict(self.forward_rnn.state_dict())
            return
        first = {k: v for k, v in self.forward_rnn.state_dict().items() if k.endswith("_l0")}
        net.rnn.forward_layers[0].load_state_dict(first)
        net.rnn.backward_layers[0].load_state_dict(self.backward_rnn.state_dict())


def lm_targets(batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, T, 4) pitch tokens of the next and of the previous beat, IGNORE where there is none."""
    pitch = batch["pitch"].masked_fill(~batch["mask"][..., None], IGNORE)
    pad = torch.full_like(pitch[:, :1], IGNORE)
    return torch.cat([pitch[:, 1:], pad], 1), torch.cat([pad, pitch[:, :-1]], 1)


def lm_loss(model: nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    ahead, behind = model(batch)
    after, before = lm_targets(batch)
    ce = nn.functional.cross_entropy
    flat = (-1, N_PITCH_TOKENS)
    return ce(ahead.reshape(flat), after.flatten(), ignore_index=IGNORE) + ce(
        behind.reshape(flat), before.flatten(), ignore_index=IGNORE
    )


def next_beat_accuracy(model: nn.Module, batches: list[dict[str, torch.Tensor]]) -> float:
    """Share of next-beat pitch tokens the forward model gets right."""
    hits = total = 0
    for batch in batches:
        after = lm_targets(batch)[0]
        known = after != IGNORE
        hits += int((model(batch)[0].argmax(-1) == after)[known].sum())
        total += int(known.sum())
    return hits / max(total, 1)


def window_batches(
    melodies: list[Melody], size: int, seed: int, epoch: int, device: str
) -> list[dict[str, torch.Tensor]]:
    """Random windows in random keys (epoch >= 0), or the melodies' first windows as they are."""
    rng = np.random.default_rng([seed, epoch + 1])
    order = rng.permutation(len(melodies)) if epoch >= 0 else np.arange(len(melodies))
    out = []
    for i in range(0, len(order), size):
        chosen = [_window(melodies[k], rng, epoch >= 0) for k in order[i : i + size]]
        out.append({k: v.to(device) for k, v in collate(chosen).items()})
    return out


def _window(melody: Melody, rng: np.random.Generator, random: bool) -> Melody:
    start = int(rng.integers(0, max(1, melody.n_beats - WINDOW + 1))) if random else 0
    end = min(melody.n_beats, start + WINDOW)
    part = Melody(
        melody.pitch[start * STEPS_PER_BEAT : end * STEPS_PER_BEAT],
        melody.onset[start * STEPS_PER_BEAT : end * STEPS_PER_BEAT],
        melody.bar_pos[start:end],
    )
    sounding = part.pitch[part.pitch >= 0]
    if not random or not len(sounding):
        return part
    low, high = max(-6, -int(sounding.min())), min(5, 127 - int(sounding.max()))
    return part.transpose(int(rng.integers(low, high + 1)))


def cache_path(net_kwargs: dict, config: PretrainConfig) -> Path:
    from accompanist.data import cache_dir
    from accompanist.data.folk import CACHE_VERSION

    key = json.dumps({"net": net_kwargs, "pretrain": vars(config), "folk": CACHE_VERSION}, sort_keys=True)
    return cache_dir() / f"melody-lm-{hashlib.sha1(key.encode()).hexdigest()[:12]}.pt"


def pretrained_lm(
    net_kwargs: dict,
    config: PretrainConfig,
    *,
    device: str = "cpu",
    rank: int = 0,
    world: int = 1,
    progress: bool = True,
) -> MelodyLM:
    """The melody language model, from the cache or trained on folk melodies (then cached)."""
    torch.manual_seed(config.seed)
    model = MelodyLM(**net_kwargs).to(device)
    path = cache_path(net_kwargs, config)
    if path.is_file():
        model.load_state_dict(torch.load(path, map_location=device, weights_only=True))
        return model
    from accompanist.data.folk import load_folk

    melodies = load_folk(config.melodies, progress=progress and rank == 0)
    n_valid = max(1, int(len(melodies) * VALIDATION_SHARE))
    valid, train = melodies[:n_valid], melodies[n_valid:]
    valid_batches = window_batches(valid, VALIDATION_BATCH, config.seed, -1, device)
    trainer = Trainer(
        TrainerConfig(epochs=config.epochs, lr=config.lr, patience=config.epochs, seed=config.seed),
        model,
        batches=lambda epoch: window_batches(train, config.batch_size, config.seed, epoch, device),
        loss=lm_loss,
        validate=lambda m: next_beat_accuracy(m, valid_batches),
        rank=rank,
        world=world,
        progress=progress,
        desc="pretraining on folk melodies",
    )
    trainer.run()
    if rank == 0:
        _save(path, model)
    return model


def _save(path: Path, model: nn.Module) -> None:
    from accompanist.files import write_atomic

    weights = {k: v.cpu() for k, v in model.state_dict().items()}
    write_atomic(path, lambda f: torch.save(weights, f), overwrite=True, mkdir=True)  # a cache file
