"""MIDI ports of every backend python-rtmidi offers here: list them, find one by name, open, choose.

A backend is named as on the command line: ``alsa``, ``jack``, ``coremidi``, ``winmm``. A port
query is a full port name or a unique part of one (case-insensitive). Accompanist's own ports
are ``accompanist-in:melody`` and ``accompanist-out:chords`` where the backend shows client
names (ALSA, JACK). Every failure is a ``PortError``: one line that lists what exists.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import mido
import rtmidi

from accompanist.errors import PortError

APIS = {
    "alsa": rtmidi.API_LINUX_ALSA,
    "jack": rtmidi.API_UNIX_JACK,
    "coremidi": rtmidi.API_MACOSX_CORE,
    "winmm": rtmidi.API_WINDOWS_MM,
}
IN_CLIENT, IN_PORT = "accompanist-in", "melody"
OUT_CLIENT, OUT_PORT = "accompanist-out", "chords"
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


def _client(kind: type, api: str, name: str) -> rtmidi.MidiIn | rtmidi.MidiOut:
    try:
        with _quiet_stderr():
            return kind(api_id(api), name)
    except rtmidi.RtMidiError as exc:
        raise PortError(f"MIDI backend {api} is not available here: {exc}") from None


def list_ports(api: str) -> tuple[list[str], list[str]]:
    """(inputs, outputs) of a backend: the ports one can play into us from, and send to."""
    midi_in = _client(rtmidi.MidiIn, api, "accompanist-probe")
    midi_out = _client(rtmidi.MidiOut, api, "accompanist-probe")
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


@dataclass
class InputPort:
    """An open MIDI input; the callback receives mido messages on rtmidi's thread."""

    name: str
    api: str
    virtual: bool
    _rt: rtmidi.MidiIn | None

    def set_callback(self, callback: Callable[[mido.Message], None], clock: bool = False) -> None:
        """Deliver each message to ``callback``; MIDI clock only if ``clock``; never SysEx."""
        _listen(self._rt, callback, clock)

    def cancel_callback(self) -> None:
        if self._rt is not None:
            self._rt.cancel_callback()

    def close(self) -> None:
        """Close once; later calls do nothing."""
        if self._rt is not None:
            self._rt.cancel_callback()
            _delete(self._rt)
            self._rt = None


@dataclass
class OutputPort:
    """An open MIDI output: ``send(msg)`` as in mido; a failed send is a PortError."""

    name: str
    api: str
    virtual: bool
    _rt: rtmidi.MidiOut | None

    def send(self, msg: mido.Message) -> None:
        if self._rt is None:
            raise PortError(f"MIDI output {self.name!r} is closed")
        try:
            self._rt.send_message(msg.bytes())
        except (rtmidi.RtMidiError, RuntimeError) as exc:
            raise PortError(f"MIDI output {self.name!r} went away: {exc}") from None

    def close(self) -> None:
        """Close once; later calls do nothing."""
        if self._rt is not None:
            _delete(self._rt)
            self._rt = None


def _listen(rt: rtmidi.MidiIn, callback: Callable[[mido.Message], None], clock: bool) -> None:
    """Hand each message ``rt`` receives to ``callback`` as a mido message."""

    def on_event(event: tuple[list[int], float], _data: object) -> None:
        try:
            msg = mido.Message.from_bytes(event[0])
        except ValueError:
            return  # a malformed message is dropped, as mido does
        callback(msg)

    rt.ignore_types(sysex=True, timing=not clock, active_sense=True)
    rt.set_callback(on_event)


def _delete(rt: rtmidi.MidiIn | rtmidi.MidiOut) -> None:
    rt.close_port()
    rt.delete()


def _open(
    kind: type,
    api: str,
    query: str | None,
    virtual: bool,
    client: str,
    port: str,
    listen: Callable[[rtmidi.MidiIn], None] | None = None,
) -> tuple:
    """Open a virtual port, the port matching ``query``, or the first instrument; None if none.

    ``listen(rt)``, if given, runs before the port opens (an input's callback: nothing is missed).
    """
    rt = _client(kind, api, client)
    if listen is not None:
        listen(rt)
    direction = "input" if kind is rtmidi.MidiIn else "output"
    try:
        if virtual:
            rt.open_virtual_port(port)
            return rt, f"{client}:{port}"
        names = rt.get_ports()
        index = find_port(query, names, direction, api) if query else first_instrument(names)
        if index is None:
            rt.delete()
            return None, ""
        rt.open_port(index, port)
        return rt, names[index]
    except rtmidi.UnsupportedOperationError:
        rt.delete()
        raise PortError(f"the {api} backend cannot open virtual ports; name a port with --in/--out") from None
    except rtmidi.RtMidiError as exc:
        rt.delete()
        raise PortError(f"cannot open MIDI {direction} on {api}: {exc}") from None


def open_input(
    api: str,
    query: str | None = None,
    virtual: bool = False,
    client: str = IN_CLIENT,
    port: str = IN_PORT,
    callback: Callable[[mido.Message], None] | None = None,
    clock: bool = False,
) -> InputPort:
    """The input matching ``query``; with ``virtual`` our own; else the first keyboard, or our own if none.

    With ``callback`` (and ``clock``, as in ``InputPort.set_callback``) it listens from the moment
    the port exists: a message sent the instant it appears reaches the callback.
    """
    listen = None if callback is None else (lambda rt: _listen(rt, callback, clock))
    rt, name = _open(rtmidi.MidiIn, api, query, virtual, client, port, listen)
    if rt is None:
        return open_input(api, None, True, client, port, callback, clock)
    return InputPort(name, api, virtual, rt)


def open_output(
    api: str, query: str | None = None, virtual: bool = False, client: str = OUT_CLIENT, port: str = OUT_PORT
) -> OutputPort:
    """The output matching ``query``; with ``virtual`` our own; else the first synth, or our own if none."""
    rt, name = _open(rtmidi.MidiOut, api, query, virtual, client, port)
    if rt is None:
        return open_output(api, None, True, client, port)
    return OutputPort(name, api, virtual, rt)


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


class PortWatch:
    """Notices when a port we connected to goes away (our own virtual ports never do)."""

    def __init__(self, ports: list[InputPort | OutputPort]) -> None:
        self._watched = [p for p in ports if not p.virtual]
        self._probes: dict[tuple[str, type], rtmidi.MidiIn | rtmidi.MidiOut] = {}

    def gone(self) -> str | None:
        """The name of the first watched port that no longer exists, or None."""
        for port in self._watched:
            kind = rtmidi.MidiIn if isinstance(port, InputPort) else rtmidi.MidiOut
            key = (port.api, kind)
            if key not in self._probes:
                self._probes[key] = _client(kind, port.api, "accompanist-watch")
            if port.name not in self._probes[key].get_ports():
                return port.name
        return None

    def close(self) -> None:
        for probe in self._probes.values():
            probe.delete()
        self._probes.clear()
