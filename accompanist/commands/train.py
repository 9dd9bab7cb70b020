"""`accompanist train FAMILY`: fit a model family and write its one-file checkpoint."""

from __future__ import annotations

import argparse
import sys

from accompanist.config import parse_sets
from accompanist.devices import CHOICES, resolve_device


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a model family and write a checkpoint",
        description="Train a harmonizer family on the training split of the Bach chorales "
        "(or --data DIR) and write one checkpoint file. Model settings change with --set key=value.",
    )
    p.add_argument("family", help="markov, lstm, gan, or an installed plug-in family")
    p.add_argument("--data", metavar="DIR", help="train on a folder of MIDI files (melody + accompaniment)")
    p.add_argument("--out", metavar="FILE", help="checkpoint to write (default: ./FAMILY.pt)")
    p.add_argument("--device", choices=CHOICES, default="auto")
    p.add_argument("--set", dest="sets", action="append", metavar="KEY=VALUE", help="change a setting")
    p.add_argument(
        "--subset", type=float, default=1.0, metavar="F", help="train on this share of the chorales"
    )
    p.add_argument("--pretrain", action="store_true", help="pretrain the melody encoder (lstm) first")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from accompanist.training import train_family

    options = parse_sets(args.sets)
    if args.pretrain:
        options["pretrain"] = "true"
    model = train_family(
        args.family,
        data=args.data,
        options=options,
        fraction=args.subset,
        device=resolve_device(args.device),
        seed=args.seed,
        progress=not args.quiet,
    )
    out = args.out or f"{args.family}.pt"
    model.save(out)
    meta = model.meta
    acc = meta["validation_accuracy"]
    print(
        f"trained {args.family} on {meta['train_pieces']} pieces in {meta['train_seconds']:.1f} s; "
        f"validation accuracy offline {acc['offline']:.3f}, causal {acc['causal']:.3f}; wrote {out}",
        file=sys.stderr if args.quiet else sys.stdout,
    )
    return 0
