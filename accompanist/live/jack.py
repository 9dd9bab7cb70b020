"""A private JACK server for tests and the bench: ``jackd -n NAME -d dummy``, found by its clients.

JACK clients find their server through ``JACK_DEFAULT_SERVER``; ``jack_server`` sets it for this
process (and so for its subprocesses) while the server runs, so a test never touches a server
someone else started. Debian and Ubuntu ship ``jackd`` in the ``jackd2`` package.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from accompanist.errors import PortError

SERVER_ENV = "JACK_DEFAULT_SERVER"
PR_SET_PDEATHSIG = 1


def have_jackd() -> bool:
    return shutil.which("jackd") is not None


@contextmanager
def jack_server(rate: int = 48000, period: int = 64, name: str | None = None) -> Iterator[str]:
    """Run a dummy-driver JACK server named ``name`` (a fresh one by default); yield its name."""
    if not have_jackd():
        raise PortError("jackd is not installed (Debian/Ubuntu: apt-get install jackd2)")
    name = name or f"accompanist-{os.getpid()}-{secrets.token_hex(3)}"
    command = ["jackd", "-n", name, "-d", "dummy", "-r", str(rate), "-p", str(period)]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=die_with_parent
        )
        saved = os.environ.get(SERVER_ENV)
        os.environ[SERVER_ENV] = name
        try:
            _wait_ready(name, proc, log)
            yield name
        finally:
            _restore_env(saved)
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def die_with_parent() -> None:
    """``preexec_fn`` for a child process: Linux sends it SIGTERM if we die without cleaning up."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _restore_env(saved: str | None) -> None:
    if saved is None:
        os.environ.pop(SERVER_ENV, None)
    else:
        os.environ[SERVER_ENV] = saved


def _wait_ready(name: str, proc: subprocess.Popen, log: IO[bytes], timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            log.seek(0)
            tail = log.read().decode(errors="replace").strip().splitlines()[-3:]
            raise PortError(f"jackd exited with {proc.returncode}: {' | '.join(tail)}")
        check = subprocess.run(["jack_wait", "-s", name, "-c"], capture_output=True, text=True)
        if check.stdout.strip() == "running":
            return
        time.sleep(0.05)
    raise PortError(f"jackd -n {name} did not start within {timeout:.0f} s")
