"""Set a trained gan checkpoint's code scales again, as training ends (``gan_training.calibrate``).

The code scales are chosen after training, on the validation pieces of the corpora the model
learned, so a change to how they are chosen (``diversity_target``, ``live_diversity_target``, the
pace the chords are decoded at) needs no retraining: this reads the checkpoint, calibrates with
the targets given (default: the checkpoint's own), and writes it back with the new scales.

    python scripts/gan_recalibrate.py models/gan.pt [--live-target 0.25] [--target 0.28] [--out PATH]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from accompanist import harmonizers
from accompanist.nn.gan_training import calibrate
from accompanist.training import load_training_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("--target", type=float, help="diversity_target (offline)")
    parser.add_argument("--live-target", type=float, help="live_diversity_target (causal)")
    parser.add_argument("--out", type=Path, help="where to write (default: over the checkpoint)")
    args = parser.parse_args()
    model = harmonizers.load(str(args.checkpoint))
    if args.target is not None:
        model.config.diversity_target = args.target
    if args.live_target is not None:
        model.config.live_diversity_target = args.live_target
    parts, _ = load_training_data([c["corpus"] for c in model.meta["corpora"]])
    before = (model.config.code_scale, model.config.live_code_scale)
    model.config.code_scale, model.config.live_code_scale = calibrate(
        model, parts["validation"], model.meta["pace"]
    )
    model.save(args.out or args.checkpoint, model.meta)
    print(f"code_scale {before[0]} -> {model.config.code_scale}")
    print(f"live_code_scale {before[1]} -> {model.config.live_code_scale}")


if __name__ == "__main__":
    main()
