"""The gan family's generator sampled in numpy (``accompanist.nn.numpy_nets``): files and live play.

The maths of ``accompanist.nn.gan.Generator`` at inference, for the K keys of the transposition
ensemble at once (row k: the melody moved by ``shifts[k]`` semitones, its decoder fed the chord
drawn so far in that key). The decoder's input product is split by what it multiplies: the
melody context (every beat at once offline), the beat's noise (one product, shared by the keys)
and the previous chord (its embedding times its weights is one table row per chord, the biases
folded in), so a beat costs one recurrent product and a few row lookups. Causal, the recurrent
products and the previous chord's row are added ahead (``prepare``, between beats), so the answer
to a beat costs its input products alone.

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
    affine,
    cell,
    chord_permutation,
    joined,
    run,
    softmax,
)
from accompanist.nn.tokens import melody_arrays

V = chords.VOCAB_SIZE
BOS = V  # the "previous chord" of the first beat


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


class State:
    """One run's recurrent state, in the buffers the products read: the melody LSTM's input row
    [beat, h, 1] and cell; the decoder's row [melody h, decoder h] and cell (K rows each); and,
    causal, the next beat's gates as far as they are known before it is heard (``prepared``)."""

    def __init__(self, keys: int, width: int, hidden: int) -> None:
        self.melody = np.zeros((keys, width + hidden + 1), DTYPE)
        self.melody[:, -1] = 1.0  # carries the bias
        self.melody_cell = np.zeros((keys, hidden), DTYPE)
        self.decoder = np.zeros((keys, 2 * hidden), DTYPE)
        self.decoder_cell = np.zeros((keys, hidden), DTYPE)
        self.melody_ahead = np.zeros((keys, 4 * hidden), DTYPE)
        self.decoder_ahead = np.zeros((keys, 4 * hidden), DTYPE)
        self.prepared = False


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
        c, e = h * len(suffixes), w["chord.weight"].shape[1]
        n = w["decoder.weight_ih_l0"].shape[1] - c - e
        d = c + n + e
        self.from_context = decoder[:c].astype(DTYPE)
        self.from_noise = decoder[c : c + n].astype(DTYPE)
        self.from_chord = (w["chord.weight"] @ decoder[c + n : d] + decoder[-1]).astype(DTYPE)  # (V + 1, 4h)
        self.recurrent = decoder[d : d + h].astype(DTYPE)
        if causal:  # the melody LSTM's weights for the beat, and for its [h, 1] (done ahead)
            width = self.encoder.width
            self.melody_from_beat = np.ascontiguousarray(self.melody[0][:width])
            self.melody_from_state = np.ascontiguousarray(self.melody[0][width:])
        self.out = np.ascontiguousarray(w["out.weight"].T, dtype=DTYPE)
        self.out_bias = w["out.bias"].astype(DTYPE)
        self.perm = chord_permutation(self.shifts)  # (K, V): chord c of the original key in key k
        k = len(self.shifts)
        self.perm_bos = np.concatenate([self.perm, np.full((k, 1), BOS, dtype=np.int64)], axis=1)
        self.gather = self.perm + V * np.arange(k)[:, None]  # into the (K, V) probabilities, flat
        self.gates, self.tmp = np.empty((k, 4 * h), DTYPE), np.empty((k, h), DTYPE)
        self.logits = np.empty((k, V), DTYPE)

    def start(self) -> State:
        return State(len(self.shifts), self.encoder.width, self.hidden)

    def contexts(self, melody: Melody, style: int) -> np.ndarray:
        """(n_beats, K, 4h) the melody context's share of the decoder's gates, every beat at once."""
        x = self.encoder.melody(*melody_arrays(melody), style)
        return self.context_gates(run(x, *self.melody))

    def context_gates(self, context: np.ndarray) -> np.ndarray:
        """(T, K, 4h) decoder gates of a (K, T, C) melody context (numpy's, or torch's on a GPU)."""
        return affine(np.asarray(context, DTYPE).transpose(1, 0, 2), self.from_context)

    def prepare(self, state: State, prev: int) -> None:
        """Causal: the next beat's gates as far as they are known before it is heard, from the
        recurrent states and the previous chord (once per beat; ``melody_step`` and
        ``chord_probabilities`` add the beat's share)."""
        if state.prepared:
            return
        width, h = self.encoder.width, self.hidden
        np.dot(state.melody[:, width:], self.melody_from_state, out=state.melody_ahead)
        np.dot(state.decoder[:, h:], self.recurrent, out=state.decoder_ahead)
        state.decoder_ahead += self.from_chord[self.perm_bos[:, prev]]
        state.prepared = True

    def melody_step(self, frame: BeatFrame, style: int, state: State) -> None:
        """The causal melody LSTM's next beat (after ``prepare``); its h goes into the decoder's
        row of ``state``."""
        width, h = self.encoder.width, self.hidden
        beat = state.melody[:, :width]
        self.encoder.beat(frame.pitch, frame.onset, frame.bar_pos, style, beat)
        np.dot(beat, self.melody_from_beat, out=self.gates)
        self.gates += state.melody_ahead
        out = state.melody[:, width : width + h]
        cell(self.gates, state.melody_cell, out, self.tmp)
        state.decoder[:, :h] = out

    def chord_probabilities(
        self, state: State, noise: np.ndarray, prev: int, context: np.ndarray | None = None
    ) -> np.ndarray:
        """(V,) chord probabilities for one beat averaged over the keys, in the original key, from
        the noise, the previous chord and the melody context: given as (K, 4h) gates (offline), or
        the h that ``melody_step`` left in ``state`` (causal). The decoder's state advances."""
        h, gates = self.hidden, self.gates
        if context is None:  # causal, prepared: the recurrent and previous chord's shares are in
            np.dot(state.decoder[:, :h], self.from_context, out=gates)
            gates += state.decoder_ahead
            state.prepared = False
        else:
            np.dot(state.decoder[:, h:], self.recurrent, out=gates)
            gates += context
            gates += self.from_chord[self.perm_bos[:, prev]]
        gates += np.dot(noise, self.from_noise)
        out = state.decoder[:, h:]
        cell(gates, state.decoder_cell, out, self.tmp)
        logits = np.dot(out, self.out, out=self.logits)
        logits += self.out_bias
        softmax(logits)
        return logits.ravel()[self.gather].sum(axis=0, dtype=np.float64) / len(self.shifts)
