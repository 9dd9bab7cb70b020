"""MIDI to sound through FluidSynth, when FluidSynth and a General MIDI soundfont are installed:
to a sound card (``play_audio``) or to a WAV file (``render_wav``).

The soundfont is ``$ACCOMPANIST_SOUNDFONT`` if set, else the first of ``SOUNDFONTS`` that exists
(Debian's fluid-soundfont-gm installs FluidR3_GM). Rendering runs ``fluidsynth -ni -F OUT.wav
SOUNDFONT IN.mid`` into a private temporary folder; the WAV is normalised to a peak of
``PEAK_DBFS`` and its trailing silence (under ``SILENCE_DBFS``) cut to ``TAIL`` seconds
(``finish``), then written whole where it was asked for, through ``accompanist.files`` (an
existing file only with ``--force``). A sound card is one PulseAudio or PipeWire serves, one ALSA
lists in ``/proc/asound/cards``, or any Mac's (``audio_driver``).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

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
PEAK_DBFS = -1.0
SILENCE_DBFS = -60.0
TAIL = 0.25  # seconds kept after the last sound (a release, not 4 s of nothing)


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
        write_atomic(wav_path, finish(rendered.read_bytes()), overwrite, mkdir)
    return wav_path


def finish(data: bytes) -> bytes:
    """A 16-bit PCM WAV normalised to PEAK_DBFS with trailing silence cut to TAIL seconds; anything
    else (or silence) as it was."""
    try:
        with wave.open(io.BytesIO(data)) as reader:
            params = reader.getparams()
            frames = reader.readframes(params.nframes)
    except (wave.Error, EOFError):
        return data
    if params.sampwidth != 2 or not frames:
        return data
    samples = np.frombuffer(frames, dtype="<i2").reshape(-1, params.nchannels).astype(np.float64)
    loud = np.flatnonzero(np.abs(samples).max(axis=1) > 32767 * 10 ** (SILENCE_DBFS / 20))
    if not len(loud):
        return data
    samples = samples[: loud[-1] + 1 + int(TAIL * params.framerate)]
    samples *= 32767 * 10 ** (PEAK_DBFS / 20) / np.abs(samples).max()
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(params.nchannels)
        writer.setsampwidth(2)
        writer.setframerate(params.framerate)
        writer.writeframes(np.round(samples).astype("<i2").tobytes())
    return out.getvalue()


def audio_driver() -> str | None:
    """FluidSynth's audio driver for the sound card here, or None where there is none."""
    if sys.platform == "darwin":
        return "coreaudio"
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and (Path(runtime) / "pulse" / "native").exists():
        return "pulseaudio"
    try:
        cards = Path("/proc/asound/cards").read_text()
    except OSError:
        return None
    return "alsa" if cards.strip() and "no soundcards" not in cards else None


def play_audio(midi_path: str | Path, driver: str) -> None:
    """Play a MIDI file through FluidSynth's ``driver`` to the sound card, until it ends."""
    reason = can_render()
    if reason is not None:
        raise RenderError(reason)
    command = [shutil.which("fluidsynth"), "-i", "-q", "-a", driver, str(find_soundfont()), str(midi_path)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise RenderError(f"fluidsynth played for more than {TIMEOUT} s") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        last = detail[-1] if detail else f"exit {done.returncode}"
        raise RenderError(f"fluidsynth ({driver}) failed: {last}")
