"""The classical baseline: a trigram chord HMM with a melody emission model over hand-made features.

Hidden state: the last two chords (a, b). Transitions P(c | a, b, metre) come from chord
trigram counts over all 12 transpositions of the training pieces, each order interpolated with
the next lower one by a fixed pseudo-count, (n(c | a, b) + k3 P(c | b)) / (n(a, b) + k3), and
likewise ``k2`` for the bigram over the unigram (a Dirichlet prior, not Witten-Bell); the metre
(downbeat or not) has its own tables. Emissions score each chord against the beat's features
(``accompanist.features``): log P = dur_weight * sum_s f_s log theta[q, s - root] +
onset_weight * log phi[metre, q, onset - root], with theta and phi estimated relative to the
chord root, so they are transposition invariant. Offline decoding is posterior (forward-
backward; ``decode=viterbi`` for Viterbi); the causal mode is forward filtering, and ``step``
is one forward update: only the melody so far reaches it. Both passes run factored through the
sparse trigram counts (``accompanist.harmonizers.markov_filter``); ``reference = True`` runs them
on the dense float32 table instead, the maths the factored passes are tested against.

Each style (``chorale``, ``folk``) has its own tables, counted from that style's pieces alone;
``use_style`` picks them (a style the model was not trained on falls back to the first). The counts,
and their checkpoint form, are ``accompanist.harmonizers.markov_counts``; this module smooths them
into the tables and decodes with them.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from accompanist import chords
from accompanist.config import apply_overrides
from accompanist.data.corpora import STYLES
from accompanist.features import N_SYMBOLS, frame_features, melody_features
from accompanist.harmonizers.base import Harmonizer
from accompanist.harmonizers.markov_counts import (
    BOS,
    V,
    absolute_table,
    count_pieces,
    counts_from_state,
    counts_state,
    relative,
)
from accompanist.harmonizers.markov_filter import FactoredTransitions
from accompanist.melody import BeatFrame, Melody


@dataclass
class MarkovConfig:
    k3: float = 30.0
    k2: float = 30.0
    dur_weight: float = 1.0
    onset_weight: float = 0.6
    emission_smoothing: float = 0.5
    key_weight: float = 0.5
    key_sharpness: float = 0.3
    decode: str = "posterior"


@dataclass
class Tables:
    """One style's model: transitions, emissions and the key chain's tables."""

    trans: np.ndarray = field(repr=False)
    log_dur: np.ndarray = field(repr=False)
    log_onset: np.ndarray = field(repr=False)
    key_log_melody: np.ndarray = field(repr=False)
    key_chord: np.ndarray = field(repr=False)
    factored: tuple[FactoredTransitions, ...] = field(repr=False)  # per metre


class MarkovHarmonizer(Harmonizer):
    family = "markov"
    reference = False  # True: the dense transition table, not the factored passes

    def __init__(self, config: MarkovConfig, counts: dict[str, dict[str, np.ndarray]]) -> None:
        """``counts``: the training counts of each style (``count_pieces``)."""
        self.config = config
        self.counts = counts
        self.styles = tuple(counts)
        self._tables = {style: self._build(c) for style, c in counts.items()}
        self.use_style("folk")

    def use_style(self, style: str) -> None:
        self.style = style
        self.t = self._tables[style if style in self._tables else self.styles[0]]
        self.reset()

    # ---- model tables --------------------------------------------------------------------
    def _build(self, c: dict[str, np.ndarray]) -> Tables:
        cfg = self.config
        uni = (c["uni"] + 1.0) / (c["uni"].sum() + V)
        bi = (c["bi"] + cfg.k2 * uni) / (c["bi"].sum(-1, keepdims=True) + cfg.k2)  # (2, V+1, V)
        tri = (c["tri"] + cfg.k3 * bi[:, None]) / (c["tri"].sum(-1, keepdims=True) + cfg.k3)
        # (2, b, a, c): context (a, b) -> c, stored b-major so a step is one batched matmul
        trans = np.ascontiguousarray(tri.transpose(0, 2, 1, 3), dtype=np.float32)
        s = cfg.emission_smoothing
        theta = (c["dur"] + s) / (c["dur"] + s).sum(-1, keepdims=True)
        phi = (c["onset"] + s) / (c["onset"] + s).sum(-1, keepdims=True)
        log_dur = np.log(absolute_table(theta)).T.astype(np.float32)  # (13, V)
        log_onset = np.log(absolute_table(phi)).astype(np.float32)  # (2, V, 13)
        factored = tuple(FactoredTransitions.from_counts(c["tri"][m], bi[m], cfg.k3) for m in range(2))
        return Tables(trans, log_dur, log_onset, *self._build_keys(c), factored)

    def _build_keys(self, c: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Tables of the key chain: 24 keys (12 tonics x major, minor) over melody and chords."""
        s = self.config.emission_smoothing
        profile = (c["key_melody"] + s) / (c["key_melody"] + s).sum(-1, keepdims=True)  # (2, 13)
        chord = (c["key_chord"] + s) / (c["key_chord"] + s).sum(-1, keepdims=True)  # (2, V)
        tonic = np.arange(24) % 12
        mode = np.arange(24) // 12
        sym = np.arange(N_SYMBOLS)
        key_log_melody = np.log(profile[mode[:, None], relative(sym[None], tonic[:, None])]).T
        key_chord = np.stack([chord[m][chords.transpose(np.arange(V), -t)] for t, m in zip(tonic, mode)])
        return key_log_melody, key_chord

    def key_factor(self, dur: np.ndarray, causal: bool) -> np.ndarray:
        """(n_beats, V) chord weights from the key posterior (melody so far, or all of it)."""
        loglik = self.config.key_sharpness * (dur @ self.t.key_log_melody)  # (n, 24)
        loglik = np.cumsum(loglik, axis=0) if causal else np.broadcast_to(loglik.sum(0), loglik.shape)
        return self._key_weights(loglik)

    def _key_weights(self, loglik: np.ndarray) -> np.ndarray:
        post = np.exp(loglik - loglik.max(axis=-1, keepdims=True))
        post /= post.sum(axis=-1, keepdims=True)
        return (post @ self.t.key_chord) ** self.config.key_weight

    def emissions(self, dur: np.ndarray, onset: np.ndarray, metre: np.ndarray) -> np.ndarray:
        """(n_beats, V) emission likelihoods, scaled per beat (the scale cancels out); (V,) for one
        beat's features."""
        cfg = self.config
        log_e = cfg.dur_weight * (dur @ self.t.log_dur) + cfg.onset_weight * self.t.log_onset[metre, :, onset]
        return np.exp(log_e - log_e.max(axis=-1, keepdims=True))

    def _start(self) -> np.ndarray:
        alpha = np.zeros((V + 1, V + 1), dtype=np.float32)
        alpha[BOS, BOS] = 1.0
        return alpha

    def _forward_step(self, alpha: np.ndarray, emission: np.ndarray, metre: int) -> np.ndarray:
        if not self.reference:
            return self.t.factored[metre].forward(alpha, emission)
        new = np.zeros_like(alpha)  # the BOS column stays empty after the start
        new[:, :V] = np.matmul(alpha.T[:, None, :], self.t.trans[metre])[:, 0, :] * emission[None, :]
        return new / new.sum()

    # ---- offline ------------------------------------------------------------------------
    def probabilities(self, melody: Melody, *, causal: bool = False, seed: int | None = None) -> np.ndarray:
        dur, onset, metre = melody_features(melody)
        emit = self.emissions(dur, onset, metre) * self.key_factor(dur, causal)
        alphas = [self._start()]
        for t in range(len(emit)):
            alphas.append(self._forward_step(alphas[-1], emit[t], int(metre[t])))
        alphas = alphas[1:]
        if causal:
            rows = [a.sum(axis=0)[:V] for a in alphas]
            return np.stack(rows) if rows else np.zeros((0, V), dtype=np.float32)
        return self._smooth(alphas, emit, metre)

    def _smooth(self, alphas: list[np.ndarray], emit: np.ndarray, metre: np.ndarray) -> np.ndarray:
        """Posterior marginals P(c_t | whole melody) by a backward pass over pair states."""
        n = len(alphas)
        beta = np.ones((V + 1, V + 1), dtype=np.float32)
        out = np.zeros((n, V), dtype=np.float32)
        for t in range(n - 1, -1, -1):
            post = alphas[t] * beta
            out[t] = post.sum(axis=0)[:V] / post.sum()
            if t and not self.reference:
                beta = self.t.factored[int(metre[t])].backward(beta, emit[t])
            elif t:
                # beta_{t-1}(a, b) = sum_c T(a, b -> c) e_t(c) beta_t(b, c)
                weighted = emit[t][None, :] * beta[:, :V]  # (b, c)
                beta = np.matmul(self.t.trans[int(metre[t])], weighted[:, :, None])[:, :, 0].T
                beta /= beta.max()
        return out

    def predict(self, melody: Melody, *, causal: bool = False, seed: int | None = None) -> np.ndarray:
        if not causal and self.config.decode == "viterbi":
            return self.viterbi(melody)
        return self.probabilities(melody, causal=causal).argmax(axis=1)

    def viterbi(self, melody: Melody) -> np.ndarray:
        dur, onset, metre = melody_features(melody)
        log_e = np.log(self.emissions(dur, onset, metre) * self.key_factor(dur, False) + 1e-30)
        log_t = np.log(self.t.trans.transpose(0, 2, 1, 3) + 1e-30)
        delta = np.full((V + 1, V + 1), -np.inf, dtype=np.float32)
        delta[BOS, BOS] = 0.0
        back = []
        for t in range(len(log_e)):
            scores = delta[:, :, None] + log_t[int(metre[t])]  # (a, b, c)
            best_a = scores.argmax(axis=0)  # (b, c)
            new = np.full_like(delta, -np.inf)
            new[:, :V] = np.take_along_axis(scores, best_a[None], 0)[0] + log_e[t][None, :]
            back.append(best_a)
            delta = new
        b, c = np.unravel_index(delta.argmax(), delta.shape)
        path = [c]
        for t in range(len(back) - 1, 0, -1):
            b, c = back[t][b, c], b
            path.append(c)
        return np.array(path[::-1], dtype=np.int64)

    # ---- live ---------------------------------------------------------------------------
    def reset(self, seed: int | None = None) -> None:
        self._alpha = self._start()
        self._key_loglik = np.zeros(24, dtype=np.float64)

    def step_probabilities(self, frame: BeatFrame) -> np.ndarray:
        """Advance by one beat; P(chord of this beat | melody so far), a forward-filter update."""
        dur, onset, metre = frame_features(frame)
        emit = self.emissions(dur, onset, metre)
        self._key_loglik += self.config.key_sharpness * (dur @ self.t.key_log_melody)
        emit = emit * self._key_weights(self._key_loglik)
        self._alpha = self._forward_step(self._alpha, emit, metre)
        return self._alpha.sum(axis=0)[:V]

    def step_index(self, frame: BeatFrame) -> int:
        return int(self.step_probabilities(frame).argmax())

    # ---- persistence ----------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {
            "config": asdict(self.config),
            "styles": {k: counts_state(c) for k, c in self.counts.items()},
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], device: str = "cpu") -> MarkovHarmonizer:
        config = MarkovConfig(**state["config"])
        smoothing = min(config.k3, config.k2, config.emission_smoothing)
        weights = min(config.dur_weight, config.onset_weight, config.key_weight, config.key_sharpness)
        if smoothing <= 0 or weights < 0 or config.decode not in ("posterior", "viterbi"):
            raise ValueError("config: k3, k2, emission_smoothing > 0; weights >= 0; decode posterior|viterbi")
        by_style = state["styles"] if "styles" in state else {"chorale": state}  # one-style layout
        if not isinstance(by_style, dict) or not by_style or not set(by_style) <= set(STYLES):
            raise ValueError(f"styles must be a dict of some of {', '.join(STYLES)}")
        return cls(config, {k: counts_from_state(c) for k, c in by_style.items()})

    # ---- training -----------------------------------------------------------------------
    @classmethod
    def fit(
        cls,
        train: list,
        valid: list,
        *,
        options: dict[str, str],
        device: str = "cpu",
        seed: int = 0,
        progress: bool = True,
    ) -> MarkovHarmonizer:
        """Count chord n-grams (all 12 transpositions) and root-relative emissions, per style."""
        start = time.perf_counter()
        config = apply_overrides(MarkovConfig(), options)
        styles = sorted({p.style for p in train})
        model = cls(config, {st: count_pieces([p for p in train if p.style == st]) for st in styles})
        model.meta = {
            "train_seconds": time.perf_counter() - start,
            "device": "cpu",
            "train_pieces": len(train),
        }
        return model
