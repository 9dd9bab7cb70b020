"""MIDI ports: finding one by a part of its name, the defaults, `accompanist ports`, real JACK ports."""

import time

import pytest
import rtmidi
from stubs import RootStub

from accompanist import cli
from accompanist.errors import PortError
from accompanist.harmonizers import register
from accompanist.live.backends import (
    APIS,
    api_id,
    available_apis,
    compiled_apis,
    find_port,
    first_instrument,
    list_ports,
)
from accompanist.live.jack import have_jackd, jack_server
from accompanist.live.ports import PortWatch, open_input, open_output

NAMES = [
    "Midi Through:Midi Through Port-0 14:0",
    "USB Keyboard:USB Keyboard MIDI 1 20:0",
    "FLUID Synth 128:0",
]


def test_a_port_is_found_by_its_name_or_a_unique_part_of_it():
    assert find_port(NAMES[2], NAMES, "output", "alsa") == 2
    assert find_port("keyboard", NAMES, "input", "alsa") == 1


def test_an_ambiguous_port_names_every_match():
    with pytest.raises(PortError, match=r"ambiguous on alsa: it matches .*Through.*Keyboard"):
        find_port("0", NAMES[:2], "input", "alsa")


def test_a_missing_port_lists_what_exists():
    with pytest.raises(
        PortError, match=r"no MIDI input matches 'piano' on alsa; inputs there: 'Midi Through"
    ):
        find_port("piano", NAMES, "input", "alsa")
    with pytest.raises(PortError, match="inputs there: none"):
        find_port("piano", [], "input", "jack")


def test_the_first_instrument_is_neither_midi_through_nor_ours():
    assert first_instrument(NAMES) == 1
    assert first_instrument(["Midi Through Port-0", "accompanist-out:chords"]) is None


def test_backends_are_named_as_on_the_command_line(monkeypatch):
    assert set(compiled_apis()) <= set(APIS)
    with pytest.raises(PortError, match="unknown MIDI backend"):
        api_id("oss")
    # the backends are those python-rtmidi says it was built with, nothing else
    built = [rtmidi.API_LINUX_ALSA, rtmidi.API_RTMIDI_DUMMY, rtmidi.API_UNIX_JACK]
    monkeypatch.setattr(rtmidi, "get_compiled_api", lambda: built)
    assert compiled_apis() == ["alsa", "jack"]
    assert (api_id("alsa"), api_id("jack")) == (rtmidi.API_LINUX_ALSA, rtmidi.API_UNIX_JACK)
    with pytest.raises(PortError, match=r"unknown MIDI backend 'coremidi'; here: alsa, jack$"):
        api_id("coremidi")
    monkeypatch.setattr(rtmidi, "get_compiled_api", lambda: [rtmidi.API_MACOSX_CORE])
    assert compiled_apis() == ["coremidi"] and api_id("coremidi") == rtmidi.API_MACOSX_CORE
    monkeypatch.setattr(rtmidi, "get_compiled_api", lambda: [rtmidi.API_RTMIDI_DUMMY])
    assert compiled_apis() == []
    with pytest.raises(PortError, match="unknown MIDI backend 'alsa'; here: $"):
        api_id("alsa")


def test_ports_command_lists_each_backend_or_says_why_not(capsys, monkeypatch):
    monkeypatch.setenv("JACK_DEFAULT_SERVER", "accompanist-no-such-server")
    working = available_apis()
    assert cli.main(["ports"]) == (0 if working else 2)
    out = capsys.readouterr().out
    for api in compiled_apis():
        assert f"{api}" in out
    if "jack" in compiled_apis():
        assert "jack: MIDI backend jack is not available here" in out
        assert cli.main(["ports", "--api", "jack"]) == 2
        assert capsys.readouterr().err.startswith("accompanist: error: MIDI backend jack is not available")


def test_with_no_working_backend_ports_and_live_exit_2_with_a_hint(capsys, monkeypatch):
    monkeypatch.setattr("accompanist.live.backends.list_ports", fail_every_backend)
    monkeypatch.setattr("accompanist.commands.ports.list_ports", fail_every_backend)
    assert cli.main(["ports"]) == 2
    captured = capsys.readouterr()
    assert all(f"{api}: " in captured.out for api in compiled_apis())
    err = captured.err.splitlines()
    assert len(err) == 1 and err[0].startswith("accompanist: error: no MIDI backend works here: ")
    assert "start a JACK server (jackd -d dummy)" in err[0] and len(err[0]) < 200
    assert cli.main(["live", "--virtual"]) == 2
    assert capsys.readouterr().err == captured.err


def fail_every_backend(api):
    raise PortError(f"MIDI backend {api} is not available here: " + "a long library message " * 5)


@pytest.fixture(scope="module")
def server():
    if not have_jackd():
        pytest.skip("jackd not installed (apt-get install jackd2)")
    with jack_server() as name:
        yield name


@pytest.mark.jack
def test_ports_command_lists_jack_ports(server, capsys):
    keyboard = open_output("jack", virtual=True, client="test-keys", port="out")
    try:
        assert cli.main(["ports", "--api", "jack"]) == 0
        assert "test-keys:out" in capsys.readouterr().out
    finally:
        keyboard.close()


@pytest.mark.jack
def test_open_connects_by_a_part_of_the_name_and_the_watch_sees_it_go(server):
    keyboard = open_output("jack", virtual=True, client="test-keys", port="out")
    inp = open_input("jack", "TEST-KEYS")
    watch = PortWatch([inp])
    try:
        assert inp.name == "test-keys:out" and not inp.virtual
        assert watch.gone() is None
        keyboard.close()
        time.sleep(0.05)
        assert watch.gone() == "test-keys:out"
    finally:
        watch.close()
        inp.close()


@pytest.mark.jack
def test_with_nothing_to_connect_to_it_opens_virtual_ports(server):
    inputs, outputs = list_ports("jack")
    assert outputs == []
    out = open_output("jack")
    try:
        assert out.virtual and out.name == "accompanist-out:chords"
    finally:
        out.close()


@pytest.mark.jack
def test_live_with_a_missing_port_says_so_in_one_line_and_exits_2(server, capsys):
    register(RootStub)
    assert cli.main(["live", "--api", "jack", "--in", "no-such-keyboard", "--model", "rootstub"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["accompanist: error: no MIDI input matches 'no-such-keyboard' on jack; inputs there: none"]
