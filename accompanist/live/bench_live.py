"""End-to-end live latency through a real JACK server: the floor, then each family that loads.

A private ``jackd -d dummy`` server; one client here plays a melody, another here hears the
answers; the answering process in between is the floor (``accompanist.live.floor``: a fixed
chord from the input callback) or ``accompanist live --model FAMILY``. The latency of a note is
from just before its note-on is written to the first chord note-on heard. Chords take the
player's velocity, and each note has its own (cycling 1..127), so every answer is matched to
the note it answers however late it comes. A model sends a chord only when the chord changes,
so the melody goes on until ``notes`` notes were answered. ``flood`` adds 1,000 messages a
second of controllers, aftertouch and pitch bend between the notes. ``load`` measures while a
process per core keeps the CPU busy and, where installed, FluidSynth renders every answer to
audio on the same server (``accompanist.live.load``).

``python -m accompanist.live.bench_live [--json] [--flood] [--load] [--notes N] [FAMILY ...]``
runs it, as ``accompanist bench --live`` does.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

import mido
import numpy as np

from accompanist.live import load as background
from accompanist.live.jack import die_with_parent, jack_server
from accompanist.live.ports import OutputPort, open_input, open_output
from accompanist.live.realtime import gc_paused, realtime_thread
from accompanist.live.terminal import READY

PLAYER, LISTENER = ("bench-player", "out"), ("bench-listener", "in")
SCALE = (60, 62, 64, 65, 67, 69, 71, 72, 74, 76, 77, 79)
GAP = (0.012, 0.020)  # seconds between notes, random so notes do not lock to JACK's period
WARMUP = 20  # answered notes left out of the figures
FLOOD_EVERY = 0.001


def bench_live(
    families: list[str],
    notes: int = 1000,
    flood: bool = False,
    rate: int = 48000,
    period: int = 64,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
    load: bool = False,
) -> dict:
    """``{"live_ms": {"floor": {"p50", "p99", ...}, family: {...}}, "skipped": {...}, ...}``."""
    loadable, skipped = _loadable(families)
    jack = {"rate": rate, "period": period}
    result: dict = {"live_ms": {}, "skipped": skipped, "notes": notes, "flood": flood, "jack": jack}
    with jack_server(rate, period), ExitStack() as stack:
        synth = stack.enter_context(_background(result, rate, log)) if load else None
        player = open_output("jack", virtual=True, client=PLAYER[0], port=PLAYER[1])
        listener = open_input("jack", virtual=True, client=LISTENER[0], port=LISTENER[1])
        heard: list[tuple[float, int]] = []
        listener.set_callback(lambda msg: _hear(heard, msg))
        try:
            for name in ["floor", *loadable]:
                figures = _measure(_command(name), player, heard, notes, flood, seed, synth)
                result["live_ms"][name] = figures
                if log:
                    log(_line(name, figures))
        finally:
            listener.close()
            player.close()
    return result


@contextmanager
def _background(result: dict, rate: int, log: Callable[[str], None] | None) -> Iterator[str | None]:
    """FluidSynth (where installed) and a busy process per core; yields the synth's MIDI port or None."""
    with background.fluidsynth(rate) as missing, background.busy_cores() as busy:
        result["load"] = {"busy_processes": busy, "fluidsynth": missing or "renders every answer"}
        if log:
            log(f"load: {busy} busy processes; fluidsynth {missing or 'renders every answer'}")
        yield None if missing else background.SYNTH_MIDI


def _loadable(families: list[str]) -> tuple[list[str], dict[str, str]]:
    from accompanist.harmonizers import load

    ok, skipped = [], {}
    for name in families:
        try:
            load(name)
            ok.append(name)
        except Exception as exc:  # a family without a checkpoint is skipped, with its reason
            skipped[name] = f"{type(exc).__name__}: {exc}"
    return ok, skipped


def _hear(heard: list[tuple[float, int]], msg: mido.Message) -> None:
    if msg.type == "note_on" and msg.velocity > 0:
        heard.append((time.perf_counter(), msg.velocity))


def _command(name: str) -> list[str]:
    ports = [f"{PLAYER[0]}:{PLAYER[1]}", f"{LISTENER[0]}:{LISTENER[1]}"]
    if name == "floor":
        return [sys.executable, "-m", "accompanist.live.floor", *ports, "--api", "jack"]
    live = [sys.executable, "-m", "accompanist", "live", "--api", "jack", "--model", name]
    return [*live, "--in", ports[0], "--out", ports[1]]


def _measure(
    command: list[str], player: OutputPort, heard: list, notes: int, flood: bool, seed: int, synth: str | None
) -> dict:
    quiet = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL}
    proc = subprocess.Popen(command, **quiet, stderr=subprocess.PIPE, preexec_fn=die_with_parent)
    lines: list[str] = []
    ready = threading.Event()
    threading.Thread(target=_read_stderr, args=(proc, lines, ready), daemon=True).start()
    try:
        if not ready.wait(120):
            raise RuntimeError(f"{' '.join(command)} did not start: {' | '.join(lines[-3:])}")
        rendered = background.connect_to(f"{LISTENER[0]}:{LISTENER[1]}", synth) > 0 if synth else False
        heard.clear()
        with realtime_thread(), gc_paused():
            sent, flooded, seconds = _play(player, heard, notes, flood, random.Random(seed))
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    latencies = _match(sent, heard)[WARMUP : WARMUP + notes] * 1000
    return {
        **_figures(latencies),
        "played": len(sent),
        "flood_per_s": round(flooded / seconds),
        "rendered": rendered,
        "exit": proc.returncode,
    }


