"""The conditional GAN's networks in torch: a generator G(melody, noise) -> chords, and a critic D.

The generator reads the melody with ``BeatEncoder`` and an LSTM (bidirectional for files, forward
for live play), then writes one chord per beat with a decoder LSTM whose input at beat t is the
melody context, a noise vector z_t ~ N(0, noise_scale^2) and the embedding of its own previous
chord. The chord itself is drawn from softmax(logits / temperature) with the Gumbel-max trick,
so G's noise is z and the Gumbel draws together. ``train_temperature`` is the temperature of
the samples D judges in training; ``temperature`` that of ``harmonize``, a knob that trades
accuracy (low) against diversity (high) without retraining.

Training (the critic D, the straight-through samples, the consonance reward) is
``accompanist.nn.gan_training``; sampling at inference runs in numpy (``accompanist.nn.gan_numpy``).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from accompanist import chords
from accompanist.data.corpora import STYLES
from accompanist.nn.configs import GANConfig
from accompanist.nn.encoding import BeatEncoder, collate

V = chords.VOCAB_SIZE
BOS = V  # the "previous chord" of the first beat
State = tuple[torch.Tensor, torch.Tensor]  # an LSTM's (h, c)


def gumbel(shape: tuple[int, ...], generator: torch.Generator | None = None) -> torch.Tensor:
    """Standard Gumbel noise; -log(-log(u)) with u kept off 0 and 1."""
    u = torch.rand(shape, generator=generator).clamp(1e-9, 1 - 1e-9)
    return -torch.log(-torch.log(u))


def sample_scores(logits: torch.Tensor, noise: torch.Tensor, temperature: float) -> torch.Tensor:
    """Scores whose argmax is a draw from softmax(logits / temperature); temperature 0 is argmax."""
    if temperature <= 0:
        return logits
    return logits / temperature + noise


class Generator(nn.Module):
    """Melody + per-beat noise -> one chord per beat, each fed back into the next beat."""

    def __init__(self, config: GANConfig, causal: bool) -> None:
        super().__init__()
        h = config.hidden
        self.causal = causal
        self.noise_dim = config.noise_dim
        self.encoder = BeatEncoder(config.pitch_dim, h, config.dropout)
        self.style = nn.Embedding(len(STYLES), h) if config.styles else None
        self.melody = nn.LSTM(h, h, batch_first=True, bidirectional=not causal)
        self.chord = nn.Embedding(V + 1, config.chord_dim)
        inputs = h * (1 if causal else 2) + config.noise_dim + config.chord_dim
        self.decoder = nn.LSTM(inputs, h, batch_first=True)
        self.out = nn.Linear(h, V)
        self.drop = nn.Dropout(config.dropout)

    def context(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """(B, T, C) melody context; offline it sees the whole melody, causal only its past."""
        x = self.encoder(batch["pitch"], batch["onset"], batch["bar"])
        if self.style is not None:
            x = x + self.style(batch["style"])[:, None, :]
        if self.causal:
            return self.drop(self.melody(x)[0])
        lengths = batch["mask"].sum(1).clamp(min=1).cpu()
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out = pad_packed_sequence(self.melody(packed)[0], batch_first=True, total_length=x.shape[1])[0]
        return self.drop(out)

    def decode(
        self, context: torch.Tensor, noise: torch.Tensor, previous: torch.Tensor, state: State | None = None
    ) -> tuple[torch.Tensor, State]:
        """Teacher forcing: (B, T, V) logits given the previous chords (B, T), and the end state."""
        h, state = self.decoder(torch.cat([context, noise, self.chord(previous)], -1), state)
        return self.out(self.drop(h)), state

    def free_run(
        self,
        context: torch.Tensor,
        noise: torch.Tensor,
        first: torch.Tensor,
        state: State,
        temperature: float,
        tau: float,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Chords of its own for (B, W) beats from ``state``: straight-through one-hots (B, W, V)."""
        weights = [getattr(self.decoder, f"{n}_l0") for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
        h, c = (s[0] for s in state)
        prev = self.chord(first)
        table = self.chord.weight[:V]
        samples = []
        for ctx, z in zip(context.unbind(1), noise.unbind(1)):  # unbind: a cheap backward, unlike slicing
            h, c = torch.lstm_cell(torch.cat([ctx, z, prev], -1), (h, c), *weights)
            logits = self.out(self.drop(h))
            scores = sample_scores(logits, gumbel(logits.shape, generator).to(logits.device), temperature)
            hard = F.one_hot(scores.argmax(-1), V).to(logits.dtype)
            soft = (scores / tau).softmax(-1)
            onehot = hard + soft - soft.detach()
            samples.append(onehot)
            prev = onehot @ table
        return torch.stack(samples, 1)

    def start(self, batch_size: int) -> tuple[State, torch.Tensor]:
        """The decoder's zero state (as nn.LSTM holds it) and the BOS chords of a fresh run."""
        device = self.out.weight.device
        zeros = torch.zeros(1, batch_size, self.decoder.hidden_size, device=device)
        return (zeros, zeros), torch.full((batch_size,), BOS, dtype=torch.long, device=device)


def build_generators(config: GANConfig, weights: dict, device: str) -> dict[str, Generator]:
    """torch Generators holding these weights ({"offline", "causal"}), in eval mode; the offline
    one on ``device``, the causal one on the CPU (live steps stay there)."""
    out = {}
    for name in ("offline", "causal"):
        gen = Generator(config, causal=name == "causal")
        gen.load_state_dict(
            {k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in weights[name].items()}
        )
        out[name] = gen.eval().to(device if name == "offline" else "cpu")
    return out


@torch.inference_mode()
def torch_context(gen: Generator, melody, shifts, style: int) -> np.ndarray:
    """(K, T, C) a generator's melody context of ``melody`` moved into each key, on its device."""
    device = gen.out.weight.device
    batch = collate([melody.transpose(int(k)) for k in shifts], styles=[style] * len(shifts))
    return gen.context({k: v.to(device) for k, v in batch.items()}).float().cpu().numpy()


class Discriminator(nn.Module):
    """(melody, chord one-hots) -> a real-or-generated logit for every beat, from nearby beats."""

    def __init__(self, config: GANConfig) -> None:
        super().__init__()
        h = config.critic_hidden
        self.encoder = BeatEncoder(config.pitch_dim, h, config.dropout)
        self.style = nn.Embedding(len(STYLES), h) if config.styles else None
        self.chord = nn.Linear(V, h, bias=False)
        self.convs = nn.ModuleList(
            spectral_norm(nn.Conv1d(h, h, 5, padding=2 * d, dilation=d)) for d in (1, 2, 4)
        )
        self.score = nn.Conv1d(h, 1, 1)

    def forward(self, batch: dict[str, torch.Tensor], onehot: torch.Tensor) -> torch.Tensor:
        x = self.encoder(batch["pitch"], batch["onset"], batch["bar"]) + self.chord(onehot)
        if self.style is not None:
            x = x + self.style(batch["style"])[:, None, :]
        x = x.transpose(1, 2)
        for conv in self.convs:
            x = F.leaky_relu(conv(x), 0.2)
        return self.score(x)[:, 0]
