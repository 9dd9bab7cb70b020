"""The REPL handlers of the session's own commands: each takes the session and the line's arguments,
returns the text to print.

The melody typed in (``melody``, ``time``, ``tempo``), the model and how it plays (``model``,
``seed``, ``temperature``, ``causal``, ``style``, ``voicing``, ``changes``), the results
(``harmonize``, ``again``, ``variants``, ``pick``, ``compare``) and ``show``. The commands that
reach outside the session (files, ports, training), whose options argparse parses, are
``accompanist.repl.io_handlers``.

Anything a user can get wrong raises an ``AccompanistError`` (a ``ReplError`` for misuse of the
REPL itself): the prompt loop prints it as one line and goes on.
"""

from __future__ import annotations

import math

from accompanist.data.corpora import STYLES
from accompanist.harmony import basses, beat_voicings
from accompanist.lead_sheet import chord_sheet
from accompanist.pace import CHANGES
from accompanist.repl import variants
from accompanist.repl.compare import compare
from accompanist.repl.parse import note_name, parse_meter, parse_notes
from accompanist.repl.session import ReplError, Result, Session, apply_temperature
from accompanist.voicing import VOICINGS


def _nothing_or_one(args: list[str], command: str) -> str | None:
    if len(args) > 1:
        raise ReplError(f"{command} takes one value; `help {command}` shows its usage")
    return args[0] if args else None


# ---- the melody ---------------------------------------------------------------------------
def cmd_melody(session: Session, args: list[str]) -> str:
    if args:
        session.set_typed(parse_notes(args))
    beats = session.require_melody().n_beats
    if not session.notes:
        return f"melody ({beats} beats) from {session.source}"
    shown = " ".join(_note_text(pitch, dur) for _, dur, pitch in session.notes)
    return f"melody ({beats} beats in {session.meter[0]}/{session.meter[1]}): {shown}"


def _note_text(pitch: int, beats: float) -> str:
    name = "r" if pitch < 0 else note_name(pitch)
    return name if beats == 1 else f"{name}/{beats:g}"


def cmd_time(session: Session, args: list[str]) -> str:
    text = _nothing_or_one(args, "time")
    if text is not None:
        session.set_meter(parse_meter(text))
    return f"time {session.meter[0]}/{session.meter[1]}"


def cmd_tempo(session: Session, args: list[str]) -> str:
    text = _nothing_or_one(args, "tempo")
    if text is not None:
        bpm = _number(text, "tempo")
        if not 10 <= bpm <= 400:
            raise ReplError("tempo takes beats per minute from 10 to 400")
        session.tempo = bpm
    return f"tempo {session.tempo:g} bpm (typed melodies, when saved or played)"


# ---- the model and how it plays -------------------------------------------------------------
def cmd_model(session: Session, args: list[str]) -> str:
    name = _nothing_or_one(args, "model")
    if name is not None:
        session.use_model(name)
    return f"model {session.model_name}: {describe(session)}"


def describe(session: Session) -> str:
    """One line on where the current model comes from."""
    model = session.get_model()
    meta = model.meta
    if "train_pieces" not in meta:
        return f"{model.family}, no training record"
    seconds = meta.get("train_seconds")
    took = f" in {seconds:.1f} s" if isinstance(seconds, (int, float)) else ""
    return f"{model.family}, trained on {meta['train_pieces']} pieces{took} ({meta.get('device', '?')})"


def cmd_seed(session: Session, args: list[str]) -> str:
    text = _nothing_or_one(args, "seed")
    if text is not None:
        if text.lower() not in ("none", "off") and not text.lstrip("-").isdigit():
            raise ReplError(f"seed takes a whole number or `none`, not {text!r}")
        session.seed = None if text.lower() in ("none", "off") else int(text)
        session.result = None
    return f"seed {session.seed if session.seed is not None else 'none (each model its default)'}"


def cmd_temperature(session: Session, args: list[str]) -> str:
    text = _nothing_or_one(args, "temperature")
    if text is None:
        shown = "the model's own" if session.temperature is None else f"{session.temperature:g}"
        return f"temperature {shown}"
    value = _number(text, "temperature")
    if value < 0:
        raise ReplError("temperature must be 0 (always the likeliest chord) or more")
    session.set_temperature(value)
    if not apply_temperature(session.get_model(), value):
        return f"temperature {value:g}; ignored by {session.model_name} (it does not sample)"
    return f"temperature {value:g} for {session.model_name} and other sampling models"


