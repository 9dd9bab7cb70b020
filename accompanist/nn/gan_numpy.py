"""The gan family's generator in numpy (``accompanist.nn.numpy_nets``): files and live play.

The maths of ``accompanist.nn.gan.Generator`` at inference, for the K keys of the transposition
ensemble at once: the encoder is the lstm's numpy net (``accompanist.nn.lstm_numpy``, whole
melodies or one beat at a time), and ``CodeHead`` adds the code's share to its chord logits.
The head's two products of the features (the chord logits and the code layer) are one product
of a joined matrix; the code's own product is done once per phrase (``code_share``).

A seed gives two streams (``Codes``): the codes, one ``code_dim`` normal vector per phrase in
order, and, only when chords are drawn at a temperature, ``VOCAB_SIZE`` uniforms per beat for
the Gumbel-max draw. A phrase is ``phrase_bars`` bars counted in downbeats (``phrase_index``): a
pickup belongs to the first phrase.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from accompanist import chords
from accompanist.nn.numpy_nets import DTYPE, chord_permutation, key_average, softmax, step_average

V = chords.VOCAB_SIZE


def phrase_index(bar_pos: np.ndarray, phrase_bars: int) -> np.ndarray:
    """(T,) the phrase of each beat: a new phrase at every ``phrase_bars``-th downbeat after the first."""
    downbeats = np.cumsum(np.asarray(bar_pos) == 0)
    return np.maximum(downbeats - 1, 0) // max(phrase_bars, 1)


def starts_phrase(downbeats_before: int, bar_pos: int, phrase_bars: int) -> bool:
    """Whether a beat after the first begins a phrase, given the downbeats before it (the live count)."""
    return bar_pos == 0 and downbeats_before > 0 and downbeats_before % max(phrase_bars, 1) == 0


class Codes:
    """One seed's streams: a code per phrase, and per beat the Gumbel noise of a draw."""

    def __init__(self, seed: int, code_dim: int) -> None:
        self.codes = np.random.default_rng(seed)
        self.draws = np.random.default_rng([seed, 1])
        self.code_dim = code_dim

    def code(self) -> np.ndarray:
        return self.codes.standard_normal(self.code_dim)

    def gumbel(self) -> np.ndarray:
        """(V,) standard Gumbel noise; -log(-log(u)) with u kept off 0 and 1."""
        u = np.clip(self.draws.random(V), 1e-9, 1 - 1e-9)
        return -np.log(-np.log(u))


def draw(probs: np.ndarray, gumbel: np.ndarray | None, temperature: float) -> int:
    """A chord drawn from softmax(log(probs) / temperature) by Gumbel-max; temperature 0: the likeliest."""
    if temperature <= 0 or gumbel is None:
        return int(probs.argmax())
    return int((np.log(np.maximum(probs, 1e-30)) / temperature + gumbel).argmax())


class CodeHead:
    """A Generator's head prepared for numpy: the net's chord logits plus the code's share."""

    def __init__(self, w: Mapping[str, np.ndarray], shifts: np.ndarray) -> None:
        """``w``: the generator's state dict as float64 arrays (``numpy_nets.arrays``)."""
        joined = np.concatenate([w["head.weight"], w["code.p.weight"]], axis=0).T  # (width, V + hidden)
        self.joined = np.ascontiguousarray(joined, dtype=DTYPE)
        self.bias = w["head.bias"].astype(DTYPE)
        self.q = np.ascontiguousarray(w["code.q.weight"].T)  # (code_dim, hidden), float64
        self.p_bias = w["code.p.bias"]
        self.o = np.ascontiguousarray(w["code.o.weight"].T, dtype=DTYPE)  # (hidden, V)
        self.o_bias = w["code.o.bias"].astype(DTYPE)
        self.hidden = self.o.shape[0]
        k = len(shifts)
        self.perm = chord_permutation(np.asarray(shifts, dtype=np.int64))  # (K, V): chord c in key k
        self.gather = self.perm + V * np.arange(k)[:, None]  # into (K, V), flat
        self.both, self.logits = np.empty((k, V + self.hidden), DTYPE), np.empty((k, V), DTYPE)

    def code_share(self, code: np.ndarray) -> np.ndarray:
        """(hidden,) the code's share of the code layer, its bias folded in (once per phrase)."""
        return (code @ self.q + self.p_bias).astype(DTYPE)

    def shares(self, codes) -> np.ndarray:
        """(P, hidden) the code shares of P phrases' codes, in order."""
        return np.stack([self.code_share(code) for code in codes])

    def project(self, features: np.ndarray) -> np.ndarray:
        """(K, T, V + hidden) what of the head depends on the (K, T, width) features alone."""
        k, t, _ = features.shape
        return (features.reshape(k * t, -1) @ self.joined).reshape(k, t, -1)

    def probabilities(
        self, features: np.ndarray | None, shares: np.ndarray, projected: np.ndarray | None = None
    ) -> np.ndarray:
        """(T, V) chord probabilities, averaged over the keys, of (K, T, width) features under each
        beat's (T, hidden) code share (``projected``: their ``project``, if already computed)."""
        both = self.project(features) if projected is None else projected
        k, t, _ = both.shape
        logits = both[..., :V].reshape(k * t, V) + self.bias
        hidden = np.tanh(both[..., V:] + shares)
        logits += hidden.reshape(k * t, -1) @ self.o + self.o_bias
        return key_average(softmax(logits.reshape(k, t, V)), self.perm)

    def step(self, features: np.ndarray, share: np.ndarray) -> np.ndarray:
        """(V,) one beat's probabilities from (K, width) features, into preallocated buffers."""
        both = np.dot(features, self.joined, out=self.both)
        logits = np.add(both[:, :V], self.bias, out=self.logits)
        hidden = both[:, V:]
        hidden += share
        np.tanh(hidden, out=hidden)
        logits += np.dot(hidden, self.o)
        logits += self.o_bias
        return step_average(logits, self.gather)
