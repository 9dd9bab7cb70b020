"""`accompanist live` with fake ports and a slow-loading model: ready means ready, no note unanswered."""

import threading
import time
from contextlib import contextmanager

import mido
import pytest
from stubs import RootStub, unmatched

from accompanist import harmonizers
from accompanist.cli import main
from accompanist.commands import live
from accompanist.errors import PortError
from accompanist.live.terminal import READY

LOAD_SECONDS = 0.3


class SlowStub(RootStub):
    """A model that takes a while to load, and says when it has."""

    family = "slowstub"
    events = None

    @classmethod
    def untrained(cls):
        time.sleep(LOAD_SECONDS)
        cls.events.append("model loaded")
        return cls()


class FakeOutput:
    virtual, api = True, "fake"

    def __init__(self, events, name):
        self.events, self.name, self.sent, self.answered = events, name, [], threading.Event()
        events.append("output opened")

    def send(self, msg):
        self.sent.append(msg)
        if msg.type == "note_on" and msg.velocity and msg.channel == 1:
            self.answered.set()

    def close(self):
        self.events.append("output closed")


class FakeInput:
    """Opens with the player already playing: a note arrives the instant the port exists."""

    virtual, api = True, "fake"

    def __init__(self, events, name, callback):
        self.events, self.name, self.callback = events, name, callback
        events.append("input opened")
        if callback is not None:
            callback(mido.Message("note_on", note=62, velocity=80))

    def set_callback(self, callback, clock=False):
        self.callback = callback

    def cancel_callback(self):
        self.callback = None

    def close(self):
        self.events.append("input closed")


@pytest.fixture
def session(monkeypatch):
    """Fake backend, ports and keys around the real command; yields (events, ports)."""
    events, ports = [], {}
    SlowStub.events = events
    harmonizers.register(SlowStub)

    def open_output(api, query=None, virtual=False, **_):
        ports["out"] = FakeOutput(events, "fake-out")
        return ports["out"]

    def open_input(api, query=None, virtual=False, callback=None, clock=False, **_):
        ports["in"] = FakeInput(events, "fake-in", callback)
        return ports["in"]

    @contextmanager
    def keys():
        def read_key(timeout):  # quit once the note is answered, or after a few seconds
            return "q" if ports["out"].answered.wait(5) else None

        yield read_key

    monkeypatch.setattr(live, "default_api", lambda: "fake")
    monkeypatch.setattr(live, "check_ports", lambda api, i, o: events.append("ports checked"))
    monkeypatch.setattr(live, "open_output", open_output)
    monkeypatch.setattr(live, "open_input", open_input)
    monkeypatch.setattr(live, "prepare_process", lambda: None)
    monkeypatch.setattr(live, "keys", keys)
    yield events, ports
    harmonizers._extra.pop(SlowStub.family, None)


def test_ports_open_after_the_model_and_the_first_note_is_answered(session, capsys):
    events, ports = session
    assert main(["live", "--model", SlowStub.family]) == 0
    assert events[:4] == ["ports checked", "model loaded", "output opened", "input opened"]
    chord = [m.note for m in ports["out"].sent if m.type == "note_on" and m.velocity and m.channel == 1]
    assert chord and {n % 12 for n in chord} == {2, 6, 9}  # D major, for the D played as the port opened
    assert unmatched(ports["out"].sent) == set()
    err = capsys.readouterr().err.splitlines()
    ready = [line for line in err if READY in line]
    assert len(ready) == 1 and "ready" in ready[0]
    after = err[err.index(ready[0]) + 1 :]
    assert after[:-1] == ["  chord D"]  # the chord that answered the note
    assert after[-1].startswith("accompanist live: stopped")


def test_a_wrong_port_fails_before_the_model_loads(session, monkeypatch, capsys):
    events, _ = session

    def missing(api, in_query, out_query):
        raise PortError(f"no MIDI input matches {in_query!r} on fake")

    monkeypatch.setattr(live, "check_ports", missing)
    assert main(["live", "--model", SlowStub.family, "--in", "nope"]) == 2
    assert events == []
    assert capsys.readouterr().err == "accompanist: error: no MIDI input matches 'nope' on fake\n"


def test_a_model_that_fails_to_load_opens_no_port(session, monkeypatch, capsys):
    events, _ = session

    def broken(cls):
        raise harmonizers.CheckpointError("checkpoint x.pt: it does not fit family 'slowstub'")

    monkeypatch.setattr(SlowStub, "untrained", classmethod(broken))
    assert main(["live", "--model", SlowStub.family]) == 2
    assert events == ["ports checked"]
    assert READY not in capsys.readouterr().err


def test_a_temperature_for_a_model_that_does_not_sample_is_refused_before_the_ports_open(session, capsys):
    events, _ = session
    assert main(["live", "--model", SlowStub.family, "--temperature", "0.5"]) == 2
    assert events == ["ports checked", "model loaded"]
    assert "--temperature: slowstub does not sample" in capsys.readouterr().err


class IdeaStub(SlowStub):
    """A slow-loading model with ideas to vary."""

    family = "ideastub"

    def vary(self, seed):
        self.events.append(f"vary {seed}")


@pytest.mark.parametrize(
    "model, said",
    [(SlowStub, "v: slowstub has no other idea"), (IdeaStub, "v: a new idea from the next 2-bar phrase")],
)
def test_the_v_key_asks_for_a_new_idea_and_says_when_the_model_has_none(
    model, said, session, monkeypatch, capsys
):
    events, ports = session
    harmonizers.register(IdeaStub)
    pressed = iter(["v"])

    @contextmanager
    def keys():
        yield lambda timeout: next(pressed, None) or ("q" if ports["out"].answered.wait(5) else None)

    monkeypatch.setattr(live, "keys", keys)
    try:
        assert main(["live", "--model", model.family, "--tempo", "120", "--phrase-bars", "2"]) == 0
    finally:
        harmonizers._extra.pop(IdeaStub.family, None)
    err = capsys.readouterr().err
    assert "v = new idea" in err and said in err
