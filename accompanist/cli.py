"""The `accompanist` command line: one sub-command per module in ``accompanist.commands``."""

from __future__ import annotations

import argparse
import sys
import warnings
from importlib import import_module

from accompanist import __version__
from accompanist.errors import AccompanistError

# Each module has register(subparsers), which adds its parser and sets `func(args) -> int`.
COMMANDS = ("harmonize", "live", "repl", "train", "eval", "bench", "ports")


class Parser(argparse.ArgumentParser):
    """argparse, with a bad option told in one line (and a hint), not a usage block.

    Every sub-command's parser is one too. An ``epilog`` may be a function: it is called only
    when the help is shown, so what it imports costs nothing to the commands themselves.
    """

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"accompanist: error: {message}\n  see: {self.prog} --help\n")

    def format_help(self) -> str:
        if callable(self.epilog):
            self.epilog = self.epilog()
        return super().format_help()


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="accompanist",
        description="Backing chords for a melody: from a MIDI file, a MIDI keyboard, or a REPL.",
    )
    parser.add_argument("--version", action="version", version=f"accompanist {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        import_module(f"accompanist.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    with warnings.catch_warnings():
        if not sys.warnoptions:  # libraries' warnings are for developers (python -W shows them)
            warnings.simplefilter("ignore")
        return _run(build_parser().parse_args(argv))


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args) or 0)
    except AccompanistError as exc:
        print(f"accompanist: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("accompanist: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
