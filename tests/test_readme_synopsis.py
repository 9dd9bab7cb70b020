"""The README's command synopsis and argparse agree: every option of each command is in both."""

import argparse
import re
from pathlib import Path

from accompanist.cli import build_parser

README = Path(__file__).parent.parent / "README.md"


def readme_synopsis() -> dict[str, set[str]]:
    """Options per command in the code block under "## Commands"."""
    text = README.read_text().split("## Commands", 1)[1].split("```", 2)[1]
    options: dict[str, set[str]] = {}
    command = None
    for line in text.splitlines():
        match = re.match(r"accompanist (\w+)", line)
        if match:
            command = match[1]
            options[command] = set()
        if command:
            options[command] |= set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", line))
    return options


def argparse_options() -> dict[str, list[set[str]]]:
    """Per command, the option strings of each option (``{"-o", "--output"}``), help left out."""
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {
        name: [set(a.option_strings) for a in sub._actions if a.option_strings and a.dest != "help"]
        for name, sub in subparsers.choices.items()
    }


def test_every_command_is_in_the_readme_synopsis():
    assert set(readme_synopsis()) == set(argparse_options())


def test_every_option_is_in_the_readme_synopsis_and_every_synopsis_option_exists():
    readme, real = readme_synopsis(), argparse_options()
    for command, options in real.items():
        missing = [sorted(o) for o in options if not o & readme[command]]
        assert missing == [], f"accompanist {command}: options missing from the README synopsis"
        unknown = readme[command] - set().union(*options)
        assert unknown == set(), f"accompanist {command}: the README names options argparse lacks"
