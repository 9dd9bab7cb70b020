"""The GAN's accuracy-diversity trade-off: accuracy over 8 seeds and diversity per sampling temperature.

    python scripts/gan_temperature.py [--split validation] [--models gan models/gan-supervised.pt]
                                      [--temperatures 0 0.3 0.35 0.4]

Temperature is an inference-time knob (it changes no weight), so one checkpoint gives every row.
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np

from accompanist import harmonizers
from accompanist.data import load_chorales, split_pieces
from accompanist.harmonizers.gan import DIVERSITY_SEEDS


def row(model, pieces: list, causal: bool) -> str:
    accs = [
        np.concatenate([model.predict(p.melody, causal=causal, seed=s) == p.chords for p in pieces]).mean()
        for s in DIVERSITY_SEEDS
    ]
    extra = model.extra_metrics(pieces, causal=causal)
    return (
        f"accuracy mean {np.mean(accs):.3f} (seeds {min(accs):.3f}-{max(accs):.3f})  "
        f"diversity {extra['diversity']:.3f}  sample entropy {extra['sample_entropy']:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="validation", choices=("validation", "test"))
    parser.add_argument("--models", nargs="+", default=["gan"])
    parser.add_argument("--temperatures", nargs="+", type=float, default=[0.0, 0.3, 0.35, 0.4])
    args = parser.parse_args()
    pieces = split_pieces(load_chorales(progress=False))[args.split]
    for name in args.models:
        model = harmonizers.load(name)
        for t in args.temperatures:
            model.config = dataclasses.replace(model.config, temperature=t)
            for mode in ("offline", "causal"):
                print(
                    f"{name} {args.split} T={t:g} {mode:7s} {row(model, pieces, mode == 'causal')}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
