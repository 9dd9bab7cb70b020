"""The lstm family's networks in torch: a beat-level LSTM over ``BeatEncoder`` outputs.

``ChordNet`` reads a padded batch from ``accompanist.nn.encoding.collate`` and gives chord
logits per beat. Bidirectional, it reads the whole melody (files); unidirectional, the chord of
a beat depends on the melody up to that beat only (live play). Training and a GPU use these;
inference on the CPU runs the same maths in numpy (``accompanist.nn.lstm_numpy``), tested
against ``ensemble_probabilities`` here.

The transposition ensemble (``shifts``) runs the melody transposed by each shift in one batch
and averages the chord probabilities after transposing them back. The network is trained in
every key, so its answers differ little from key to key: on validation a 4- or 12-key
ensemble was within a point of the melody as it is, either way.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from accompanist import chords
from accompanist.nn import numpy_nets
from accompanist.nn.encoding import REST_TOKEN, BeatEncoder
from accompanist.nn.shapes import VOICE_CLASSES

V = chords.VOCAB_SIZE


def reverse_padded(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Each sequence of a (B, T, D) batch reversed within its own length; padding stays put."""
    t = torch.arange(x.shape[1], device=x.device)[None, :]
    last = lengths[:, None] - 1
    index = torch.where(t <= last, last - t, t)
    return x.gather(1, index[..., None].expand_as(x))


class BiLSTM(nn.Module):
    """A stacked bidirectional LSTM whose backward direction starts at each sequence's own end.

    ``nn.LSTM(bidirectional=True)`` would start it in the padding; packed sequences avoid that
    but run several times slower on a CPU than two plain passes over a reversed copy.
    """

    def __init__(self, input_size: int, hidden: int, layers: int, dropout: float) -> None:
        super().__init__()
        sizes = [input_size] + [2 * hidden] * (layers - 1)
        self.forward_layers = nn.ModuleList(nn.LSTM(n, hidden, batch_first=True) for n in sizes)
        self.backward_layers = nn.ModuleList(nn.LSTM(n, hidden, batch_first=True) for n in sizes)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        for k, (fwd, bwd) in enumerate(zip(self.forward_layers, self.backward_layers)):
            if k:
                x = self.drop(x)
            back = reverse_padded(bwd(reverse_padded(x, lengths))[0], lengths)
            x = torch.cat([fwd(x)[0], back], dim=-1)
        return x


class ChordNet(nn.Module):
    """BeatEncoder -> (Bi)LSTM -> linear chord logits, one row per beat.

    With ``styles`` > 0 the batch's ``style`` (B,) index is embedded and added to every beat:
    one network learns several idioms and is asked for one. With ``voices`` > 0 a second head
    guesses the pitch class (or rest, class 12) of that many accompanying voices at each beat:
    an auxiliary training target, never an input.
    """

    def __init__(
        self,
        *,
        bidirectional: bool,
        pitch_dim: int = 32,
        embed_dim: int = 128,
        hidden: int = 128,
        layers: int = 2,
        dropout: float = 0.3,
        voices: int = 0,
        styles: int = 0,
    ) -> None:
        super().__init__()
        self.bidirectional = bidirectional
        self.encoder = BeatEncoder(pitch_dim, embed_dim, dropout)
        self.style = nn.Embedding(styles, embed_dim) if styles else None
        if bidirectional:
            self.rnn = BiLSTM(embed_dim, hidden, layers, dropout)
        else:
            self.rnn = nn.LSTM(embed_dim, hidden, layers, batch_first=True, dropout=dropout)
        self.drop = nn.Dropout(dropout)
        width = hidden * (2 if bidirectional else 1)
        self.head = nn.Linear(width, V)
        self.voice_head = nn.Linear(width, VOICE_CLASSES * voices) if voices else None

    def features(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """(B, T, hidden * directions) recurrent features; padding never reaches a real beat."""
        x = self.encoder(batch["pitch"], batch["onset"], batch["bar"])
        if self.style is not None:
            x = x + self.style(batch["style"])[:, None, :]
        if self.bidirectional:
            return self.rnn(x, batch["mask"].sum(1))
        return self.rnn(x)[0]

    def forward(
        self, batch: dict[str, torch.Tensor], voices: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """(B, T, V) chord logits; with ``voices``, also (B, T, voices, 13) voice logits."""
        x = self.drop(self.features(batch))
        if not voices:
            return self.head(x)
        return self.head(x), self.voice_head(x).unflatten(-1, (-1, VOICE_CLASSES))


def chord_permutation(shifts: list[int]) -> torch.Tensor:
    """``accompanist.nn.numpy_nets.chord_permutation`` as a tensor."""
    return torch.from_numpy(numpy_nets.chord_permutation(np.asarray(shifts)))


def transposed(pitch: torch.Tensor, shifts: torch.Tensor) -> torch.Tensor:
    """(S, *pitch.shape) tokens: the pitches moved by each shift (kept in 0..127), rests kept."""
    shift = shifts.view(-1, *([1] * pitch.dim()))
    return torch.where(pitch == REST_TOKEN, pitch, (pitch[None] + shift).clamp(0, 127))


def ensemble_probabilities(net: ChordNet, batch: dict[str, torch.Tensor], shifts: list[int]) -> torch.Tensor:
    """(B, T, V) probabilities averaged over the melody transposed by each shift, in one batch."""
    device = batch["pitch"].device
    n = len(shifts)
    big = {k: v.repeat(n, *([1] * (v.dim() - 1))) for k, v in batch.items()}
    big["pitch"] = transposed(batch["pitch"], torch.tensor(shifts, device=device)).flatten(0, 1)
    probs = net(big).softmax(-1).unflatten(0, (n, -1))  # (S, B, T, V)
    perm = chord_permutation(shifts).to(device)[:, None, None, :].expand_as(probs)
    return probs.gather(-1, perm).mean(0)  # chord c of the original key is perm[k][c] in key k
