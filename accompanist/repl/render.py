"""MIDI to a WAV file through FluidSynth, when FluidSynth and a General MIDI soundfont are installed.

The soundfont is ``$ACCOMPANIST_SOUNDFONT`` if set, else the first of ``SOUNDFONTS`` that exists
(Debian's fluid-soundfont-gm installs FluidR3_GM). Rendering runs ``fluidsynth -ni -F OUT.wav
SOUNDFONT IN.mid`` into a private temporary folder; the WAV is then written whole where it was
asked for, through ``accompanist.files`` (an existing file only with ``--force``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from accompanist.errors import AccompanistError
from accompanist.files import write_atomic

SOUNDFONTS = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/soundfonts/default.sf2",
)
INSTALL_HINT = "apt-get install fluidsynth fluid-soundfont-gm"
SAMPLE_RATE = 44100
TIMEOUT = 300  # seconds; rendering runs many times faster than real time


class RenderError(AccompanistError):
    """FluidSynth or a soundfont is missing, or rendering failed."""


def find_soundfont() -> Path | None:
    """``$ACCOMPANIST_SOUNDFONT``, else the first installed General MIDI soundfont, else None."""
    chosen = os.environ.get("ACCOMPANIST_SOUNDFONT")
    for candidate in [chosen] if chosen else SOUNDFONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


def can_render() -> str | None:
    """None if rendering works here, else the reason it does not."""
    if shutil.which("fluidsynth") is None:
        return f"FluidSynth is not installed ({INSTALL_HINT})"
    if find_soundfont() is None:
        where = os.environ.get("ACCOMPANIST_SOUNDFONT") or ", ".join(SOUNDFONTS)
        return f"no soundfont found at {where} ({INSTALL_HINT}, or set ACCOMPANIST_SOUNDFONT)"
    return None


def render_wav(
    midi_path: str | Path, wav_path: str | Path, overwrite: bool = False, mkdir: bool = False
) -> Path:
    """Render a MIDI file to a 16-bit WAV file with FluidSynth; RenderError if it cannot.

    FluidSynth writes into a private temporary folder; the WAV is then written whole
    (``accompanist.files``): an existing one only with ``overwrite``, a new folder only with ``mkdir``.
    """
    reason = can_render()
    if reason is not None:
        raise RenderError(reason)
    wav_path = Path(wav_path)
    with tempfile.TemporaryDirectory(prefix="accompanist-render-") as folder:
        rendered = Path(folder) / "take.wav"
        command = [shutil.which("fluidsynth"), "-ni", "-q", "-r", str(SAMPLE_RATE), "-F", str(rendered)]
        command += [str(find_soundfont()), str(midi_path)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise RenderError(f"fluidsynth took more than {TIMEOUT} s") from None
        if done.returncode != 0 or not rendered.is_file() or rendered.stat().st_size == 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise RenderError(f"fluidsynth failed: {detail[-1] if detail else f'exit {done.returncode}'}")
        write_atomic(wav_path, rendered.read_bytes(), overwrite, mkdir)
    return wav_path
