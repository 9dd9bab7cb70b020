"""`accompanist repl`: an interactive prompt to type or load melodies, harmonize, compare, train, listen."""

from __future__ import annotations

import argparse
import sys

from accompanist.data.corpora import DEFAULT_STYLE, NAMES, STYLES
from accompanist.devices import CHOICES, resolve_device


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "repl",
        help="interactive prompt for experiments",
        description="An interactive prompt: type a melody (`melody E4 E4 F4 G4/2`) or `load FILE.mid`, "
        "`harmonize`, `compare` every model, `play` or `save` the result, `train` and `eval` models, "
        "`listen` to a keyboard while the prompt stays usable. `help` inside lists every command.",
        epilog="History is kept in $ACCOMPANIST_HISTORY, else ~/.local/share/accompanist/history.",
    )
    p.add_argument("--model", default="lstm", help="the first model (default: lstm)")
    p.add_argument(
        "--device",
        choices=CHOICES,
        default="auto",
        help="cpu: numpy, no torch; cuda: the offline nets on the GPU, in torch; auto (default): the CPU",
    )
    p.add_argument(
        "--style", choices=STYLES, default=DEFAULT_STYLE, help=f"harmonic idiom (default: {DEFAULT_STYLE})"
    )
    p.add_argument(
        "--corpus", choices=NAMES, default="chorales", help="what `eval` scores on (default: chorales)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from accompanist.repl.prompt import run_repl, run_script
    from accompanist.repl.session import Session

    session = Session(
        device=resolve_device(args.device), model_name=args.model, style=args.style, corpus=args.corpus
    )
    if sys.stdin.isatty():
        run_repl(session)
    else:  # `accompanist repl < FILE` or a pipe: the lines as they come
        run_script(session, sys.stdin)
    return 0
