"""`accompanist train FAMILY`: fit a model family and write its one-file checkpoint."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import textwrap
from importlib import import_module
from pathlib import Path

from accompanist.config import parse_sets
from accompanist.data.corpora import DEFAULT_STYLE, NAMES, STYLES
from accompanist.devices import CHOICES, resolve_device
from accompanist.errors import OutputError
from accompanist.files import check_output, probe_folder

TRAINING_CORPORA = NAMES  # as accompanist.training's default (not imported here: --help stays quick)

# Where each family's --set keys are: its config dataclass (imported only for `train --help`).
SETTINGS = {
    "markov": "accompanist.harmonizers.markov:MarkovConfig",
    "lstm": "accompanist.nn.configs:LSTMConfig",
    "gan": "accompanist.nn.configs:GANConfig",
    "ensemble": "accompanist.harmonizers.ensemble:EnsembleOptions",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a model family and write a checkpoint",
        description="Train a harmonizer family on the training splits of the Bach chorales and the "
        "Nottingham folk lead sheets (each teaches its style: chorale, folk), or of --corpus, or of "
        "--data DIR, and write one checkpoint file. Model settings change with --set key=value.",
        epilog=settings_help,
        formatter_class=KeepLines,
    )
    p.add_argument("family", help="markov, lstm, gan, or an installed plug-in family")
    p.add_argument(
        "--corpus",
        nargs="+",
        choices=NAMES,
        default=list(TRAINING_CORPORA),
        metavar="NAME",
        help=f"corpora to learn from: {', '.join(NAMES)} (default: both)",
    )
    p.add_argument(
        "--data",
        metavar="DIR",
        help="train on a folder instead: MIDI files with accompaniment, or ABC/MusicXML lead sheets",
    )
    p.add_argument(
        "--style",
        choices=STYLES,
        default=DEFAULT_STYLE,
        help=f"the style --data teaches (default: {DEFAULT_STYLE})",
    )
    p.add_argument("--out", metavar="FILE", help="checkpoint to write (default: ./FAMILY.pt)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.add_argument("--mkdir", action="store_true", help="create --out's folder if it is missing")
    p.add_argument("--device", choices=CHOICES, default="auto")
    p.add_argument("--set", dest="sets", action="append", metavar="KEY=VALUE", help="change a setting")
    p.add_argument(
        "--subset",
        type=share,
        default=1.0,
        metavar="F",
        help="train on this share (0-1] of the training tunes",
    )
    p.add_argument("--pretrain", action="store_true", help="pretrain the melody encoder (lstm) first")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def share(text: str) -> float:
    """A share of the training pieces: above 0, at most 1."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"give a share above 0 and at most 1 (0.5 = half), not {text!r}")
    return value


def settings_help() -> str:
    """The epilog of `train --help`: each family's --set keys and their defaults."""
    lines = ["settings (--set KEY=VALUE; the defaults):"]
    for family, spec in SETTINGS.items():
        module, _, name = spec.partition(":")
        try:
            config = getattr(import_module(module), name)()
        except (ImportError, AttributeError) as exc:
            lines.append(f"  {family}: (cannot be listed: {exc})")
            continue
        pairs = " ".join(f"{f.name}={getattr(config, f.name)}" for f in dataclasses.fields(config))
        lines.append(textwrap.fill(pairs, 94, initial_indent=f"  {family}: ", subsequent_indent="    "))
    lines.append("  ensemble members' settings as FAMILY.KEY, e.g. --set lstm.epochs=5")
    return "\n".join(lines) + "\n"


class KeepLines(argparse.HelpFormatter):
    """Wraps one-line texts (the description) and keeps the lines of others (the settings)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" not in text:
            return super()._fill_text(text, width, indent)
        return "".join(indent + line for line in text.splitlines(keepends=True))


def run(args: argparse.Namespace) -> int:
    from accompanist.training import train_family

    out = Path(args.out or f"{args.family}.pt")
    check_output(out, args.force, args.mkdir)  # before training, not after it
    if out.parent.is_dir():
        probe_folder(out.parent)
    options = parse_sets(args.sets)
    if args.pretrain:
        options["pretrain"] = "true"
    model = train_family(
        args.family,
        corpora=args.corpus,
        data=args.data,
        style=args.style,
        options=options,
        fraction=args.subset,
        device=resolve_device(args.device),
        seed=args.seed,
        progress=not args.quiet,
    )
    if int(os.environ.get("RANK", "0")) != 0:
        return 0  # under torchrun, rank 0 writes the checkpoint and reports
    check_output(out, args.force, args.mkdir)  # again: training took a while
    try:
        model.save(out)
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from None
    meta = model.meta
    scores = "; ".join(
        f"{style} offline {acc['offline']:.3f}, causal {acc['causal']:.3f}"
        for style, acc in meta["validation_accuracy"].items()
    )
    model_arg = str(out) if out.is_absolute() or out.parent != Path() else f"./{out}"
    print(
        f"trained {args.family} on {meta['train_pieces']} pieces in {meta['train_seconds']:.1f} s; "
        f"validation accuracy {scores}; wrote {out}\n"
        f"use it with: accompanist harmonize IN.mid --model {model_arg}",
        file=sys.stderr if args.quiet else sys.stdout,
    )
    return 0
