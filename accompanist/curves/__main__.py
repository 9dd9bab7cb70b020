"""``python -m accompanist.curves``: run the learning-curve experiment and write its report."""

from __future__ import annotations

import argparse
from pathlib import Path

from accompanist.curves import DEFAULT_OUT, FAMILIES, QUICK, run_curves
from accompanist.curves.experiment import FULL_BUDGET


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m accompanist.curves",
        description="Train every family on shares of the chorales; write tables and plots of accuracy, "
        "training time and running cost.",
    )
    parser.add_argument(
        "--out", type=Path, help=f"report folder (default {DEFAULT_OUT}, or {DEFAULT_OUT}-CORPUS)"
    )
    parser.add_argument("--quick", action="store_true", help="a tiny run: markov and a tiny lstm, one share")
    parser.add_argument("--families", nargs="+", metavar="NAME", help=f"default: {' '.join(FAMILIES)}")
    parser.add_argument("--device", default="auto", help="where models train: auto, cpu, cuda (default auto)")
    parser.add_argument(
        "--corpus",
        choices=("chorales", "nottingham"),
        default="chorales",
        help="the corpus (default chorales)",
    )
    args = parser.parse_args(argv)
    settings = dict(QUICK) if args.quick else {}
    if args.corpus != "chorales" and not args.quick:
        settings.update(FULL_BUDGET)
    if args.families:
        settings["families"] = args.families
    out = args.out or Path(f"{DEFAULT_OUT}{'' if args.corpus == 'chorales' else '-' + args.corpus}")
    results = run_curves(out, device=args.device, corpus=args.corpus, **settings)
    print(f"wrote {out}/README.md, results.json and plots in {results['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
