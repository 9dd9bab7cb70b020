"""The session's result as MIDI: saved to a file, played to a MIDI output port, or rendered to WAV.

A loaded melody keeps its file: the output holds the input's tracks unchanged plus the harmony
track, as ``accompanist harmonize`` writes. A typed melody becomes a minimal score first: one
melody track (tempo, meter, the notes as typed) on channel 1; the harmony goes on channel 2.
"""

from __future__ import annotations

import time
from pathlib import Path

import mido

from accompanist.files import check_output
from accompanist.harmony import harmony
from accompanist.live.notes import SoundingNotes
from accompanist.midi.read import Score, TempoMap
from accompanist.midi.write import events_to_track, write_midi
from accompanist.repl.parse import Note, beats_per_bar
from accompanist.repl.render import audio_driver, can_render, play_audio, render_wav
from accompanist.repl.session import ReplError, Session

TICKS_PER_BEAT = 480
MELODY_CHANNEL = 0
MELODY_VELOCITY = 80
TYPED_SOURCE = Path("typed melody")


def typed_score(notes: list[Note], meter: tuple[int, int], tempo: float) -> Score:
    """A one-track score of a typed melody (rests are silence), at ``tempo`` beats per minute."""
    events = []
    for onset, duration, pitch in notes:
        if pitch < 0:
            continue
        start, end = round(onset * TICKS_PER_BEAT), round((onset + duration) * TICKS_PER_BEAT)
        events.append(
            (start, mido.Message("note_on", channel=MELODY_CHANNEL, note=pitch, velocity=MELODY_VELOCITY))
        )
        events.append((end, mido.Message("note_off", channel=MELODY_CHANNEL, note=pitch, velocity=0)))
    micros = mido.bpm2tempo(tempo)
    head = [
        mido.MetaMessage("track_name", name="melody"),
        mido.MetaMessage("set_tempo", tempo=micros),
        mido.MetaMessage("time_signature", numerator=meter[0], denominator=meter[1]),
    ]
    track = events_to_track(events, head, offs_first=True)
    midi = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    midi.tracks.append(track)
    return Score(TYPED_SOURCE, midi, [], TempoMap(TICKS_PER_BEAT, [(0, micros)]), [(0, beats_per_bar(meter))])


def session_score(session: Session) -> Score:
    """The loaded file's score, or the typed melody's."""
    if session.score is not None:
        return session.score
    session.require_melody()
    return typed_score(session.notes, session.meter, session.tempo)


def save(session: Session, path: str | Path, force: bool = False, mkdir: bool = False) -> Path:
    """Write melody and harmony (harmonizing first if needed) to a MIDI file.

    An existing file is replaced only with ``force``, a missing folder made only with ``mkdir``.
    """
    path = Path(path)
    if path.suffix.lower() not in (".mid", ".midi"):
        raise ReplError(f"{path}: a MIDI file name ends in .mid or .midi")
    if session.score is not None and path.resolve() == session.score.path.resolve():
        raise ReplError(f"refusing to overwrite the melody's own file {path}")
    check_output(path, force, mkdir)  # before harmonizing, which may take a while
    melody = session.require_melody()
    result = session.current_result()
    held = harmony(result.indices, melody, session.voicing, result.causal)
    write_midi(path, session_score(session), held, overwrite=force, mkdir=mkdir)
    return path


def temporary_midi(session: Session) -> Path:
    """The result saved to a new file in the session's temporary folder (for playing and rendering),
    which ``Session.close`` removes."""
    folder = session.scratch()
    return save(session, folder / f"take-{len(list(folder.glob('take-*.mid'))) + 1}.mid")


def render(session: Session, wav: str | Path | None = None, force: bool = False, mkdir: bool = False) -> Path:
    """The result rendered to WAV (``wav``, as ``save`` writes files; or a temporary file)."""
    if wav is not None:
        check_output(wav, force, mkdir)  # before rendering
    midi = temporary_midi(session)
    return render_wav(midi, wav or midi.with_suffix(".wav"), force, mkdir)


def play_to_port(session: Session, port: str | None, api: str | None = None) -> str:
    """Play the result in real time to a MIDI output port; every note is released however it ends."""
    from accompanist.live.backends import default_api
    from accompanist.live.ports import open_output

    midi = mido.MidiFile(temporary_midi(session))
    out = open_output(api or default_api(), port)
    notes = SoundingNotes(out)
    try:
        for msg in midi.play(now=time.perf_counter):
            if msg.type == "note_on" and msg.velocity > 0:
                notes.note_on(msg.channel, msg.note, msg.velocity)
            elif msg.type in ("note_on", "note_off"):
                notes.note_off(msg.channel, msg.note)
            elif not msg.is_meta:
                notes.forward(msg)
    finally:
        notes.panic()
        out.close()
    return out.name


def port_names(direction: str = "output", api: str | None = None) -> list[str]:
    """MIDI input or output names of a backend (the first that works by default); [] if none works."""
    from accompanist.errors import PortError
    from accompanist.live.backends import default_api, list_ports

    try:
        inputs, outputs = list_ports(api or default_api())
    except PortError:
        return []
    return inputs if direction == "input" else outputs


def first_synth(api: str | None = None) -> str | None:
    """The first output port that is an instrument (not ALSA's Midi Through, not ours), or None."""
    from accompanist.live.backends import first_instrument

    names = port_names("output", api)
    index = first_instrument(names)
    return None if index is None else names[index]


def play(
    session: Session,
    port: str | None = None,
    wav: str | None = None,
    force: bool = False,
    mkdir: bool = False,
) -> str:
    """Play to ``port``, else render to ``wav``; with neither, to the first MIDI synth, else through
    FluidSynth to the sound card, else to a WAV in the session's temporary folder."""
    if port is None and wav is None:
        port = first_synth()
    if port is not None:
        return f"played to {play_to_port(session, port)}"
    reason = can_render()
    if reason is not None:
        raise ReplError(f"nothing to play to: no MIDI synth port (see `ports`), and {reason}")
    driver = audio_driver() if wav is None else None
    if driver is not None:
        play_audio(temporary_midi(session), driver)
        return f"played through FluidSynth ({driver})"
    path = render(session, wav, force, mkdir)
    if wav is None:
        keep = "removed on quit; `play --wav FILE.wav` keeps one"
        return f"no MIDI synth or sound card here: rendered {path} ({keep})"
    return f"rendered {path} (play it with any audio player)"
