"""The GAN's accuracy-diversity trade-off: accuracy and PCS over 8 seeds, and diversity, per temperature.

    python scripts/gan_temperature.py [--split validation] [--models gan models/gan-supervised.pt]
                                      [--temperatures 0 0.3 0.35 0.4]

Temperature is an inference-time knob (it changes no weight), so one checkpoint gives every row.
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np

from accompanist import harmonizers
from accompanist.data.corpora import corpus
from accompanist.variety import SEEDS, harmonize_seeds, variety_metrics


def row(model, pieces: list, causal: bool) -> str:
    runs = harmonize_seeds(model, pieces, causal=causal)  # each piece's chords under every seed
    hits = [np.concatenate([h[k] == p.chords for h, p in zip(runs, pieces)]) for k in range(len(SEEDS))]
    accs = [h.mean() for h in hits]
    extra = variety_metrics(pieces, runs)
    return (
        f"accuracy mean {np.mean(accs):.3f} (seeds {min(accs):.3f}-{max(accs):.3f})  "
        f"PCS {extra['seed_pcs']:.3f}  "
        f"diversity {extra['diversity']:.3f}  distinct {extra['distinct']:.2f} of 8"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="validation", choices=("validation", "test"))
    parser.add_argument("--models", nargs="+", default=["gan"])
    parser.add_argument("--temperatures", nargs="+", type=float, default=[0.0, 0.3, 0.35, 0.4])
    parser.add_argument("--corpus", choices=("chorales", "nottingham"), default="chorales")
    args = parser.parse_args()
    data = corpus(args.corpus)
    pieces = data.parts(progress=False)[args.split]
    for name in args.models:
        model = harmonizers.load(name)
        model.use_style(data.style)
        for t in args.temperatures:
            model.config = dataclasses.replace(model.config, temperature=t)
            for mode in ("offline", "causal"):
                print(
                    f"{name} {args.split} T={t:g} {mode:7s} {row(model, pieces, mode == 'causal')}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
