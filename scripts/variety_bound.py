"""How much accuracy variety must cost a harmonizer that believes what the shipped lstm believes.

For every beat of each test split, the lstm's offline distribution p over chords. A generator
whose 8 seeds pick chord c at a beat with share q(c) is right on average sum_c q(c) [c = human
chord], and two of its seeds differ there with probability about 1 - sum_c q(c)^2 (times 8/7 for
8 seeds dealt out exactly). Among the q that keep that diversity, the one most accurate by the
model's own beliefs is q proportional to max(p - mu, 0) (maximise sum q p + lambda (1 - sum q^2)
over the simplex). This prints, per corpus, the accuracy against the human chords and the
diversity along that frontier, and the accuracy at diversity 0.25: no generator that ranks
chords as the lstm does gets more variety for less.

    python scripts/variety_bound.py [--corpora chorales nottingham]
"""

from __future__ import annotations

import argparse

import numpy as np

from accompanist import harmonizers
from accompanist.data.corpora import corpus

LAMBDAS = (0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)
SEEDS = 8


def frontier_share(p: np.ndarray, lam: float) -> np.ndarray:
    """(N, V) q: the maximiser of sum q p + lam (1 - sum q^2) on the simplex, row by row."""
    v = p / (2 * lam)
    u = np.sort(v, axis=1)[:, ::-1]
    cumulative = np.cumsum(u, axis=1) - 1
    k = np.arange(1, p.shape[1] + 1)
    rho = (u - cumulative / k > 0).sum(axis=1)
    theta = cumulative[np.arange(len(p)), rho - 1] / rho
    return np.maximum(v - theta[:, None], 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", nargs="+", default=["chorales", "nottingham"])
    args = parser.parse_args()
    lstm = harmonizers.load("lstm")
    for name in args.corpora:
        source = corpus(name)
        lstm.use_style(source.style)
        pieces = source.parts(progress=False)["test"]
        probs = np.concatenate([lstm.probabilities(p.melody) for p in pieces])
        human = np.concatenate([p.chords for p in pieces])
        top = float((probs.argmax(1) == human).mean())
        print(f"{name}: lstm offline accuracy {top:.3f}")
        rows = []
        for lam in LAMBDAS:
            q = frontier_share(probs, lam)
            diversity = float((1 - (q**2).sum(1)).mean()) * SEEDS / (SEEDS - 1)
            accuracy = float(q[np.arange(len(human)), human].mean())
            rows.append((diversity, accuracy))
            print(f"  lambda {lam:<5} diversity {diversity:.3f}  accuracy {accuracy:.3f}")
        d, a = zip(*rows)
        at = float(np.interp(0.25, d, a))
        print(f"  at diversity 0.25: accuracy {at:.3f} ({100 * (at - top):+.1f} points)")


if __name__ == "__main__":
    main()