def _read_stderr(proc: subprocess.Popen, lines: list[str], ready: threading.Event) -> None:
    for raw in proc.stderr:
        lines.append(raw.decode(errors="replace").rstrip())
        if READY in lines[-1]:
            ready.set()


def _play(player: OutputPort, heard: list, notes: int, flood: bool, rng: random.Random) -> tuple:
    """Play until ``notes`` answers (or 6 times as many notes); returns (sent, flood count, seconds)."""
    sent: list[tuple[float, int]] = []
    floods = _flood_messages()
    flooded, pitch = 0, None
    start = next_note = next_flood = time.perf_counter()
    while len(sent) < 6 * (notes + WARMUP):
        now = time.perf_counter()
        if now >= next_note:
            if len(sent) % 10 == 0 and len(_match(sent, heard)) >= notes + WARMUP:
                break
            pitch = _note(player, sent, pitch, rng)
            next_note = now + rng.uniform(*GAP)
        if flood and now >= next_flood:
            player.send(next(floods))
            flooded += 1
            next_flood = max(next_flood + FLOOD_EVERY, now)
        wake = min(next_note, next_flood) if flood else next_note
        time.sleep(max(0.0, wake - time.perf_counter()))
    if pitch is not None:
        player.send(mido.Message("note_off", note=pitch))
    time.sleep(0.1)  # the last answers
    return sent, flooded, time.perf_counter() - start


def _note(player: OutputPort, sent: list, previous: int | None, rng: random.Random) -> int:
    pitch = rng.choice([p for p in SCALE if p != previous])
    velocity = 1 + len(sent) % 127
    if previous is not None:
        player.send(mido.Message("note_off", note=previous))
    sent.append((time.perf_counter(), velocity))
    player.send(mido.Message("note_on", note=pitch, velocity=velocity))
    return pitch


def _flood_messages() -> Iterator[mido.Message]:
    """An endless mix of mod wheel, channel and key aftertouch, and pitch bend."""
    i = 0
    while True:
        i += 1
        yield (
            mido.Message("control_change", control=1, value=i % 128),
            mido.Message("aftertouch", value=i % 128),
            mido.Message("polytouch", note=60 + i % 12, value=i % 128),
            mido.Message("pitchwheel", pitch=(i * 97) % 16384 - 8192),
        )[i % 4]


def _match(sent: list[tuple[float, int]], heard: list[tuple[float, int]]) -> np.ndarray:
    """Latency (s) of each answered note, in playing order: its first answer with its velocity."""
    latest: dict[int, int] = {}  # velocity -> index of the latest note sent with it
    first: dict[int, float] = {}
    i = 0
    for t, velocity in sorted(heard):
        while i < len(sent) and sent[i][0] <= t:
            latest[sent[i][1]] = i
            i += 1
        note = latest.get(velocity)
        if note is not None and note not in first:
            first[note] = t - sent[note][0]
    return np.array([first[k] for k in sorted(first)])


def _figures(ms: np.ndarray) -> dict:
    if len(ms) == 0:
        return {"p50": None, "p99": None, "max": None, "n": 0}
    p50, p99 = np.percentile(ms, [50, 99])
    return {
        "p50": round(float(p50), 3),
        "p99": round(float(p99), 3),
        "max": round(float(ms.max()), 3),
        "n": len(ms),
    }


def _line(name: str, f: dict) -> str:
    if not f["n"]:
        return f"{name:>8}: no answers over {f['played']} notes"
    return (
        f"{name:>8}: p50 {f['p50']:6.2f} ms  p99 {f['p99']:6.2f} ms  max {f['max']:6.2f} ms  ({f['n']} notes)"
    )


def main(argv: list[str] | None = None) -> int:
    from accompanist.harmonizers import available

    parser = argparse.ArgumentParser(
        prog="python -m accompanist.live.bench_live", description=__doc__.split("\n")[0]
    )
    parser.add_argument("families", nargs="*", help="default: every family whose checkpoint loads")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--flood", action="store_true", help="add 1,000 other messages a second")
    parser.add_argument("--load", action="store_true", help="keep every core busy (and FluidSynth rendering)")
    parser.add_argument("--notes", type=int, default=1000, help="answered notes per client (default 1000)")
    parser.add_argument("--period", type=int, default=64, help="JACK period in frames (default 64)")
    args = parser.parse_args(argv)
    log = None if args.json else print
    families = args.families or available()
    result = bench_live(families, args.notes, args.flood, period=args.period, log=log, load=args.load)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for name, reason in result["skipped"].items():
            print(f"{name:>8}: skipped ({reason})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
