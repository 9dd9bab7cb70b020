"""MIDI backends python-rtmidi offers here and their ports: which work, list them, find one by name.

A backend is named as on the command line: ``alsa``, ``jack``, ``coremidi``, ``winmm``. A port
query is a full port name or a unique part of one (case-insensitive). Every failure is a
``PortError``: one line that lists what exists. Opening a port is ``accompanist.live.ports``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import rtmidi

from accompanist.errors import PortError

APIS = {
    "alsa": rtmidi.API_LINUX_ALSA,
    "jack": rtmidi.API_UNIX_JACK,
    "coremidi": rtmidi.API_MACOSX_CORE,
    "winmm": rtmidi.API_WINDOWS_MM,
}
NOT_A_KEYBOARD = ("through", "accompanist")  # ALSA's Midi Through, and our own ports


def compiled_apis() -> list[str]:
    """Backend names this python-rtmidi was built with, in its order of preference."""
    ids = rtmidi.get_compiled_api()
    return [name for name, api in APIS.items() if api in ids]


def api_id(name: str) -> int:
    if name not in compiled_apis():
        raise PortError(f"unknown MIDI backend {name!r}; here: {', '.join(compiled_apis())}")
    return APIS[name]


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """libasound and libjack print to fd 2 when their server is absent; we say it in one line."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def midi_client(kind: type, api: str, name: str) -> rtmidi.MidiIn | rtmidi.MidiOut:
    """A client of backend ``api`` called ``name`` (``kind``: rtmidi.MidiIn or MidiOut), no port open yet."""
    try:
        with _quiet_stderr():
            return kind(api_id(api), name)
    except rtmidi.RtMidiError as exc:
        raise PortError(f"MIDI backend {api} is not available here: {exc}") from None


def list_ports(api: str) -> tuple[list[str], list[str]]:
    """(inputs, outputs) of a backend: the ports one can play into us from, and send to."""
    midi_in = midi_client(rtmidi.MidiIn, api, "accompanist-probe")
    midi_out = midi_client(rtmidi.MidiOut, api, "accompanist-probe")
    try:
        return midi_in.get_ports(), midi_out.get_ports()
    finally:
        midi_in.delete()
        midi_out.delete()


def available_apis() -> list[str]:
    """Compiled backends that work now (ALSA needs /dev/snd/seq, JACK a running server)."""
    working = []
    for api in compiled_apis():
        try:
            list_ports(api)
        except PortError:
            continue
        working.append(api)
    return working


def find_port(query: str, names: list[str], direction: str, api: str) -> int:
    """Index of the port named ``query`` or holding it as a unique part; PortError otherwise."""
    if query in names:
        return names.index(query)
    matches = [i for i, name in enumerate(names) if query.lower() in name.lower()]
    if len(matches) == 1:
        return matches[0]
    listing = ", ".join(repr(n) for n in names) or "none"
    if matches:
        found = ", ".join(repr(names[i]) for i in matches)
        raise PortError(f"MIDI {direction} {query!r} is ambiguous on {api}: it matches {found}")
    raise PortError(f"no MIDI {direction} matches {query!r} on {api}; {direction}s there: {listing}")


def first_instrument(names: list[str]) -> int | None:
    """The first port that is a real device: not ALSA's Midi Through, not one of ours."""
    for i, name in enumerate(names):
        if not any(word in name.lower() for word in NOT_A_KEYBOARD):
            return i
    return None


# Why a backend does not work, in a few words (its own message is in `accompanist ports`).
NOT_WORKING = {
    "alsa": "ALSA has no sequencer",
    "jack": "no JACK server runs",
    "coremidi": "CoreMIDI does not answer",
    "winmm": "Windows MIDI does not answer",
}
START_HINT = "start a JACK server (jackd -d dummy) or load ALSA's sequencer (modprobe snd-seq)"


def check_ports(api: str, in_query: str | None, out_query: str | None) -> None:
    """PortError now if ``in_query`` or ``out_query`` names no port (or several): before a model loads."""
    if in_query is None and out_query is None:
        return
    inputs, outputs = list_ports(api)
    if in_query is not None:
        find_port(in_query, inputs, "input", api)
    if out_query is not None:
        find_port(out_query, outputs, "output", api)


def default_api() -> str:
    """The first backend that works here; PortError, one short line, if none does."""
    for api in compiled_apis():
        try:
            list_ports(api)
            return api
        except PortError:
            continue
    raise no_backend_error()


def no_backend_error() -> PortError:
    """No backend works: each one's reason in a few words, and what to do."""
    reasons = ", ".join(NOT_WORKING.get(api, f"{api} does not answer") for api in compiled_apis())
    return PortError(f"no MIDI backend works here: {reasons or 'none is compiled in'}; {START_HINT}")
