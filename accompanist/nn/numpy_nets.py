"""The deep families' inference maths in numpy, with the weights prepared once: no torch to import.

Harmonizing a melody or answering a live beat runs a trained network forward and nothing else,
so it needs neither autograd nor torch's start-up second. The pieces both families share:

- ``BeatTables``: a ``BeatEncoder`` folded into lookup tables. Its projection is linear up to
  the ReLU, so the projected pitch embedding of each (step, token) is one row, and the bar
  position, the onset pattern of the beat (16 of them), the step embeddings and the bias are one
  more row: a beat costs five row lookups and a sum.
- ``joined``: one ``nn.LSTM`` layer's input and recurrent weights and both biases as one
  (input + hidden + 1, 4 hidden) matrix, gates reordered i, f, o, g (three sigmoids in one slice).
- ``cell``: one LSTM step on preallocated buffers; ``run``: a layer over a whole sequence (the
  input product for every beat in one matrix product, then one small product per beat).

Float32 throughout, as torch computes; ``tests/test_fast_steps.py`` holds every family's numpy
answers to torch's within 1e-5 on every beat of both test splits. Each row of a state is one key
of the transposition ensemble (``shifts``): the melody moved by that many semitones.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np

from accompanist import chords
from accompanist.nn.tokens import MAX_BAR_POS, N_PITCH_TOKENS, REST_TOKEN, transposed_tokens

DTYPE = np.float32
MAX_REMEMBERED = 4096  # beats' pitches whose table rows are kept
ONSET_BITS = np.array([8, 4, 2, 1], dtype=np.int64)  # a beat's onset flags -> its pattern's row


def arrays(state: Mapping[str, object], dtype: type = np.float64) -> dict[str, np.ndarray]:
    """A state dict's tensors (torch, on any device) or arrays as numpy arrays of ``dtype``
    (float64, the precision the weights are folded and joined in)."""
    out = {}
    for key, value in state.items():
        if hasattr(value, "detach"):
            value = value.detach().cpu().numpy()
        out[key] = np.asarray(value, dtype=dtype)
    return out


def stored(
    nets: Mapping[str, Mapping[str, object]], names: tuple[str, ...]
) -> dict[str, dict[str, np.ndarray]]:
    """Each named net's state dict as float32 arrays: the weights a harmonizer keeps and saves."""
    return {name: arrays(nets[name], DTYPE) for name in names}


def torch_weights(nets: Mapping[str, Mapping[str, np.ndarray]]) -> dict[str, dict[str, object]]:
    """The same weights as torch tensors, for a checkpoint (``torch.save``)."""
    import torch

    return {name: {k: torch.from_numpy(v.copy()) for k, v in w.items()} for name, w in nets.items()}


def chord_permutation(shifts: np.ndarray) -> np.ndarray:
    """(len(shifts), V) index: row k, column c is chord c transposed by shifts[k]."""
    v = chords.VOCAB_SIZE
    return np.stack([chords.transpose(np.arange(v), int(s)) for s in shifts]).astype(np.int64)


