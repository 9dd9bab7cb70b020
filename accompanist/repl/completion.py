"""Tab completion: command names, then each command's arguments and options.

After a command's name, what is offered depends on the command's ``complete`` kind: model names
and checkpoint files (``model``), family names (``train``), MIDI files (``load``, ``save``),
styles, ``on``/``off``, command names (``help``), ``stop`` (``listen``), the numbers of the last
variants (``pick``). A word starting with ``-`` completes the command's options; the word after
``--port``, ``--in`` or ``--out`` completes MIDI port names (quoted when they hold spaces), after
``--wav`` or ``--save`` a file path.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable

from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document

from accompanist import harmonizers
from accompanist.data.corpora import STYLES
from accompanist.pace import CHANGES
from accompanist.repl.commands import ALIASES, COMMANDS, model_names
from accompanist.repl.session import Session
from accompanist.voicing import VOICINGS

MIDI_SUFFIXES = (".mid", ".midi")
PORT_OPTIONS = ("--port", "--in", "--out")
PATH_OPTIONS = ("--wav", "--save")
LAST_WORD = re.compile(r"""(?:"[^"]*|'[^']*|\S*)$""")  # an unclosed quoted word, or a plain one


def _files(suffixes: tuple[str, ...]) -> PathCompleter:
    return PathCompleter(expanduser=True, file_filter=lambda name: _is_dir_or(name, suffixes))


def _is_dir_or(name: str, suffixes: tuple[str, ...]) -> bool:
    from pathlib import Path

    return Path(name).is_dir() or name.lower().endswith(suffixes)


class ReplCompleter(Completer):
    """Completes a REPL line; ``ports(direction)`` lists MIDI port names (injected: tests need no MIDI)."""

    def __init__(self, session: Session, ports: Callable[[str], list[str]] | None = None) -> None:
        from accompanist.repl.output import port_names

        self.session = session
        self.ports = ports or port_names
        self.paths = {
            "midi": _files(MIDI_SUFFIXES),
            "model": _files((".pt",)),
            "any": PathCompleter(expanduser=True),
        }

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        text = document.text_before_cursor
        raw = LAST_WORD.search(text).group(0)
        words = text[: len(text) - len(raw)].split()
        if not words:
            yield from _matching(raw, COMMANDS)
            return
        command = COMMANDS.get(ALIASES.get(words[0].lower(), words[0].lower()))
        if command is None:
            return
        previous = words[-1] if len(words) > 1 else ""
        if previous in PORT_OPTIONS:
            yield from _matching(raw, self.ports("input" if previous == "--in" else "output"))
        elif previous in PATH_OPTIONS:
            yield from _paths(self.paths["any"], raw)
        elif raw.startswith("-") and command.parser is not None:
            options = [s for action in command.parser()._actions for s in action.option_strings]
            yield from _matching(raw, options)
        else:
            yield from self._argument(command.complete, raw)

    def _variant_numbers(self) -> list[str]:
        shown = self.session.variants
        return [str(k) for k in range(1, len(shown.results) + 1)] if shown is not None else []

    def _argument(self, kind: str, raw: str) -> Iterable[Completion]:
        names = {
            "model": lambda: model_names(self.session),
            "family": harmonizers.available,
            "style": lambda: list(STYLES),
            "voicing": lambda: list(VOICINGS),
            "changes": lambda: list(CHANGES),
            "onoff": lambda: ["on", "off"],
            "command": lambda: list(COMMANDS),
            "listen": lambda: ["stop"],
            "variants": self._variant_numbers,
        }
        if kind in names:
            yield from _matching(raw, names[kind]())
        if kind in self.paths and (kind == "midi" or "/" in raw or raw.startswith((".", "~"))):
            yield from _paths(self.paths[kind], raw)


def _matching(raw: str, names: Iterable[str]) -> Iterable[Completion]:
    """Names starting with the typed word (case-insensitive), quoted if they hold spaces."""
    typed = raw.lstrip("\"'").lower()
    for name in names:
        if name.lower().startswith(typed):
            yield Completion(shlex.quote(name), start_position=-len(raw), display=name)


def _paths(completer: PathCompleter, raw: str) -> Iterable[Completion]:
    yield from completer.get_completions(Document(raw, len(raw)), CompleteEvent(completion_requested=True))
