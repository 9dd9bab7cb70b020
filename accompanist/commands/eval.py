"""`accompanist eval`: score harmonizers on a corpus's held-out tunes, against its chords and by Yeh."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

from accompanist import harmonizers
from accompanist.commands import sampling
from accompanist.data.corpora import NAMES, STYLES, corpus, load_pieces
from accompanist.devices import CHOICES, resolve_device
from accompanist.errors import AccompanistError, CheckpointError
from accompanist.evaluate import evaluate, format_table
from accompanist.harmonizers.base import Harmonizer
from accompanist.live.realtime import single_threaded
from accompanist.pace import CHANGES

SPLITS = ("test", "validation")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="score models on a corpus's held-out tunes",
        description="Score harmonizers, offline and causal, on a held-out split of a corpus (the Bach "
        "chorales or the Nottingham folk lead sheets): accuracy against its chords and the metrics of "
        "Yeh et al. (2021), next to the human chords and the floor of holding the first chord.",
    )
    parser.add_argument(
        "--corpus", choices=NAMES, default="chorales", help="which corpus to score on (default: chorales)"
    )
    parser.add_argument(
        "--style", choices=STYLES, help="harmonic idiom asked of the models (default: the corpus's own)"
    )
    parser.add_argument(
        "--changes",
        choices=CHANGES,
        default="auto",
        help="where chords may change (default: the style's pace)",
    )
    parser.add_argument(
        "--models",
        nargs="+",
        metavar="MODEL",
        help="family names or checkpoint paths (default: every family with a shipped checkpoint)",
    )
    parser.add_argument(
        "--split", choices=SPLITS, default="test", help="which held-out split (default: test)"
    )
    sampling.add_option(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--device", choices=CHOICES, default="auto", help="where models run (default: auto)")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N pieces of the split")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        raise AccompanistError("--limit must be at least 1")
    device = resolve_device(args.device)
    # Batch-1 inference on small matrices: a second thread only adds contention (measured 5-13 s
    # instead of 0.04 s for one GAN piece on a busy 2-core machine).
    single_threaded()
    # Only the result goes to stdout, so that `--json` output parses whatever a library prints.
    with contextlib.redirect_stdout(sys.stderr):
        models = load_models(args.models, device)
        sampling.apply(models, args.temperature)
        pieces = load_pieces(args.split, args.limit, args.corpus)
        style = args.style or corpus(args.corpus).style
        results = evaluate(
            models, pieces, split=args.split, corpus=args.corpus, style=style, changes=args.changes
        )
    print(json.dumps(results, indent=2) if args.json else format_table(results))
    return 0


def load_models(names: list[str] | None, device: str) -> dict[str, Harmonizer]:
    """Named models (key: the name, or a checkpoint path's stem), else every family that loads."""
    if names:
        keys = [Path(name).stem for name in names]
        keys = keys if len(set(keys)) == len(keys) else names  # markov and models/markov.pt, say
        return {key: harmonizers.load(name, device) for key, name in zip(keys, names, strict=True)}
    models = {}
    for name in harmonizers.available():
        try:
            models[name] = harmonizers.load(name, device)
        except CheckpointError as exc:
            print(f"accompanist eval: skipping {name}: {exc}", file=sys.stderr)
    if not models:
        raise CheckpointError("no trained model to evaluate; train one with `accompanist train markov`")
    return models