def affine(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """(..., D) @ (D, N) (+ bias) as one 2-D product: numpy's matmul of a stack of matrices runs
    one small product per matrix."""
    out = x.reshape(-1, x.shape[-1]) @ weight
    if bias is not None:
        out += bias
    return out.reshape(*x.shape[:-1], weight.shape[1])


def key_average(probs: np.ndarray, perm: np.ndarray) -> np.ndarray:
    """(..., V) probabilities in the original key, averaged over the keys of (K, ..., V) ``probs``
    (chord c of the original key is chord perm[k, c] in key k)."""
    index = perm.reshape(perm.shape[0], *([1] * (probs.ndim - 2)), perm.shape[1])
    return np.take_along_axis(probs, index, axis=-1).mean(axis=0, dtype=np.float64)


def step_average(logits: np.ndarray, gather: np.ndarray) -> np.ndarray:
    """(V,) one beat's (K, V) logits, softmaxed in place, averaged over the keys in the original
    key (``gather``: chord c of key k at flat index k * V + perm[k, c])."""
    logits -= logits.max(axis=1, keepdims=True)
    np.exp(logits, out=logits)
    logits *= 1.0 / (logits.shape[0] * logits.sum(axis=1, keepdims=True))
    return logits.ravel()[gather].sum(axis=0, dtype=np.float64)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, in place."""
    logits -= logits.max(axis=-1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=-1, keepdims=True)
    return logits


class BeatTables:
    """A BeatEncoder (weights under ``prefix``) and the style embedding, folded into tables."""

    def __init__(self, w: Mapping[str, np.ndarray], shifts: np.ndarray, prefix: str = "encoder.") -> None:
        proj = w[f"{prefix}proj.weight"]
        self.width = width = proj.shape[0]
        per_step = proj.reshape(width, 4, -1)  # BeatEncoder flattens (step, dim)
        pitch = np.einsum("tp,ekp->kte", w[f"{prefix}pitch.weight"], per_step)
        self.pitch = pitch.reshape(-1, width).astype(DTYPE)  # row: step * 129 + token
        onset = np.einsum("op,ekp->koe", w[f"{prefix}onset.weight"], per_step)  # (step, 0/1, width)
        patterns = np.array(list(itertools.product((0, 1), repeat=4)), dtype=np.int64)
        onset_sums = onset[np.arange(4), patterns].sum(axis=1)  # (16, width), row = pattern @ ONSET_BITS
        bias = np.einsum("kp,ekp->e", w[f"{prefix}step"], per_step) + w[f"{prefix}proj.bias"]
        context = w[f"{prefix}bar.weight"][:, None, :] + onset_sums[None, :, :] + bias
        self.context = context.astype(DTYPE)  # (bar position, onset pattern, width)
        self.styles = w["style.weight"].astype(DTYPE) if "style.weight" in w else None
        self.shifts = np.asarray(shifts, dtype=np.int64)
        self._rows: dict[tuple[int, ...], np.ndarray] = {}

    def melody(self, pitch: np.ndarray, onset: np.ndarray, bar: np.ndarray, style: int) -> np.ndarray:
        """(K, T, width) beat vectors of a melody's (T, 4) tokens and onsets and (T,) bar
        positions (``accompanist.nn.tokens.melody_arrays``) in every key."""
        rows = transposed_tokens(pitch, self.shifts) + np.arange(4) * N_PITCH_TOKENS
        x = self.pitch[rows].sum(axis=2)
        x += self.context[bar, onset @ ONSET_BITS]
        np.maximum(x, 0.0, out=x)
        if self.styles is not None:
            x += self.styles[style]
        return x

    def beat(
        self, pitch: tuple[int, ...], onset: tuple[bool, ...], bar_pos: int, style: int, out: np.ndarray
    ) -> None:
        """(K, width) vectors of one beat (MIDI pitches, -1 a rest) in every key, into ``out``."""
        rows = self._rows.get(pitch)
        if rows is None:
            rows = self._beat_rows(pitch)
        x = self.pitch[rows].sum(axis=1)
        pattern = 8 * onset[0] + 4 * onset[1] + 2 * onset[2] + onset[3]
        x += self.context[min(max(bar_pos, 0), MAX_BAR_POS - 1), pattern]
        np.maximum(x, 0.0, out=out)
        if self.styles is not None:
            out += self.styles[style]

    def _beat_rows(self, pitch: tuple[int, ...]) -> np.ndarray:
        """Rows of ``pitch`` for one beat's 4 pitches in every key, remembered (up to a bound)."""
        p = np.asarray(pitch, dtype=np.int64)
        tokens = transposed_tokens(np.where(p < 0, REST_TOKEN, np.clip(p, 0, 127)), self.shifts)
        rows = tokens + np.arange(4) * N_PITCH_TOKENS
        if len(self._rows) >= MAX_REMEMBERED:
            self._rows.clear()
        self._rows[pitch] = rows
        return rows


def joined(w: Mapping[str, np.ndarray], prefix: str, suffix: str = "") -> np.ndarray:
    """(input + h + 1, 4h) weights of one ``nn.LSTM`` layer (``{prefix}weight_ih{suffix}`` and the
    rest; the last row the two biases summed), gates reordered i, f, o, g."""
    ih, hh = w[f"{prefix}weight_ih{suffix}"], w[f"{prefix}weight_hh{suffix}"]
    bias = w[f"{prefix}bias_ih{suffix}"] + w[f"{prefix}bias_hh{suffix}"]
    h = len(ih) // 4
    order = np.concatenate([np.arange(q * h, (q + 1) * h) for q in (0, 1, 3, 2)])
    weight = np.concatenate([ih, hh, bias[:, None]], axis=1)[order]
    return np.ascontiguousarray(weight.T, dtype=DTYPE)


def cell(gates: np.ndarray, c: np.ndarray, h_out: np.ndarray, tmp: np.ndarray) -> None:
    """One LSTM step from the (K, 4h) pre-activations (i, f, o, g; overwritten): the cell state
    ``c`` is updated in place and the new h written into ``h_out``."""
    h = c.shape[-1]
    sig = gates[..., : 3 * h]  # sigmoid(x) = (1 + tanh(x / 2)) / 2, which never overflows
    sig *= 0.5
    np.tanh(sig, out=sig)
    sig *= 0.5
    sig += 0.5
    np.tanh(gates[..., 3 * h :], out=tmp)
    tmp *= gates[..., :h]  # i * g
    c *= gates[..., h : 2 * h]  # f * c
    c += tmp
    np.tanh(c, out=h_out)
    h_out *= gates[..., 2 * h : 3 * h]  # o * tanh(c)


def run(x: np.ndarray, *weights: np.ndarray) -> np.ndarray:
    """(K, T, h * len(weights)) outputs of an LSTM layer over (K, T, D) inputs from a zero state:
    one direction (forward) for one ``joined`` matrix, both (forward, backward: reading from the
    last beat, outputs concatenated) for two. One direction runs over every beat before the other
    starts, so that its (h, 4h) recurrent weights (1 MB at 256 units) stay in the core's cache:
    both stepping together read 2 MB a beat, more than this machine's 2 MB L2 holds with the rest."""
    k, t, d = x.shape
    h = weights[0].shape[1] // 4
    beats = x.transpose(1, 0, 2)  # (T, K, D)
    out = np.empty((t, k, len(weights) * h), DTYPE)
    for n, w in enumerate(weights):
        order = slice(None, None, -1) if n == 1 else slice(None)  # backward reads from the last beat
        inputs = affine(beats[order], w[:d], w[-1])  # (T, K, 4h): every beat's input product at once
        steps(inputs, w[d : d + h], out[order, :, n * h : (n + 1) * h])
    return out.transpose(1, 0, 2)


def steps(inputs: np.ndarray, recurrent: np.ndarray, out: np.ndarray) -> None:
    """One direction over (T, K, 4h) input products in reading order from a zero state, each
    beat's h written into (T, K, h) ``out``."""
    k, h = inputs.shape[1], recurrent.shape[0]
    state, c = np.zeros((k, h), DTYPE), np.zeros((k, h), DTYPE)
    gates, tmp = np.empty((k, 4 * h), DTYPE), np.empty((k, h), DTYPE)
    for step in range(len(inputs)):
        np.dot(state, recurrent, out=gates)
        gates += inputs[step]
        cell(gates, c, state, tmp)
        out[step] = state
