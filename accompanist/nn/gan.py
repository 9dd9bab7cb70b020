"""The conditional GAN's networks in torch: a generator G(melody, code) -> chords, and a critic D.

The generator reads the melody with a trained lstm's ChordNet (``accompanist.nn.lstm``:
bidirectional for files, causal for live play), kept frozen, and adds to that net's chord logits
the code's share: ``o(tanh(p(features) + q(code)))``, zero at the start of training. One code
``z ~ N(0, scale^2 I)`` holds for a whole phrase (``phrase_bars`` bars), so another code is
another harmonization of the phrase, not a beat-by-beat jitter; chords are decoded greedily.

Why this generator: with the melody read as well as the lstm reads it, a code can only trade
accuracy for variety, and measured on the validation splits the trade (three to four points of
accuracy for a quarter of the beats changed) is at the frontier set by the lstm's own beliefs
(README, "The gan's variety"). A generator that learned its own encoder beside the critic was 8
points less accurate before any variety.

Training (the mode-seeking term, the critic, the straight-through samples) is
``accompanist.nn.gan_training``; inference runs in numpy (``accompanist.nn.gan_numpy``).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from accompanist import chords
from accompanist.data.corpora import STYLES
from accompanist.nn.configs import GANConfig, LSTMConfig
from accompanist.nn.encoding import BeatEncoder, collate
from accompanist.nn.lstm import ChordNet

V = chords.VOCAB_SIZE


class CodeHead(nn.Module):
    """(features, code) -> the code's share of the chord logits; zero until it trains."""

    def __init__(self, width: int, code_dim: int, hidden: int) -> None:
        super().__init__()
        self.p = nn.Linear(width, hidden)
        self.q = nn.Linear(code_dim, hidden, bias=False)
        self.o = nn.Linear(hidden, V)
        nn.init.zeros_(self.o.weight)
        nn.init.zeros_(self.o.bias)

    def forward(self, features: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        return self.o(torch.tanh(self.p(features) + self.q(codes)))


class Generator(ChordNet):
    """An lstm's ChordNet (frozen: ``freeze_encoder``) with a code head on its features."""

    def __init__(self, config: GANConfig, encoder: LSTMConfig, causal: bool) -> None:
        super().__init__(bidirectional=not causal, **encoder.net_kwargs())
        width = encoder.hidden * (1 if causal else 2)
        self.code = CodeHead(width, config.code_dim, config.code_hidden)

    def freeze_encoder(self) -> Generator:
        for name, p in self.named_parameters():
            p.requires_grad_(name.startswith("code."))
        return self

    def frozen_features(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """(B, T, width) the encoder's features, as inference computes them (no dropout)."""
        was = self.training
        self.eval()
        with torch.no_grad():
            out = self.features(batch)
        self.train(was)
        return out

    def logits(self, features: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        """(B, T, V) chord logits of the features under each beat's code (B, T, code_dim)."""
        return self.head(features) + self.code(features, codes)


def encoder_config(config: LSTMConfig) -> LSTMConfig:
    """The lstm's config as the generator keeps it: no voice head (inference does not use it)."""
    from dataclasses import replace

    return replace(config, voice_weight=0.0)


def build_generators(
    config: GANConfig, encoder: LSTMConfig, weights: dict, device: str
) -> dict[str, Generator]:
    """torch Generators holding these weights ({"offline", "causal"}), in eval mode; the offline
    one on ``device``, the causal one on the CPU (live steps stay there)."""
    out = {}
    for name in ("offline", "causal"):
        gen = Generator(config, encoder, causal=name == "causal")
        gen.load_state_dict(
            {k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in weights[name].items()}
        )
        out[name] = gen.eval().to(device if name == "offline" else "cpu")
    return out


@torch.inference_mode()
def torch_features(gen: Generator, melody, shifts, style: int) -> np.ndarray:
    """(K, T, width) a generator's features of ``melody`` moved into each key, on its device."""
    device = gen.head.weight.device
    batch = collate([melody.transpose(int(k)) for k in shifts], styles=[style] * len(shifts))
    return gen.features({k: v.to(device) for k, v in batch.items()}).double().cpu().numpy()


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
