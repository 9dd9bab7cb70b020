"""The prompt loop: read a line, run it, print what it returns or its error, and go on.

History is kept across sessions in ``$ACCOMPANIST_HISTORY`` or
``~/.local/share/accompanist/history``. The loop runs under ``patch_stdout``, so whatever
background work prints (the live chord log, progress bars) appears above the prompt.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.patch_stdout import patch_stdout

from accompanist.errors import AccompanistError
from accompanist.repl.commands import Quit, execute
from accompanist.repl.completion import ReplCompleter
from accompanist.repl.session import Session

PROMPT = "accompanist> "
WELCOME = "Accompanist REPL: `help` lists the commands, Tab completes, Ctrl-D or `quit` leaves."


def history_path() -> Path:
    """Where the history file lives: ``$ACCOMPANIST_HISTORY``, else under ~/.local/share/accompanist."""
    chosen = os.environ.get("ACCOMPANIST_HISTORY")
    return Path(chosen) if chosen else Path.home() / ".local" / "share" / "accompanist" / "history"


def open_history() -> History:
    """The history file (created with its folder), or an in-memory history if it cannot be."""
    path = history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError:
        return InMemoryHistory()
    return FileHistory(str(path))


def run_line(session: Session, line: str, write: Callable[[str], None]) -> bool:
    """Run one line and write its output or its error; False when the REPL should end."""
    try:
        text = execute(session, line)
    except Quit:
        return False
    except AccompanistError as exc:
        write(f"error: {exc}")
    except KeyboardInterrupt:
        write("interrupted")
    except Exception as exc:  # a failure inside a model or a library must not end the session
        write(f"error: {type(exc).__name__}: {exc}")
    else:
        if text:
            write(text)
    return True


def run_repl(
    session: Session,
    prompt: PromptSession | None = None,
    write: Callable[[str], None] = print,
) -> None:
    """Prompt until ``quit`` or end of input; the session's background work is stopped at the end."""
    prompt = prompt or PromptSession(
        history=open_history(),
        completer=ReplCompleter(session),
        auto_suggest=AutoSuggestFromHistory(),
        complete_while_typing=False,
    )
    write(WELCOME)
    try:
        with patch_stdout(raw=True):
            while True:
                try:
                    line = prompt.prompt(PROMPT)
                except KeyboardInterrupt:
                    continue
                except EOFError:
                    break
                if not run_line(session, line, write):
                    break
    finally:
        session.close()


def run_script(session: Session, lines: Iterable[str], write: Callable[[str], None] = print) -> None:
    """Run lines read from a file or pipe (``accompanist repl < FILE``), each shown after the prompt.

    No prompt_toolkit here: it reads a terminal, and from a regular file it read nothing at all.
    """
    try:
        for line in lines:
            line = line.rstrip("\r\n")
            write(f"{PROMPT}{line}")
            if not run_line(session, line, write):
                break
    finally:
        session.close()
