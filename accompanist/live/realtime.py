"""Process and thread settings for low latency: one torch thread and one BLAS thread, a short GIL
switch interval, a frozen heap for the garbage collector, memory locked in RAM and FIFO
scheduling where the system allows them (an ``audio`` group with rtprio and memlock limits does:
see the README). Where it does not, the live command says so in one line and plays on.
"""

from __future__ import annotations

import ctypes
import gc
import os
import resource
import sys
from collections.abc import Iterator
from contextlib import contextmanager

SWITCH_INTERVAL = 0.0005  # seconds; Python's default 5 ms would let a busy thread hold the GIL
WORKER_PRIORITY = 1  # the lowest FIFO priority: above every ordinary process, below JACK's threads
MCL_CURRENT, MCL_FUTURE = 1, 2  # mlockall's flags (Linux)
README_HINT = "see the README, 'Steady under load'"


def prepare_process() -> None:
    """Call once the model is loaded, before playing.

    Tiny steps want one torch thread (two made p99 tens of ms) and a short GIL switch interval.
    A full garbage collection walks every object (with torch loaded: ~170,000, 50 ms); frozen,
    the objects alive now are never walked again, so a collection during play stays short.
    Locked, the model's pages are never swapped out under a busy synth and DAW. What the system
    refuses (FIFO scheduling, locked memory) is told in one line on stderr.
    """
    single_threaded()
    sys.setswitchinterval(SWITCH_INTERVAL)
    gc.collect()
    gc.freeze()
    fifo, locked = fifo_allowed(), lock_memory()
    if not (fifo and locked):
        print(limits_note(fifo, locked), file=sys.stderr, flush=True)


def single_threaded() -> None:
    """One torch thread (where torch is loaded; inference does not load it) and one BLAS thread."""
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
    one_blas_thread()


def limits_note(fifo: bool, locked: bool) -> str:
    """The one line that says what the system refused."""
    missing = [what for what, ok in (("real-time scheduling", fifo), ("locked memory", locked)) if not ok]
    return f"accompanist: no {' and no '.join(missing)} here: steps may be late under load ({README_HINT})"


def fifo_allowed() -> bool:
    """Whether this thread may take FIFO scheduling (tried, then given back)."""
    with realtime_thread() as raised:
        return raised


def lock_memory() -> bool:
    """Lock the process's pages in RAM (``mlockall``), and its later ones where the limit allows.

    Future pages only under an unlimited memlock limit (or as root): with a finite one, a locked
    process whose next allocation passes the limit would fail it.
    """
    try:
        limit = resource.getrlimit(resource.RLIMIT_MEMLOCK)[0]
        future = limit == resource.RLIM_INFINITY or os.geteuid() == 0
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.mlockall(MCL_CURRENT | (MCL_FUTURE if future else 0)) == 0
    except (OSError, AttributeError):
        return False


# How OpenBLAS builds name their thread setting: numpy's own wheels, then a system OpenBLAS.
BLAS_THREAD_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads",
)


def one_blas_thread() -> bool:
    """Run numpy's matrix products on one thread; False where its BLAS is not an OpenBLAS found here.

    The live steps' products are small: on a 2-core machine busy with other jobs, OpenBLAS's
    second thread made an lstm step's p99 16-18 ms against 5 ms on one, as torch's did.
    """
    try:
        with open("/proc/self/maps") as maps:  # numpy loads its BLAS privately: find it by file name
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line}
    except OSError:
        return False
    for path in sorted(paths):
        lib = ctypes.CDLL(path)
        for name in BLAS_THREAD_SETTERS:
            if hasattr(lib, name):
                getattr(lib, name)(1)
                return True
    return False


def prefer_realtime() -> bool:
    """Ask FIFO scheduling for the calling thread; False (and no change) where it is not allowed."""
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(WORKER_PRIORITY))
    except (AttributeError, OSError):
        return False
    return True


@contextmanager
def realtime_thread() -> Iterator[bool]:
    """FIFO scheduling for the calling thread while inside, then its old policy back.

    For threads that wake often (a main loop, the bench's player): at FIFO they are never
    preempted while holding the GIL, which would stall the realtime worker behind them.
    """
    try:
        policy, param = os.sched_getscheduler(0), os.sched_getparam(0)
    except (AttributeError, OSError):
        yield False
        return
    raised = prefer_realtime()
    try:
        yield raised
    finally:
        if raised:
            os.sched_setscheduler(0, policy, param)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No garbage collection inside (for a bounded measurement, not a session of unknown length)."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
