"""The markov family's forward and backward updates over pair states, factored through the counts.

The trigram transition of ``accompanist.harmonizers.markov`` is interpolated with the bigram:

    T(a, b -> c) = (n(a, b, c) + k3 * P2(c | b)) / (N(a, b) + k3),   N(a, b) = sum_c n(a, b, c)

so one forward update, new(b, c) = e(c) * sum_a alpha(a, b) T(a, b -> c), splits into a sparse
part over the trigrams seen in training (a few thousand of the 1.3 million (a, b, c)) and a dense
bigram part scaled per b by sum_a alpha(a, b) k3 / (N(a, b) + k3). The backward update splits the
same way. Each costs tens of thousands of multiply-adds instead of the dense table's 1.3 million
(5 MB read per beat), and computes the same numbers in float64 (the dense reference is float32).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class FactoredTransitions:
    """One metre's transitions, factored; states are (previous chord, chord) pairs."""

    ab: np.ndarray = field(repr=False)  # flat (a, b) index of each seen trigram
    bc: np.ndarray = field(repr=False)  # flat (b, c) index of the same trigram, c < n_chords
    value: np.ndarray = field(repr=False)  # n(a, b, c) / (N(a, b) + k3)
    smooth: np.ndarray = field(repr=False)  # (n_ctx, n_ctx): k3 / (N(a, b) + k3)
    bigram: np.ndarray = field(repr=False)  # (n_ctx, n_chords): P2(c | b)

    @classmethod
    def from_counts(cls, tri: np.ndarray, bigram: np.ndarray, k3: float) -> FactoredTransitions:
        """``tri``: (a, b, c) trigram counts of one metre; ``bigram``: (b, c) smoothed P2(c | b)."""
        n_ctx, _, n_chords = tri.shape
        total = tri.sum(-1, dtype=np.float64) + k3  # (a, b)
        a, b, c = np.nonzero(tri)
        return cls(
            ab=a * n_ctx + b,
            bc=b * n_chords + c,
            value=tri[a, b, c] / total[a, b],
            smooth=k3 / total,
            bigram=np.asarray(bigram, dtype=np.float64),
        )

    def forward(self, alpha: np.ndarray, emission: np.ndarray) -> np.ndarray:
        """alpha'(b, c) proportional to e(c) sum_a alpha(a, b) T(a, b -> c), normalised to sum 1."""
        n_ctx, n_chords = self.bigram.shape
        weights = alpha.ravel()[self.ab] * self.value
        mass = np.bincount(self.bc, weights, n_ctx * n_chords).reshape(n_ctx, n_chords)
        mass += np.einsum("ab,ab->b", alpha, self.smooth)[:, None] * self.bigram
        mass *= emission
        new = np.zeros_like(alpha)  # the "before the start" column stays empty after the start
        new[:, :n_chords] = mass / mass.sum()
        return new

    def backward(self, beta: np.ndarray, emission: np.ndarray) -> np.ndarray:
        """beta'(a, b) proportional to sum_c T(a, b -> c) e(c) beta(b, c), scaled to a maximum of 1."""
        n_ctx, n_chords = self.bigram.shape
        weighted = emission[None, :] * beta[:, :n_chords]  # (b, c)
        prev = np.bincount(self.ab, weighted.ravel()[self.bc] * self.value, n_ctx * n_ctx)
        prev = prev.reshape(n_ctx, n_ctx) + self.smooth * (self.bigram * weighted).sum(1)[None, :]
        return prev / prev.max()
