"""The GAN's accuracy-diversity trade-off: accuracy and PCS over 8 seeds, and diversity, per temperature.

    python scripts/gan_temperature.py [--split validation] [--models gan models/gan-supervised.pt]
                                      [--temperatures 0 0.3 0.35 0.4]

Temperature is an inference-time knob (it changes no weight), so one checkpoint gives every row.
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np

from accompanist import harmonizers, metrics
from accompanist.data.corpora import corpus
from accompanist.harmonizers.gan import DIVERSITY_SEEDS


def row(model, pieces: list, causal: bool) -> str:
    accs, pcs = [], []
    for seed in DIVERSITY_SEEDS:
        predicted = [model.predict(p.melody, causal=causal, seed=seed) for p in pieces]
        accs.append(np.concatenate([c == p.chords for c, p in zip(predicted, pieces)]).mean())
        scores = [{"pcs": metrics.pitch_consistency(p.melody, c)} for c, p in zip(predicted, pieces)]
        pcs.append(metrics.aggregate(scores)["pcs"])
    extra = model.extra_metrics(pieces, causal=causal)
    return (
        f"accuracy mean {np.mean(accs):.3f} (seeds {min(accs):.3f}-{max(accs):.3f})  PCS {np.mean(pcs):.3f}  "
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