def cmd_causal(session: Session, args: list[str]) -> str:
    text = _nothing_or_one(args, "causal")
    if text is not None:
        if text not in ("on", "off"):
            raise ReplError("causal takes on or off")
        session.causal, session.result = text == "on", None
    mode = "on: chords as live play gives them" if session.causal else "off: each chord sees the whole melody"
    return f"causal {mode}"


def _choose(session: Session, args: list[str], setting: str, choices: tuple[str, ...]) -> str:
    """Show a setting, or set it to one of ``choices`` (the melody's result is made again)."""
    text = _nothing_or_one(args, setting)
    if text is not None:
        if text not in choices:
            raise ReplError(f"unknown {setting} {text!r}; choose from {', '.join(choices)}")
        setattr(session, setting, text)
        session.result = None
    return f"{setting} {getattr(session, setting)}"


def cmd_style(session: Session, args: list[str]) -> str:
    return _choose(session, args, "style", STYLES)


def cmd_voicing(session: Session, args: list[str]) -> str:
    return _choose(session, args, "voicing", VOICINGS)


def cmd_changes(session: Session, args: list[str]) -> str:
    return _choose(session, args, "changes", CHANGES)


# ---- results --------------------------------------------------------------------------------
def cmd_harmonize(session: Session, args: list[str]) -> str:
    if args:
        raise ReplError("harmonize takes no arguments; `model`, `seed` and `causal` set how")
    return _sheet(session, session.harmonize())


def _sheet(session: Session, result: Result) -> str:
    """A result as a header line (model, mode, seed) and its lead sheet."""
    mode = "causal" if result.causal else "offline"
    seed = f", seed {result.seed}" if result.seed is not None else ""
    header = f"{result.model} ({mode}{seed}), {len(result.indices)} beats:"
    melody = session.require_melody()
    voicings = beat_voicings(result.indices, melody, session.voicing, result.causal)
    return f"{header}\n{chord_sheet(result.indices, melody, basses(voicings, session.voicing))}"


def cmd_again(session: Session, args: list[str]) -> str:
    if args:
        raise ReplError("again takes no arguments; `variants N` shows several at once")
    result = variants.again(session)
    return result if isinstance(result, str) else _sheet(session, result)


def cmd_variants(session: Session, args: list[str]) -> str:
    text = _nothing_or_one(args, "variants")
    count = variants.DEFAULT_VARIANTS if text is None else _whole(text, "variants")
    return variants.show(session.require_melody(), variants.make(session, count))


def cmd_pick(session: Session, args: list[str]) -> str:
    text = _nothing_or_one(args, "pick")
    if text is None:
        raise ReplError("pick takes the number of a variant, e.g. `pick 2`")
    number = _whole(text, "pick")
    result = variants.pick(session, number)
    return f"kept variant {number} (seed {result.seed}) for play and save\n{_sheet(session, result)}"


def cmd_compare(session: Session, args: list[str]) -> str:
    if args:
        raise ReplError("compare takes no arguments")
    return compare(session)


# ---- the REPL itself ------------------------------------------------------------------------
def cmd_show(session: Session, args: list[str]) -> str:
    melody = "none" if session.melody is None else f"{session.melody.n_beats} beats ({session.source})"
    result = session.result
    result_text = "none" if result is None else f"{len(result.indices)} chords by {result.model}"
    listening = session.listener.describe() if session.listener is not None else "not listening"
    return "\n".join(
        [
            f"melody       {melody}",
            f"time, tempo  {session.meter[0]}/{session.meter[1]}, {session.tempo:g} bpm",
            f"model        {session.model_name} (device {session.device})",
            f"seed         {session.seed}",
            f"temperature  {'model default' if session.temperature is None else session.temperature}",
            f"causal       {'on' if session.causal else 'off'}",
            f"style        {session.style} (chords change: {session.changes}), voicing {session.voicing}",
            f"corpus       {session.corpus} (for eval)",
            f"result       {result_text}",
            f"live         {listening}",
        ]
    )


def _whole(text: str, what: str) -> int:
    if not text.isdigit():
        raise ReplError(f"{what} takes a whole number, not {text!r}")
    return int(text)


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ReplError(f"{what} takes a number, not {text!r}")
    return value
