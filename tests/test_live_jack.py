"""`accompanist live` end to end through a private JACK server: a player, the live process, a listener."""

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import mido
import pytest
from stubs import all_notes_off, unmatched

from accompanist.live.jack import die_with_parent, have_jackd, jack_server
from accompanist.live.ports import open_input, open_output
from accompanist.live.terminal import READY

pytestmark = pytest.mark.jack

TESTS = str(Path(__file__).parent)
# `accompanist` with the stub model of test_live_loop registered, so no checkpoint is needed
BOOT = (
    f"import sys; sys.path.insert(0, {TESTS!r}); from stubs import RootStub; "
    "from accompanist.harmonizers import register; register(RootStub); "
    "from accompanist.cli import main; sys.exit(main(sys.argv[1:]))"
)
MELODY = (60, 62, 64, 65, 67, 69, 71, 72, 67)
MONITOR = "midi-monitor:input"


@pytest.fixture
def jack():
    """A fresh server for each test, with a player and a listener that records what it hears."""
    if not have_jackd():
        pytest.skip("jackd not installed (apt-get install jackd2)")
    with jack_server():
        player = open_output("jack", virtual=True, client="test-player", port="out")
        listener = open_input("jack", virtual=True, client="test-listener", port="in")
        heard = []
        listener.set_callback(heard.append)
        try:
            yield player, listener, heard
        finally:
            listener.close()
            player.close()


@pytest.fixture
def monitor(jack):
    """JACK's own jack_midi_dump as the listener: what went through the server, read by a client
    that is not rtmidi. With an rtmidi listener this test failed about once in 40 runs, the
    listener handing nine messages of one burst over as copies of the message before them; with
    jack_midi_dump, 0 in 60."""
    heard = []
    proc = subprocess.Popen(
        ["stdbuf", "-oL", "jack_midi_dump"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )

    def read():
        for line in proc.stdout:
            data = [int(x, 16) for x in line.partition(":")[2].split()[:3] if len(x) == 2]
            heard.append(mido.Message.from_bytes(data))

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 10
    while MONITOR not in subprocess.run(["jack_lsp"], capture_output=True, text=True).stdout:
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("jack_midi_dump did not start")
        time.sleep(0.05)
    yield heard
    proc.terminate()
    proc.wait(5)


def start_live(*options, out="test-listener"):
    command = [sys.executable, "-c", BOOT, "live", "--api", "jack", "--model", "rootstub"]
    command += ["--in", "test-player", "--out", out, *options]
    proc = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, preexec_fn=die_with_parent
    )
    lines, ready = [], threading.Event()

    def read():
        for line in proc.stderr:
            lines.append(line.rstrip())
            if READY in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(30):
        proc.kill()
        pytest.fail("accompanist live did not start: " + " | ".join(lines))
    return proc, lines


def play(player, melody=MELODY, hold_last=True):
    for i, pitch in enumerate(melody):
        player.send(mido.Message("note_on", note=pitch, velocity=80))
        time.sleep(0.03)
        if i < len(melody) - 1 or not hold_last:
            player.send(mido.Message("note_off", note=pitch))


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_every_note_is_released_when_live_is_stopped(jack, monitor, stop, tmp_path):
    player, _, _ = jack
    heard = monitor
    record = tmp_path / "take.mid"
    proc, lines = start_live("--thru", "--record", str(record), out=MONITOR)
    play(player)
    time.sleep(0.1)
    assert unmatched(heard), "chords and the held melody note should be sounding"
    proc.send_signal(stop)
    assert proc.wait(10) == 0, lines
    time.sleep(0.2)
    chords = [m for m in heard if m.type == "note_on" and m.channel == 1]
    assert len(chords) >= 3 and all(m.velocity == 80 for m in chords)
    assert unmatched(heard) == set()
    assert all_notes_off(heard) == {0, 1}
    assert [t.name for t in mido.MidiFile(record).tracks] == ["played", "answered"]


def test_live_stops_with_one_line_when_its_output_goes_away(jack):
    player, listener, heard = jack
    proc, lines = start_live()
    play(player, MELODY[:3])
    listener.close()
    assert proc.wait(10) == 2
    time.sleep(0.1)
    assert lines[-1] == "accompanist: error: MIDI port 'test-listener:in' went away"


def test_the_latency_bench_measures_the_floor():
    if not have_jackd():
        pytest.skip("jackd not installed (apt-get install jackd2)")
    from accompanist.live.bench_live import bench_live

    result = bench_live([], notes=20)
    floor = result["live_ms"]["floor"]
    assert floor["n"] == 20 and floor["exit"] == 0
    assert 0 < floor["p50"] <= floor["p99"] < 100


SLOW_BOOT = BOOT.replace("RootStub", "SlowStub")  # its model takes a second to load


def test_a_note_played_as_soon_as_the_ports_connect_is_answered(jack):
    player, _, heard = jack
    command = [sys.executable, "-c", SLOW_BOOT, "live", "--api", "jack", "--model", "slowstub"]
    command += ["--in", "test-player", "--out", "test-listener"]
    proc = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent
    )
    try:
        deadline = time.monotonic() + 30
        while "accompanist-in:melody" not in jack_connections("test-player:out"):
            assert proc.poll() is None and time.monotonic() < deadline, "live did not connect"
            time.sleep(0.005)
        player.send(mido.Message("note_on", note=62, velocity=80))
        time.sleep(0.5)
        chord = {m.note % 12 for m in heard if m.type == "note_on" and m.channel == 1}
        assert chord == {2, 6, 9}, "the D played as the ports connected got no D major"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(10)


def jack_connections(port):
    """The ports ``port`` is connected to, as jack_lsp -c lists them."""
    lines = subprocess.run(["jack_lsp", "-c", port], capture_output=True, text=True).stdout.splitlines()
    return [line.strip() for line in lines[1:]]


def test_a_count_in_clicks_on_its_channel_and_every_click_is_released(jack, monitor):
    heard = monitor
    proc, lines = start_live("--tempo", "240", "--count-in", "1", "--click", "10", out=MONITOR)
    assert any("count-in 1 bar" in line for line in lines)
    time.sleep(1.6)  # one bar at 240 bpm (1 s), then beats 0-1 clicking on
    proc.send_signal(signal.SIGINT)
    assert proc.wait(10) == 0, lines
    time.sleep(0.2)
    clicks = [m.note for m in heard if m.type == "note_on" and m.velocity and m.channel == 9]
    assert clicks[:5] == [76, 77, 77, 77, 76]  # the accented downbeat, then beat 1 after the count-in
    assert unmatched(heard) == set() and 9 in all_notes_off(heard)
