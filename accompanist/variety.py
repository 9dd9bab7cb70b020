"""How varied a generative model's harmonizations of one melody are, and whether the variety is music.

``variety_metrics(pieces, harmonizations)`` takes, for each piece, the chord sequences of several
seeds (greedy decoding, one sequence per seed) and returns plain floats:

- ``diversity``: the share of beats where two seeds' chords differ, averaged over every pair of
  seeds and weighted by beats (0: the seed changes nothing).
- ``distinct``: how many of the seeds' harmonizations of a piece differ from each other (mean
  over pieces; at most the number of seeds).
- ``seed_accuracy``, ``seed_pcs``, ``seed_note_in_chord`` (split averages as in
  ``accompanist.metrics``, then the mean over seeds) and ``*_min``, the worst seed's: variety
  bought with wrong or clashing chords shows here.
- ``chords_per_piece``: distinct chords in one seed's harmonization (mean over seeds and pieces).
- Mode collapse, against the human chords: ``entropy`` and ``coverage`` of each piece's chord
  histogram pooled over the seeds (human: ``reference_entropy``, ``reference_coverage``, over the
  piece's own chords), and two overlaps in [0, 1] in the manner of mgeval (Yang and Lerch, 2020):
  ``chord_overlap``, the intersection of the corpus-wide chord distributions (generated, pooled
  over seeds, against the human one), and ``entropy_overlap``, the overlapping area of the
  per-harmonization chord-entropy distributions (histograms on shared bins).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from accompanist import chords, metrics, pace

SEEDS = tuple(range(8))  # the seeds each melody is harmonized with
SEED_METRICS = ("accuracy", "majmin", "pcs", "note_in_chord")
ENTROPY_BINS = np.linspace(0.0, 3.5, 15)  # nats: 0 (one chord) to about 33 equally used chords


def harmonize_seeds(
    model, pieces: list, *, causal: bool = False, seeds=SEEDS, changes: str = "beat"
) -> list[list[np.ndarray]]:
    """Each piece's chord indices under every seed, at the pace ``changes`` (``accompanist.pace``;
    ``auto``: the style's, what a user hears): the ``harmonizations`` of ``variety_metrics``."""
    return [
        [pace.predict(model, p.melody, causal=causal, seed=s, changes=changes) for s in seeds] for p in pieces
    ]


def diversity(samples: list[np.ndarray]) -> float:
    """Mean share of beats where two sequences differ, over every pair (0 for fewer than two)."""
    pairs = [np.mean(a != b) for a, b in combinations(samples, 2) if len(a)]
    return float(np.mean(pairs)) if pairs else 0.0


def distinct(samples: list[np.ndarray]) -> int:
    """How many different sequences there are among ``samples``."""
    return len({tuple(int(c) for c in s) for s in samples})


def histogram_overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection of two histograms (counts over the same bins), each normalised to sum 1."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.sum() == 0 or b.sum() == 0:
        return 0.0
    return float(np.minimum(a / a.sum(), b / b.sum()).sum())


def entropy(sequence: np.ndarray) -> float:
    return metrics.chord_histogram_entropy(sequence).value


def variety_metrics(pieces: list, harmonizations: list[list[np.ndarray]]) -> dict[str, float]:
    """The figures above for ``harmonizations[i]``, the seeds' chord sequences of ``pieces[i]``."""
    if not pieces:
        return {}
    beats = np.array([len(p.chords) for p in pieces], float)
    seeds = len(harmonizations[0])
    per_seed = [
        metrics.aggregate(
            [
                {
                    k: v
                    for k, v in metrics.piece_metrics(p.melody, h[s], p.chords).items()
                    if k in SEED_METRICS
                }
                for p, h in zip(pieces, harmonizations)
            ]
        )
        for s in range(seeds)
    ]
    out = {
        "diversity": float(np.average([diversity(h) for h in harmonizations], weights=np.maximum(beats, 1))),
        "distinct": float(np.mean([distinct(h) for h in harmonizations])),
    }
    for key in SEED_METRICS:
        values = [row[key] for row in per_seed if row.get(key) is not None]
        out[f"seed_{key}"] = float(np.mean(values)) if values else None
        out[f"seed_{key}_min"] = float(min(values)) if values else None
    out["chords_per_piece"] = float(
        np.mean([metrics.chord_coverage(s).value for h in harmonizations for s in h])
    )
    out["entropy"] = float(np.mean([entropy(np.concatenate(h)) for h in harmonizations]))
    out["coverage"] = float(
        np.mean([metrics.chord_coverage(np.concatenate(h)).value for h in harmonizations])
    )
    out["reference_entropy"] = float(np.mean([entropy(p.chords) for p in pieces]))
    out["reference_coverage"] = float(np.mean([metrics.chord_coverage(p.chords).value for p in pieces]))
    generated = np.bincount(
        np.concatenate([s for h in harmonizations for s in h]), minlength=chords.VOCAB_SIZE
    )
    human = np.bincount(np.concatenate([p.chords for p in pieces]), minlength=chords.VOCAB_SIZE)
    out["chord_overlap"] = histogram_overlap(generated, human)
    out["entropy_overlap"] = histogram_overlap(
        np.histogram([entropy(s) for h in harmonizations for s in h], ENTROPY_BINS)[0],
        np.histogram([entropy(p.chords) for p in pieces], ENTROPY_BINS)[0],
    )
    return out
