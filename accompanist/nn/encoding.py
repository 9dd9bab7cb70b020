"""Melody -> tensors for the deep models, and the beat encoder that embeds them.

The tokens themselves (``accompanist.nn.tokens``) need no torch; this module pads them into
batches and embeds them.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from accompanist.melody import STEPS_PER_BEAT, Melody
from accompanist.nn.tokens import IGNORE, MAX_BAR_POS, N_PITCH_TOKENS, REST_TOKEN, melody_arrays

__all__ = ["IGNORE", "MAX_BAR_POS", "N_PITCH_TOKENS", "REST_TOKEN", "BeatEncoder", "collate", "melody_arrays"]


def collate(
    melodies: list[Melody], targets: list[np.ndarray] | None = None, styles: list[int] | None = None
) -> dict[str, torch.Tensor]:
    """Pad a batch: pitch/onset (B, T, 4), bar (B, T), mask (B, T), chords (B, T, IGNORE-padded)
    and style (B,), each melody's style index (0 where none is given)."""
    arrays = [melody_arrays(m) for m in melodies]
    t_max = max(len(a[2]) for a in arrays)
    b = len(arrays)
    pitch = torch.full((b, t_max, STEPS_PER_BEAT), REST_TOKEN, dtype=torch.long)
    onset = torch.zeros((b, t_max, STEPS_PER_BEAT), dtype=torch.long)
    bar = torch.zeros((b, t_max), dtype=torch.long)
    mask = torch.zeros((b, t_max), dtype=torch.bool)
    chords = torch.full((b, t_max), IGNORE, dtype=torch.long)
    for i, (p, o, br) in enumerate(arrays):
        n = len(br)
        pitch[i, :n], onset[i, :n], bar[i, :n], mask[i, :n] = (
            torch.from_numpy(p),
            torch.from_numpy(o),
            torch.from_numpy(br),
            True,
        )
        if targets is not None:
            chords[i, :n] = torch.from_numpy(targets[i].astype(np.int64))
    style = torch.tensor(styles if styles is not None else [0] * b, dtype=torch.long)
    return {"pitch": pitch, "onset": onset, "bar": bar, "mask": mask, "chords": chords, "style": style}


class BeatEncoder(nn.Module):
    """Embeds one beat (four steps of pitch + onset, and the bar position) into a vector."""

    def __init__(self, pitch_dim: int = 32, out_dim: int = 128, dropout: float = 0.1) -> None:
        super().__init__()
        self.pitch = nn.Embedding(N_PITCH_TOKENS, pitch_dim)
        self.onset = nn.Embedding(2, pitch_dim)
        self.step = nn.Parameter(torch.zeros(STEPS_PER_BEAT, pitch_dim))
        self.bar = nn.Embedding(MAX_BAR_POS, out_dim)
        self.proj = nn.Linear(STEPS_PER_BEAT * pitch_dim, out_dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, pitch: torch.Tensor, onset: torch.Tensor, bar: torch.Tensor) -> torch.Tensor:
        """(..., 4), (..., 4), (...) -> (..., out_dim)."""
        steps = self.pitch(pitch) + self.onset(onset) + self.step
        x = self.proj(steps.flatten(-2)) + self.bar(bar)
        return self.drop(torch.relu(x))
