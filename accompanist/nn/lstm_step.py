"""A unidirectional ChordNet stepped one beat at a time in numpy: the live path, no torch per step.

The maths of ``accompanist.nn.lstm.CausalStepper`` (the reference, kept for the equality test),
with the weights prepared once: the beat encoder folded into lookup tables (one row per step,
token; the projection is linear up to its ReLU), each layer's input and recurrent weights joined
into one (4 hidden, input + hidden) matrix with the gates ordered i, f, o, g (three sigmoids in one
slice), float32 throughout. Each row of the state is one key of the transposition ensemble,
so a layer is one matrix product into a preallocated buffer (on one thread, (keys, input) times
(input, gates) ran a quarter faster here than the transposed product).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np

from accompanist import chords
from accompanist.nn.encoding import MAX_BAR_POS, N_PITCH_TOKENS, REST_TOKEN

DTYPE = np.float32
MAX_REMEMBERED = 4096  # beats' pitches whose table rows are kept


class NumpyStepper:
    """One causal session: ``reset()``, then ``probabilities(pitch, onset, bar_pos)`` per beat."""

    def __init__(self, weights: Mapping[str, object], layers: int, shifts: list[int], style: int = 0) -> None:
        """``weights``: the causal ChordNet's state dict (tensors or arrays)."""
        w = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}
        self.style = style
        self.shifts = np.asarray(shifts, dtype=np.int64)
        self._fold_encoder(w)
        self.layers = [_joined(w, k) for k in range(layers)]
        self.hidden = h = self.layers[0].shape[1] // 4
        head = np.concatenate([w["head.weight"], w["head.bias"][:, None]], axis=1)
        self.head = np.ascontiguousarray(head.T, dtype=DTYPE)  # (h + 1, V)
        n, v = len(shifts), chords.VOCAB_SIZE
        perm = np.stack([chords.transpose(np.arange(v), int(s)) for s in shifts])
        self.gather = (perm + v * np.arange(n)[:, None]).astype(np.int64)  # into (n, V) probabilities
        # each layer's input row: [x, h, 1] (the 1 carries the bias), one row per shift
        widths = [self.embed] + [h] * (layers - 1)
        self.inputs = [np.zeros((n, width + h + 1), DTYPE) for width in widths]
        self.gates = np.zeros((n, 4 * h), DTYPE)
        self.cells = [np.zeros((n, h), DTYPE) for _ in range(layers)]
        self.tmp = np.zeros((n, h), DTYPE)
        self.logits = np.zeros((n, v), DTYPE)
        self._token_rows: dict[tuple[int, ...], np.ndarray] = {}
        self.reset()

    def _fold_encoder(self, w: dict[str, np.ndarray]) -> None:
        """relu(proj(pitch, onset and step embeddings of the 4 steps) + bar) as two table lookups:
        a row per (step, token), and a row per (bar position, onset pattern) holding the rest."""
        proj = w["encoder.proj.weight"]
        self.embed = proj.shape[0]
        per_step = proj.reshape(self.embed, 4, -1)  # BeatEncoder flattens (step, dim)
        pitch = np.einsum("tp,ekp->kte", w["encoder.pitch.weight"], per_step)
        self.pitch_table = pitch.reshape(-1, self.embed).astype(DTYPE)  # row: step * 129 + token
        onset = np.einsum("op,ekp->koe", w["encoder.onset.weight"], per_step)  # (step, 0/1, embed)
        patterns = list(itertools.product((False, True), repeat=4))
        self.onset_index = {p: i for i, p in enumerate(patterns)}
        onset_sums = np.stack([onset[np.arange(4), np.array(p, dtype=np.int64)].sum(0) for p in patterns])
        bias = np.einsum("kp,ekp->e", w["encoder.step"], per_step) + w["encoder.proj.bias"]
        context = w["encoder.bar.weight"][:, None, :] + onset_sums[None, :, :] + bias
        self.context_table = context.astype(DTYPE)  # (bar position, onset pattern, embed)
        self.style_table = w["style.weight"].astype(DTYPE) if "style.weight" in w else None

    def reset(self) -> None:
        for buffer in (*self.inputs, *self.cells):
            buffer.fill(0.0)
        for buffer in self.inputs:
            buffer[:, -1] = 1.0

    def probabilities(self, pitch: tuple[int, ...], onset: tuple[bool, ...], bar_pos: int) -> np.ndarray:
        """(V,) chord probabilities for one beat, averaged over the shifts; advances the state."""
        self._encode(pitch, onset, bar_pos, self.inputs[0][:, : self.embed])
        for k, weight in enumerate(self.layers):
            h = self._cell(k, weight)
            if k + 1 < len(self.layers):
                self.inputs[k + 1][:, : self.hidden] = h
        logits = np.dot(self.inputs[-1][:, -self.hidden - 1 :], self.head, out=self.logits)
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits *= 1.0 / (len(self.shifts) * logits.sum(axis=1, keepdims=True))  # softmax, mean over shifts
        return logits.ravel()[self.gather].sum(axis=0, dtype=np.float64)

    def _encode(self, pitch: tuple[int, ...], onset: tuple[bool, ...], bar_pos: int, out: np.ndarray) -> None:
        """(n_shifts, embed) beat vectors of the melody in every key, written into ``out``."""
        rows = self._token_rows.get(pitch)
        if rows is None:
            rows = self._rows(pitch)
        x = self.pitch_table[rows].sum(axis=1)  # (n_shifts, embed)
        x += self.context_table[min(max(bar_pos, 0), MAX_BAR_POS - 1), self.onset_index[onset]]
        np.maximum(x, 0.0, out=out)
        if self.style_table is not None:
            out += self.style_table[self.style]

    def _rows(self, pitch: tuple[int, ...]) -> np.ndarray:
        """Rows of ``pitch_table`` for one beat's 4 pitches in every key, remembered (up to a bound)."""
        p = np.asarray(pitch, dtype=np.int64)
        tokens = np.where(p < 0, REST_TOKEN, np.clip(p[None, :] + self.shifts[:, None], 0, 127))
        rows = tokens + np.arange(4) * N_PITCH_TOKENS
        if len(self._token_rows) >= MAX_REMEMBERED:
            self._token_rows.clear()
        self._token_rows[pitch] = rows
        return rows

    def _cell(self, k: int, weight: np.ndarray) -> np.ndarray:
        """One LSTM layer's step; its new h is left in its own input buffer and returned."""
        h, gates, c, tmp = self.hidden, self.gates, self.cells[k], self.tmp
        np.dot(self.inputs[k], weight, out=gates)
        sig = gates[:, : 3 * h]  # sigmoid(x) = (1 + tanh(x / 2)) / 2, which never overflows
        sig *= 0.5
        np.tanh(sig, out=sig)
        sig *= 0.5
        sig += 0.5
        np.tanh(gates[:, 3 * h :], out=tmp)
        tmp *= gates[:, :h]  # i * g
        c *= gates[:, h : 2 * h]  # f * c
        c += tmp
        out = self.inputs[k][:, -h - 1 : -1]
        np.tanh(c, out=out)
        out *= gates[:, 2 * h : 3 * h]  # o * tanh(c)
        return out


def _joined(w: dict[str, np.ndarray], layer: int) -> np.ndarray:
    """(input + h + 1, 4h) weights of one ``nn.LSTM`` layer (the last row the two biases summed),
    gates reordered i, f, o, g."""
    ih, hh = w[f"rnn.weight_ih_l{layer}"], w[f"rnn.weight_hh_l{layer}"]
    bias = w[f"rnn.bias_ih_l{layer}"] + w[f"rnn.bias_hh_l{layer}"]
    h = len(ih) // 4
    order = np.concatenate([np.arange(q * h, (q + 1) * h) for q in (0, 1, 3, 2)])
    weight = np.concatenate([ih, hh, bias[:, None]], axis=1)[order]
    return np.ascontiguousarray(weight.T, dtype=DTYPE)
