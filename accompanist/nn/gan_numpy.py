"""The gan family's generator sampled in numpy (``accompanist.nn.numpy_nets``): files and live play.

The maths of ``accompanist.nn.gan.Generator`` at inference, for the K keys of the transposition
ensemble at once (row k: the melody moved by ``shifts[k]`` semitones, its decoder fed the chord
drawn so far in that key). The decoder's input product is split by what it multiplies: the
melody context (every beat at once offline), the beat's noise (one product, shared by the keys)
and the previous chord (its embedding times its weights is one table row per chord, the biases
folded in), so a beat costs one recurrent product and a few row lookups.

Each beat draws, in this order, ``noise_dim`` normals (z_t) and ``VOCAB_SIZE`` uniforms for the
Gumbel-max draw from softmax(logits / temperature), from numpy's PCG64 stream of the seed
(``Draws``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from accompanist import chords
from accompanist.melody import BeatFrame, Melody
from accompanist.nn.numpy_nets import (
    DTYPE,
    BeatTables,
    cell,
    chord_permutation,
    joined,
    key_average,
    run,
    softmax,
)
from accompanist.nn.tokens import melody_arrays

V = chords.VOCAB_SIZE
BOS = V  # the "previous chord" of the first beat
State = tuple[np.ndarray, np.ndarray]  # an LSTM's (h, c), (K, hidden) each


class Draws:
    """One seed's random stream: per beat, the noise vector, then the Gumbel noise of the draw."""

    def __init__(self, seed: int, noise_dim: int, noise_scale: float) -> None:
        self.rng = np.random.default_rng(seed)
        self.noise_dim, self.noise_scale = noise_dim, noise_scale

    def beat(self) -> tuple[np.ndarray, np.ndarray]:
        """(noise_dim,) z_t and (V,) standard Gumbel noise; -log(-log(u)) with u kept off 0 and 1."""
        z = (self.rng.standard_normal(self.noise_dim) * self.noise_scale).astype(DTYPE)
        u = np.clip(self.rng.random(V), 1e-9, 1 - 1e-9)
        return z, -np.log(-np.log(u))


def draw(probs: np.ndarray, gumbel: np.ndarray, temperature: float) -> int:
    """A chord drawn from softmax(log(probs) / temperature) by Gumbel-max; temperature 0: the likeliest."""
    if temperature <= 0:
        return int(probs.argmax())
    return int((np.log(np.maximum(probs, 1e-30)) / temperature + gumbel).argmax())


class NumpyGenerator:
    """A Generator's weights prepared for sampling: ``contexts`` (offline) or ``melody_step``
    (causal) for the melody, then ``chord_probabilities`` beat by beat."""

    def __init__(self, w: Mapping[str, np.ndarray], shifts: tuple[int, ...], causal: bool) -> None:
        """``w``: the generator's state dict as float64 arrays (``numpy_nets.arrays``)."""
        self.causal = causal
        self.shifts = np.asarray(shifts, dtype=np.int64)
        self.encoder = BeatTables(w, self.shifts)
        self.hidden = h = w["out.weight"].shape[1]
        suffixes = ("_l0",) if causal else ("_l0", "_l0_reverse")
        self.melody = [joined(w, "melody.", s) for s in suffixes]
        decoder = joined(w, "decoder.", "_l0").astype(np.float64)  # rows: context, noise, chord, h, bias
        c, n = (
            h * len(suffixes),
            w["decoder.weight_ih_l0"].shape[1] - h * len(suffixes) - w["chord.weight"].shape[1],
        )
        d = c + n + w["chord.weight"].shape[1]
        self.from_context = decoder[:c].astype(DTYPE)
        self.from_noise = decoder[c : c + n].astype(DTYPE)
        self.from_chord = (w["chord.weight"] @ decoder[c + n : d] + decoder[-1]).astype(DTYPE)  # (V + 1, 4h)
        self.recurrent = decoder[d : d + h].astype(DTYPE)
        self.out = np.ascontiguousarray(w["out.weight"].T, dtype=DTYPE)
        self.out_bias = w["out.bias"].astype(DTYPE)
        self.perm = chord_permutation(self.shifts)  # (K, V): chord c of the original key in key k
        bos = np.full((len(self.shifts), 1), BOS, dtype=np.int64)
        self.perm_bos = np.concatenate([self.perm, bos], axis=1)
        k = len(self.shifts)
        self.gates, self.tmp = np.empty((k, 4 * h), DTYPE), np.empty((k, h), DTYPE)

    def zeros(self) -> State:
        k = len(self.shifts)
        return np.zeros((k, self.hidden), DTYPE), np.zeros((k, self.hidden), DTYPE)

    def contexts(self, melody: Melody, style: int) -> np.ndarray:
        """(n_beats, K, 4h) the melody context's share of the decoder's gates, every beat at once."""
        x = self.encoder.melody(*melody_arrays(melody), style)
        return np.matmul(run(x, *self.melody).transpose(1, 0, 2), self.from_context)

    def context_gates(self, context: np.ndarray) -> np.ndarray:
        """(T, K, 4h) decoder gates of a (K, T, C) melody context computed elsewhere (torch, a GPU)."""
        return np.matmul(np.asarray(context, DTYPE).transpose(1, 0, 2), self.from_context)

    def melody_step(self, frame: BeatFrame, style: int, state: State) -> np.ndarray:
        """(K, 4h) the context's share of the decoder's gates for one more beat; ``state`` (the
        causal melody LSTM's) advances in place."""
        h, c = state
        x = np.empty((len(self.shifts), self.encoder.width), DTYPE)
        self.encoder.beat(frame.pitch, frame.onset, frame.bar_pos, style, x)
        weight = self.melody[0]
        gates = np.dot(x, weight[: len(x[0])], out=self.gates)
        gates += np.dot(h, weight[len(x[0]) : -1])
        gates += weight[-1]
        cell(gates, c, h, self.tmp)
        return np.dot(h, self.from_context)

    def chord_probabilities(
        self, context: np.ndarray, noise: np.ndarray, prev: int, state: State
    ) -> np.ndarray:
        """(V,) chord probabilities for one beat averaged over the keys, in the original key, from
        its (K, 4h) context gates, noise and the previous chord; the decoder ``state`` advances in place."""
        h, c = state
        gates = np.dot(h, self.recurrent, out=self.gates)
        gates += context
        gates += noise @ self.from_noise
        gates += self.from_chord[self.perm_bos[:, prev]]
        cell(gates, c, h, self.tmp)
        return key_average(softmax(h @ self.out + self.out_bias), self.perm)
