"""Open MIDI ports: the input or output a query names, the first instrument, or our own virtual port.

A port query is as in ``accompanist.live.backends`` (a full port name or a unique part of one).
Accompanist's own ports are ``accompanist-in:melody`` and ``accompanist-out:chords`` where the
backend shows client names (ALSA, JACK). ``PortWatch`` notices a port we connected to going away.
Every failure is a ``PortError``: one line that lists what exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import mido
import rtmidi

from accompanist.errors import PortError
from accompanist.live.backends import find_port, first_instrument, midi_client

IN_CLIENT, IN_PORT = "accompanist-in", "melody"
OUT_CLIENT, OUT_PORT = "accompanist-out", "chords"


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
    rt = midi_client(kind, api, client)
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
                self._probes[key] = midi_client(kind, port.api, "accompanist-watch")
            if port.name not in self._probes[key].get_ports():
                return port.name
        return None

    def close(self) -> None:
        for probe in self._probes.values():
            probe.delete()
        self._probes.clear()
