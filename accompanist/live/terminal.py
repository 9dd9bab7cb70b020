"""The terminal during a live session: a key panics, asks for a new idea or quits; SIGTERM and SIGHUP
stop like Ctrl-C."""

from __future__ import annotations

import os
import select
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

READY = "Ctrl-C stops."  # ends the line a session prints once it listens; tests and the bench wait for it
PANIC_KEYS = (" ", "p")
QUIT_KEYS = ("q",)
VARY_KEYS = ("v",)  # a new idea (another seed) from the next phrase
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def keys(stream: TextIO = sys.stdin) -> Iterator[Callable[[float], str | None]]:
    """Yield ``read_key(timeout)``: one key pressed, without Enter, or None after ``timeout`` seconds.

    Without a terminal (a pipe, a service) it only waits.
    """
    try:
        import termios
        import tty

        fd = stream.fileno()
        saved = termios.tcgetattr(fd)
    except (ImportError, OSError, ValueError, AttributeError) + _termios_error():
        yield _wait
        return
    tty.setcbreak(fd)
    try:
        yield lambda timeout: _read_key(fd, timeout)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _termios_error() -> tuple[type[Exception], ...]:
    try:
        import termios
    except ImportError:
        return ()
    return (termios.error,)


def _wait(timeout: float) -> None:
    time.sleep(timeout)
    return None


def _read_key(fd: int, timeout: float) -> str | None:
    ready, _, _ = select.select([fd], [], [], timeout)
    return os.read(fd, 1).decode(errors="ignore") if ready else None


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextmanager
def stop_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise KeyboardInterrupt in the main thread, so one path cleans up."""
    saved = {sig: signal.signal(sig, _interrupt) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@contextmanager
def shielded() -> Iterator[None]:
    """No signal may cut the clean-up short (a second Ctrl-C would leave notes sounding)."""
    stops = (signal.SIGINT, *STOP_SIGNALS)
    saved = {sig: signal.signal(sig, signal.SIG_IGN) for sig in stops}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
