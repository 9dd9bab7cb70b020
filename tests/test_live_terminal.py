"""The terminal and signals of a live session, and the realtime settings of its threads."""

import gc
import io
import os
import pty
import signal
import threading

import pytest

from accompanist.live.realtime import gc_paused, realtime_thread
from accompanist.live.terminal import keys, shielded, stop_signals


def test_a_key_is_read_without_enter_and_the_terminal_is_restored():
    import termios

    master, slave = pty.openpty()
    with os.fdopen(slave, "r") as stream:
        before = termios.tcgetattr(slave)
        with keys(stream) as read_key:
            assert read_key(0.01) is None
            os.write(master, b"p")
            assert read_key(1.0) == "p"
        assert termios.tcgetattr(slave) == before
    os.close(master)


def test_without_a_terminal_keys_only_wait():
    with keys(io.StringIO()) as read_key:
        assert read_key(0.01) is None


def test_sigterm_stops_like_ctrl_c():
    with pytest.raises(KeyboardInterrupt), stop_signals():
        os.kill(os.getpid(), signal.SIGTERM)
        threading.Event().wait(2)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_no_signal_cuts_the_clean_up_short():
    with shielded():
        os.kill(os.getpid(), signal.SIGINT)
        threading.Event().wait(0.05)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_realtime_thread_gives_the_old_policy_back():
    before = os.sched_getscheduler(0)
    with realtime_thread():
        pass
    assert os.sched_getscheduler(0) == before


def test_gc_paused_turns_collection_back_on():
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_where_fifo_is_refused_the_process_plays_on_and_says_so_in_one_line(monkeypatch):
    from accompanist.live import realtime

    def refuse(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "sched_setscheduler", refuse)
    assert realtime.fifo_allowed() is False
    note = realtime.limits_note(fifo=False, locked=True)
    assert "\n" not in note and "real-time scheduling" in note and "README" in note
    assert "locked memory" in realtime.limits_note(fifo=True, locked=False)
