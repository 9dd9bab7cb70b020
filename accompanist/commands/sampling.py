"""``--temperature T``: the one option by which harmonize, live and eval set how sampling models draw.

A model that samples its chords (the gan) takes the temperature through
``Harmonizer.use_temperature``. One that does not (markov, lstm: always their likeliest chords)
would give the very same chords at any temperature, so naming it with ``--temperature`` is
refused in one line rather than silently changing nothing; among several models (``eval``),
those that do not sample are named in a note and the others take the temperature.
"""

from __future__ import annotations

import argparse
import math
import sys

from accompanist.errors import AccompanistError
from accompanist.harmonizers.base import Harmonizer

HELP = "sampling temperature of models that sample (gan): 0 takes the likeliest chord; refused by others"


def add_option(parser: argparse._ActionsContainer) -> None:
    """Add ``--temperature T`` to a command's parser."""
    parser.add_argument("--temperature", type=temperature, metavar="T", help=HELP)


def temperature(text: str) -> float:
    """argparse type: a finite number, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"a temperature is a number, 0 or more, not {text!r}")
    return value


def apply(models: dict[str, Harmonizer], value: float | None) -> None:
    """Set ``value`` on every model that samples; AccompanistError if none does (a note for those
    that do not when some do). ``value`` None leaves each model its own temperature."""
    if value is None:
        return
    ignored = [name for name, model in models.items() if not model.use_temperature(value)]
    if len(ignored) == len(models):
        verb = "do" if len(ignored) > 1 else "does"
        raise AccompanistError(
            f"--temperature: {', '.join(ignored)} {verb} not sample (always the likeliest chord), "
            "so a temperature would change nothing; leave the option out"
        )
    if ignored:
        names = ", ".join(ignored)
        print(f"accompanist: note: --temperature ignored by {names} (not sampling)", file=sys.stderr)
