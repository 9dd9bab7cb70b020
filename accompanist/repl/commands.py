"""The REPL's command table: name -> handler, usage, help and completion; ``execute`` runs one line.

The handlers live in ``accompanist.repl.handlers`` (the session's own commands) and
``accompanist.repl.io_handlers`` (files, ports and training); ``help`` and ``quit`` live here,
beside the table they read.
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from accompanist import harmonizers
from accompanist.repl.handlers import (
    cmd_again,
    cmd_causal,
    cmd_changes,
    cmd_compare,
    cmd_harmonize,
    cmd_melody,
    cmd_model,
    cmd_pick,
    cmd_seed,
    cmd_show,
    cmd_style,
    cmd_temperature,
    cmd_tempo,
    cmd_time,
    cmd_variants,
    cmd_voicing,
)
from accompanist.repl.io_handlers import (
    CommandParser,
    cmd_eval,
    cmd_listen,
    cmd_load,
    cmd_play,
    cmd_ports,
    cmd_save,
    cmd_train,
    eval_parser,
    listen_parser,
    load_parser,
    play_parser,
    save_parser,
    train_parser,
)
from accompanist.repl.session import ReplError, Session

MELODY_HELP = """\
Notes are NAME[OCTAVE][/BEATS], rests r[/BEATS], separated by spaces:
  NAME     C D E F G A B, then # (sharp) or b (flat): C#, Eb, Bb
  OCTAVE   C4 is middle C; left out, the octave of the note before (4 at first)
  /BEATS   length in beats (quarter notes): /2 half note, /0.5 or /1/2 eighth,
           /1.5 dotted quarter; left out, one beat. G4:2 means G4/2 too.
  |        bar lines may be written; they are ignored
