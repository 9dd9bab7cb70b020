"""The REPL handlers of the commands that reach outside the session, each taking its options.

Files (``load`` a melody from MIDI, ``save`` the result), sound and MIDI ports (``play``, ``ports``,
``listen``), and experiments on corpora (``train``, ``eval``). ``CommandParser`` parses a command's
options with argparse, raising instead of exiting; each ``*_parser`` is also the command's options
for tab completion.
"""

from __future__ import annotations

import argparse

from accompanist.data.corpora import NAMES
from accompanist.pace import resolve as resolve_pace
from accompanist.repl import experiments, output
from accompanist.repl.parse import beats_per_bar
from accompanist.repl.session import ReplError, Session
from accompanist.training import TRAINING_CORPORA


class CommandParser(argparse.ArgumentParser):
    """argparse for a command's options, raising ReplError instead of exiting."""

    def __init__(self, name: str) -> None:
        super().__init__(prog=name, add_help=False)

    def error(self, message: str) -> None:
        raise ReplError(f"{self.prog}: {message}; `help {self.prog}` shows its usage")


# ---- files --------------------------------------------------------------------------------
def load_parser() -> CommandParser:
    parser = CommandParser("load")
    parser.add_argument("file")
    parser.add_argument("--track", type=int)
    parser.add_argument("--channel", type=int, choices=range(1, 17), metavar="1-16")
    return parser


def cmd_load(session: Session, args: list[str]) -> str:
    from accompanist.midi.melody import melody_notes, to_melody
    from accompanist.midi.read import read_midi

    opts = load_parser().parse_args(args)
    score = read_midi(opts.file)
    channel = None if opts.channel is None else opts.channel - 1
    notes = melody_notes(score, opts.track, channel)
    melody = session.set_loaded(to_melody(score, notes), score)
    part = f"track {notes[0].track}, channel {notes[0].channel + 1}"
    return f"loaded {opts.file}: {len(notes)} melody notes ({part}), {melody.n_beats} beats"


def save_parser() -> CommandParser:
    parser = CommandParser("save")
    parser.add_argument("file")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--mkdir", action="store_true")
    return parser


def cmd_save(session: Session, args: list[str]) -> str:
    opts = save_parser().parse_args(args)
    path = output.save(session, opts.file, opts.force, opts.mkdir)
    return f"wrote {path}: melody and {session.result.model} harmony ({session.style}, {session.voicing})"


# ---- sound and MIDI ports -----------------------------------------------------------------
def play_parser() -> CommandParser:
    parser = CommandParser("play")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--port")
    where.add_argument("--wav")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--mkdir", action="store_true")
    return parser


def cmd_play(session: Session, args: list[str]) -> str:
    opts = play_parser().parse_args(args)
    return output.play(session, opts.port, opts.wav, opts.force, opts.mkdir)


def cmd_ports(session: Session, args: list[str]) -> str:
    lines = []
    for direction in ("input", "output"):
        names = output.port_names(direction)
        lines.append(f"MIDI {direction}s: {', '.join(names) if names else 'none'}")
    return "\n".join(lines)


def listen_parser() -> CommandParser:
    parser = CommandParser("listen")
    parser.add_argument("--in", dest="in_port")
    parser.add_argument("--out", dest="out_port")
    parser.add_argument("--virtual", action="store_true")
    parser.add_argument("--tempo", type=float)
    return parser


def cmd_listen(session: Session, args: list[str]) -> str:
    from accompanist.repl.listen import open_listener

    if args == ["stop"]:
        if session.listener is None:
            raise ReplError("not listening")
        listener, session.listener = session.listener, None
        return listener.stop()
    if session.listener is not None and session.listener.running():
        return f"already {session.listener.describe()}; `listen stop` stops it"
    opts = listen_parser().parse_args(args)
    if opts.tempo is not None and not 10 <= opts.tempo <= 400:
        raise ReplError("listen --tempo takes beats per minute from 10 to 400")
    session.close()  # a session whose loop stopped on an error: release its ports first
    session.listener = open_listener(
        session.get_model(),
        session.say,
        in_port=opts.in_port,
        out_port=opts.out_port,
        virtual=opts.virtual,
        seed=session.seed,
        voicing=session.voicing,
        style=session.style,
        pace=resolve_pace(session.changes, session.get_model()) if opts.tempo else "beat",
        beats_per_bar=beats_per_bar(session.meter),
        tempo=opts.tempo,
    )
    return f"{session.listener.describe()}; play, chords appear here; `listen stop` stops"


# ---- experiments ----------------------------------------------------------------------------
def train_parser() -> CommandParser:
    parser = CommandParser("train")
    parser.add_argument("family")
    parser.add_argument("--subset", type=float, default=1.0)
    parser.add_argument("--set", dest="sets", action="append", default=[])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save")
    parser.add_argument("--corpus", choices=NAMES, action="append")
    return parser


def cmd_train(session: Session, args: list[str]) -> str:
    opts = train_parser().parse_args(args)
    corpora = tuple(opts.corpus) if opts.corpus else TRAINING_CORPORA
    return experiments.train(session, opts.family, opts.subset, opts.sets, opts.seed, opts.save, corpora)


def eval_parser() -> CommandParser:
    parser = CommandParser("eval")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--causal", action="store_true")
    parser.add_argument("--corpus", choices=NAMES)
    return parser


def cmd_eval(session: Session, args: list[str]) -> str:
    opts = eval_parser().parse_args(args)
    return experiments.evaluate_current(session, opts.limit, opts.causal, opts.corpus or session.corpus)
