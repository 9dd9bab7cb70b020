"""Background load for the live latency bench: a busy process per core, and FluidSynth rendering
the answers to audio on the same JACK server, as a user's synth and DAW would share the machine.

``busy_cores`` spins one plain Python process per core at ordinary priority. ``fluidsynth`` runs
FluidSynth (Debian packages ``fluidsynth`` and ``fluid-soundfont-gm``) with JACK audio and MIDI,
its audio connected to the server's playback; ``connect_to`` adds its MIDI input beside a port's
listener, so every chord the model answers is also rendered.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from accompanist.live.jack import die_with_parent

SPIN = "while True: pass"
SOUNDFONTS = ("/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/sounds/sf2/default-GM.sf2")
SYNTH = "bench-synth"
SYNTH_MIDI = f"{SYNTH}:midi_00"


@contextmanager
def busy_cores(count: int | None = None) -> Iterator[int]:
    """``count`` spinning processes (default: one per core) while inside; yields how many."""
    count = count or os.cpu_count() or 1
    quiet = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [
        subprocess.Popen([sys.executable, "-c", SPIN], **quiet, preexec_fn=die_with_parent)
        for _ in range(count)
    ]
    try:
        yield count
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def soundfont() -> str | None:
    """A General MIDI soundfont that is installed, if any."""
    return next((path for path in SOUNDFONTS if Path(path).is_file()), None)


@contextmanager
def fluidsynth(rate: int, timeout: float = 30.0) -> Iterator[str | None]:
    """FluidSynth on the running JACK server while inside; yields why not (a line) or None when it runs."""
    font = soundfont()
    if shutil.which("fluidsynth") is None or font is None:
        yield "fluidsynth or a GM soundfont is not installed (apt-get install fluidsynth fluid-soundfont-gm)"
        return
    command = ["fluidsynth", "-a", "jack", "-m", "jack", "-r", str(rate), "-g", "0.3"]
    for option in (f"midi.jack.id={SYNTH}", f"audio.jack.id={SYNTH}", "audio.jack.autoconnect=1"):
        command += ["-o", option]
    # its shell reads stdin: a pipe never written keeps it running (-i would make it quit at once)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    proc = subprocess.Popen([*command, font], stdin=subprocess.PIPE, **quiet, preexec_fn=die_with_parent)
    try:
        yield None if _wait_for_port(SYNTH_MIDI, proc, timeout) else "fluidsynth did not start"
    finally:
        proc.kill()
        proc.wait()


def _wait_for_port(port: str, proc: subprocess.Popen, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        if port in _lsp([]).split():
            return True
        time.sleep(0.1)
    return False


def connect_to(listener: str, extra: str) -> int:
    """Connect every port that sends to ``listener`` to ``extra`` too; returns how many."""
    sources = connections(_lsp(["-c"])).get(listener, [])
    for source in sources:
        subprocess.run(["jack_connect", source, extra], capture_output=True, check=False)
    return len(sources)


def connections(listing: str) -> dict[str, list[str]]:
    """``jack_lsp -c`` output as {port: the ports connected to it}."""
    out: dict[str, list[str]] = {}
    port = None
    for line in listing.splitlines():
        if line[:1].isspace() and port is not None:
            out[port].append(line.strip())
        elif line.strip():
            port = line.strip()
            out[port] = []
    return out


def _lsp(options: list[str]) -> str:
    return subprocess.run(["jack_lsp", *options], capture_output=True, text=True, check=False).stdout