Example: melody E4 E4 F4 G4 | G4 F4 E4 D4 | C4 C4 D4 E4 | E4/1.5 D4/0.5 D4/2"""


class Quit(Exception):
    """Raised by ``quit``: the prompt loop ends."""


@dataclass(frozen=True)
class Command:
    """One REPL command: its handler, usage line, one-line summary, longer help, argument completion."""

    name: str
    run: Callable[[Session, list[str]], str]
    usage: str
    summary: str
    details: str = ""
    complete: str = ""  # what tab completion offers after the name: see accompanist.repl.completion
    parser: Callable[[], CommandParser] | None = None  # its options, for tab completion


def cmd_help(session: Session, args: list[str]) -> str:
    if args:
        command = lookup(args[0])
        return "\n".join(x for x in (f"usage: {command.usage}", command.summary, command.details) if x)
    width = max(len(name) for name in COMMANDS)
    lines = [f"  {c.name.ljust(width)}  {c.summary}" for c in COMMANDS.values()]
    return "\n".join(["commands (`help NAME` shows how to call one; Tab completes):", *lines])


def cmd_quit(session: Session, args: list[str]) -> str:
    raise Quit


TABLE = (
    Command("melody", cmd_melody, "melody NOTE...", "type a melody (no notes: show it)", MELODY_HELP),
    Command("time", cmd_time, "time [3/4]", "the meter of typed melodies (bar positions)"),
    Command("tempo", cmd_tempo, "tempo [BPM]", "the tempo of typed melodies when saved or played"),
    Command(
        "load",
        cmd_load,
        "load FILE.mid [--track N] [--channel N]",
        "take the melody of a MIDI file",
        "--track counts from 0 as in the file; --channel is 1-16. Without them, the most melodic part.",
        "midi",
        load_parser,
    ),
    Command(
        "model",
        cmd_model,
        "model [markov|lstm|gan|PATH.pt]",
        "choose the model (no name: show it)",
        "A family name loads its shipped checkpoint from models/; a path loads that checkpoint.",
        "model",
    ),
    Command("harmonize", cmd_harmonize, "harmonize", "chords under the melody, as a lead sheet"),
    Command(
        "compare",
        cmd_compare,
        "compare",
        "every model on the melody, side by side, with per-melody metrics",
        "Metrics (Yeh et al. 2021): note_in_chord and ctnctr (melody notes in the chord), pcs\n"
        "(consonance, -1..1), mctd (melody-chord tonal distance, lower is closer), che (chord\n"
        "histogram entropy), cc (distinct chords), ctd (tonal distance between successive chords).",
    ),
    Command(
        "again",
        cmd_again,
        "again",
        "another harmonization of the melody: the next seed that changes the chords",
        "For a generative model (gan) each seed is another idea; the seed used becomes the session's\n"
        "(`seed`). markov and lstm give the same chords for every seed: `again` says so.",
    ),
    Command(
        "variants",
        cmd_variants,
        "variants [N]",
        "N harmonizations side by side (seeds counted up from `seed`), with metrics",
        "One lead-sheet row per variant, numbered 1..N (default 4, at most 12), then per variant:\n"
        "pcs (consonance of melody and chord, -1..1), note_in_chord (melody notes in the chord)\n"
        "and cc (distinct chords). `pick K` keeps one. A model that gives the same chords for every\n"
        "seed (markov, lstm) is told in one line.",
    ),
    Command(
        "pick",
        cmd_pick,
        "pick K",
        "keep variant K of the last `variants` for play and save",
        "Its seed becomes the session's, so `harmonize` gives it again.",
        "variants",
    ),
    Command("seed", cmd_seed, "seed [N|none]", "the random seed of sampling models"),
    Command(
        "temperature",
        cmd_temperature,
        "temperature [X]",
        "sampling temperature of models that sample (gan)",
        "0 always takes the likeliest chord; 1 samples as trained; more is wilder.\n"
        "Ignored by models that do not sample (markov, lstm).",
    ),
    Command(
        "causal", cmd_causal, "causal [on|off]", "chords as live play gives them (melody so far)", "", "onoff"
    ),
    Command(
        "style",
        cmd_style,
        "style [chorale|folk]",
        "the harmonic idiom: Bach chorales or folk and song lead sheets",
        "folk (the default) holds chords for a bar or half bar as lead sheets do; chorale\n"
        "changes chord on nearly every beat, as Bach does.",
        "style",
    ),
    Command(
        "changes",
        cmd_changes,
        "changes [auto|beat|half|bar]",
        "where chords may change",
        "auto is the style's own pace (folk: half bars, chorale: every beat).",
        "changes",
    ),
    Command(
        "voicing", cmd_voicing, "voicing [NAME]", "how chords are laid out for save and play", "", "voicing"
    ),
    Command(
        "play",
        cmd_play,
        "play [--port PORT | --wav FILE [--force] [--mkdir]]",
        "play melody and chords to a MIDI synth, or render a WAV",
        "With no option: the first MIDI synth port if any, else a WAV file rendered with FluidSynth.\n"
        "Playing to a port takes the music's own time; Ctrl-C stops it and releases every note.",
        "",
        play_parser,
    ),
    Command("ports", cmd_ports, "ports", "list MIDI input and output ports"),
    Command(
        "listen",
        cmd_listen,
        "listen [--in P] [--out P] [--virtual] [--tempo BPM] | listen stop",
        "live: chords for a MIDI keyboard, in the background",
        "The prompt stays usable; each chord change is printed above it. Ports as `accompanist live`.",
        "listen",
        listen_parser,
    ),
    Command(
        "save",
        cmd_save,
        "save FILE.mid [--force] [--mkdir]",
        "write melody and harmony to a MIDI file",
        "A loaded file's tracks are copied as they are, plus the harmony track. An existing file is\n"
        "replaced only with --force, a missing folder made only with --mkdir.",
        "midi",
        save_parser,
    ),
    Command(
        "train",
        cmd_train,
        "train FAMILY [--subset F] [--set K=V]... [--seed N] [--save FILE.pt] [--corpus NAME]...",
        "train a model here and use it",
        "--subset 0.1 trains on 10% of the training tunes. --corpus chorales|nottingham (again for\n"
        "both, the default) picks the data. --set changes a setting of the family's config,\n"
        "e.g. `train lstm --subset 0.1 --set epochs=3`.",
        "family",
        train_parser,
    ),
    Command(
        "eval",
        cmd_eval,
        "eval [--limit N] [--causal] [--corpus chorales|nottingham]",
        "quick scores of the model on the test split",
        "Offline (and causal with --causal) against the corpus's chords, in the session's style\n"
        "and pace, next to the human chords' own metrics.",
        "",
        eval_parser,
    ),
    Command("show", cmd_show, "show", "the session's settings"),
    Command("help", cmd_help, "help [COMMAND]", "this list, or one command's help", "", "command"),
    Command("quit", cmd_quit, "quit", "leave (Ctrl-D too)"),
)
COMMANDS = {c.name: c for c in TABLE}
ALIASES = {"exit": "quit", "?": "help", "harmonise": "harmonize"}


def lookup(name: str) -> Command:
    """The command called ``name``, or ReplError with the closest names."""
    key = ALIASES.get(name.lower(), name.lower())
    if key in COMMANDS:
        return COMMANDS[key]
    close = difflib.get_close_matches(key, list(COMMANDS), n=2)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    raise ReplError(f"unknown command {name!r}{hint}; `help` lists the commands")


def execute(session: Session, line: str) -> str:
    """Run one line; returns the text to print. Raises Quit, or AccompanistError for a bad line."""
    try:
        tokens = shlex.split(line)
    except ValueError as exc:
        raise ReplError(f"cannot read that line: {exc}") from None
    if not tokens:
        return ""
    return lookup(tokens[0]).run(session, tokens[1:])


def model_names(session: Session) -> list[str]:
    """Names `model` accepts without a path: installed families and models trained here."""
    return list(dict.fromkeys([*harmonizers.available(), *session.models]))
