"""`accompanist live`'s options: its argument groups (ports, model, sound, timing) and their checks."""

from __future__ import annotations

import argparse

from accompanist.commands import sampling
from accompanist.data.corpora import DEFAULT_STYLE, STYLES
from accompanist.devices import CHOICES as DEVICES
from accompanist.errors import AccompanistError
from accompanist.files import check_output
from accompanist.live.backends import APIS
from accompanist.live.notes import SUSTAIN
from accompanist.pace import CHANGES
from accompanist.voicing import VOICINGS

DRUM_CHANNEL = 10  # where the count-in clicks without --click


def add_options(p: argparse.ArgumentParser) -> None:
    """The options of `accompanist live`, in groups: ports, model, sound, timing."""
    ports = p.add_argument_group("ports")
    ports.add_argument("--in", dest="in_port", metavar="PORT", help="input port: a name or a unique part")
    ports.add_argument("--out", dest="out_port", metavar="PORT", help="output port: a name or a unique part")
    ports.add_argument(
        "--virtual", action="store_true", help="open Accompanist's own ports (where --in/--out name none)"
    )
    ports.add_argument("--api", choices=tuple(APIS), help="MIDI backend (default: the first that works)")
    model = p.add_argument_group("model")
    model.add_argument("--model", default="lstm", help="family name or checkpoint path (default: lstm)")
    model.add_argument(
        "--device",
        choices=DEVICES,
        default="cpu",
        help="accepted for symmetry: live steps run on the CPU, in numpy, on every device (default: cpu)",
    )
    model.add_argument("--fallback", metavar="MODEL", help="answer with MODEL when --model misses its budget")
    model.add_argument(
        "--budget-ms", type=float, default=2.0, metavar="MS", help="with --fallback: ms per step (default 2)"
    )
    model.add_argument("--seed", type=int, metavar="N", help="seed for generative models")
    sampling.add_option(model)
    model.add_argument(
        "--variation-cc",
        type=int,
        choices=range(128),
        metavar="0-127",
        help="a controller whose press (value >= 64) asks for a new idea (the next seed) at the next "
        "phrase; the v key does too",
    )
    sound = p.add_argument_group("sound")
    sound.add_argument(
        "--channel",
        type=int,
        default=2,
        choices=range(1, 17),
        metavar="1-16",
        help="chords' MIDI channel (2)",
    )
    sound.add_argument(
        "--style", choices=STYLES, default=DEFAULT_STYLE, help=f"harmonic idiom (default {DEFAULT_STYLE})"
    )
    sound.add_argument("--voicing", choices=VOICINGS, default="block", help="how chords are laid out (block)")
    sound.add_argument("--thru", action="store_true", help="pass the melody through to the output")
    sound.add_argument(
        "--panic-cc",
        type=int,
        choices=range(128),
        metavar="0-127",
        help="a controller that releases all notes",
    )
    sound.add_argument("--record", metavar="FILE.mid", help="write what was played and answered")
    sound.add_argument("--force", action="store_true", help="with --record: replace FILE.mid if it exists")
    sound.add_argument("--mkdir", action="store_true", help="with --record: create its folder if missing")
    timing = p.add_argument_group("timing (default: a chord per melody note)")
    beats = timing.add_mutually_exclusive_group()
    beats.add_argument("--tempo", type=float, metavar="BPM", help="chords change on beats at BPM")
    beats.add_argument("--clock", action="store_true", help="chords change on beats of incoming MIDI clock")
    timing.add_argument(
        "--beats-per-bar", type=int, default=4, metavar="N", help="meter for beat positions (default 4)"
    )
    timing.add_argument(
        "--count-in",
        type=int,
        default=0,
        metavar="BARS",
        help="with --tempo: BARS bars of clicks once live is ready, then beat 1 (not the first note)",
    )
    timing.add_argument(
        "--click",
        type=int,
        choices=range(1, 17),
        metavar="1-16",
        help=f"with --tempo: a click on every beat on this channel, the downbeat accented (the count-in "
        f"alone clicks on {DRUM_CHANNEL}, General MIDI's drums)",
    )
    timing.add_argument(
        "--phrase-bars",
        type=int,
        default=4,
        metavar="N",
        help="bars in a phrase (default 4): a new idea begins on a phrase's first beat with --tempo/--clock; "
        "following the notes, at the first note after a rest of a beat, or after N bars of notes",
    )
    timing.add_argument(
        "--changes",
        choices=CHANGES,
        default="auto",
        help="with --tempo/--clock, the beats where chords may change (default auto: the style's pace)",
    )


def check_options(args: argparse.Namespace) -> None:
    """AccompanistError for options that conflict or are out of range, before anything loads."""
    if args.record:
        check_output(args.record, args.force, args.mkdir)
    if args.tempo is not None and not 1 <= args.tempo <= 1000:
        raise AccompanistError(f"--tempo {args.tempo}: give beats per minute between 1 and 1000")
    if (args.count_in or args.click) and not args.tempo:
        raise AccompanistError("--count-in and --click need --tempo BPM")
    if not 0 <= args.count_in <= 16:
        raise AccompanistError(f"--count-in {args.count_in}: give 0 to 16 bars")
    click = args.click or (DRUM_CHANNEL if args.count_in else None)
    if click == args.channel:
        raise AccompanistError(f"the click's channel {click} is the chords' --channel; give it its own")
    if args.budget_ms <= 0 or args.beats_per_bar < 1 or args.phrase_bars < 1:
        raise AccompanistError("--budget-ms, --beats-per-bar and --phrase-bars must be positive")
    if args.variation_cc is not None and args.variation_cc in (args.panic_cc, SUSTAIN):
        what = "the sustain pedal" if args.variation_cc == SUSTAIN else "--panic-cc"
        raise AccompanistError(f"--variation-cc {args.variation_cc} is {what} already; choose another")
