"""MIDI to a WAV file through FluidSynth, when FluidSynth and a General MIDI soundfont are installed.

The soundfont is ``$ACCOMPANIST_SOUNDFONT`` if set, else the first of ``SOUNDFONTS`` that exists
(Debian's fluid-soundfont-gm installs FluidR3_GM). Rendering runs ``fluidsynth -ni -F OUT.wav
SOUNDFONT IN.mid`` into a temporary file beside the output, renamed when complete.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from accompanist.errors import AccompanistError

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


def render_wav(midi_path: str | Path, wav_path: str | Path) -> Path:
    """Render a MIDI file to a 16-bit WAV file with FluidSynth; RenderError if it cannot."""
    reason = can_render()
    if reason is not None:
        raise RenderError(reason)
    wav_path = Path(wav_path)
    wav_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=wav_path.parent, prefix=f".{wav_path.name}.", suffix=".wav")
    os.close(fd)
    command = [shutil.which("fluidsynth"), "-ni", "-q", "-r", str(SAMPLE_RATE), "-F", tmp]
    try:
        done = subprocess.run(
            [*command, str(find_soundfont()), str(midi_path)], capture_output=True, text=True, timeout=TIMEOUT
        )
        if done.returncode != 0 or Path(tmp).stat().st_size == 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise RenderError(f"fluidsynth failed: {detail[-1] if detail else f'exit {done.returncode}'}")
        os.replace(tmp, wav_path)
    except subprocess.TimeoutExpired:
        raise RenderError(f"fluidsynth took more than {TIMEOUT} s") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return wav_path
