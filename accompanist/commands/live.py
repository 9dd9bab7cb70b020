"""`accompanist live`: answer a melody played on a MIDI keyboard with voiced chords, as it is played."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from accompanist.commands import sampling
from accompanist.data.corpora import DEFAULT_STYLE, STYLES
from accompanist.devices import CHOICES as DEVICES
from accompanist.devices import resolve_device
from accompanist.errors import AccompanistError, PortError
from accompanist.files import check_output
from accompanist.live.click import Click
from accompanist.live.display import CHECK_EVERY, ChordDisplay
from accompanist.live.loop import LiveConfig, LiveLoop
from accompanist.live.notes import SUSTAIN
from accompanist.live.ports import (
    APIS,
    InputPort,
    OutputPort,
    PortWatch,
    check_ports,
    default_api,
    open_input,
    open_output,
)
from accompanist.live.realtime import prepare_process, realtime_thread
from accompanist.live.record import Recorder, RecordingOutput
from accompanist.live.steppers import DirectStepper, FallbackStepper, Stepper
from accompanist.live.terminal import PANIC_KEYS, QUIT_KEYS, READY, VARY_KEYS, keys, shielded, stop_signals
from accompanist.live.timing import ClockBeats, FollowNotes, TempoBeats, Timing
from accompanist.melody import BeatFrame
from accompanist.pace import CHANGES
from accompanist.pace import resolve as resolve_pace
from accompanist.voicing import VOICINGS

DRUM_CHANNEL = 10  # where the count-in clicks without --click
WATCH_EVERY = 1.0  # seconds between checks that the ports we connected to still exist


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "live",
        help="answer a MIDI keyboard with chords, live",
        description="Listen to a melody on a MIDI input and answer with voiced chords on a MIDI output. "
        "With no port options: the first keyboard in, the first synth out, else virtual ports.",
    )
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
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Ports open only once the model is loaded, so that a note played into them is answered."""
    _check(args)
    api = args.api or default_api()
    check_ports(api, args.in_port, args.out_port)  # a wrong port name fails before the model loads
    stepper = _stepper(args)
    out = open_output(api, args.out_port, args.virtual and not args.out_port)
    try:
        return _session(args, stepper, api, out)
    finally:
        out.close()


def _check(args: argparse.Namespace) -> None:
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


def _stepper(args: argparse.Namespace) -> Stepper:
    """Load the model (and the fallback), set the process up for live play, warm the model with one step."""
    from accompanist.harmonizers import load

    device = "cpu" if args.device == "cpu" else resolve_device(args.device)  # cpu needs no torch import
    main = load(args.model, device)
    main.use_style(args.style)
    sampling.apply({args.model: main}, args.temperature)
    args.varies = main.varies
    args.pace = resolve_pace(args.changes, main) if args.tempo or args.clock else "beat"
    if args.fallback:
        fallback = load(args.fallback, "cpu")
        fallback.use_style(args.style)
        stepper = FallbackStepper(main, fallback, args.budget_ms / 1000, args.seed)
    else:
        stepper = DirectStepper(main, args.seed)
    prepare_process()  # before the first step: torch's thread pool is made at its first use
    stepper.reset()
    stepper.step(BeatFrame.held(60))
    return stepper


def _timing(args: argparse.Namespace) -> Timing:
    if args.clock:
        return ClockBeats(args.beats_per_bar)
    if args.tempo:
        return TempoBeats(args.tempo, args.beats_per_bar, args.count_in * args.beats_per_bar)
    return FollowNotes(args.beats_per_bar)


def _click(args: argparse.Namespace, timing: Timing) -> Click | None:
    """The metronome: every beat on --click's channel, or the count-in alone on the drums."""
    if not isinstance(timing, TempoBeats) or not (args.click or args.count_in):
        return None
    channel = (args.click or DRUM_CHANNEL) - 1
    return Click(timing, channel, args.count_in * args.beats_per_bar, through=args.click is not None)


def _announce(args: argparse.Namespace, inp: InputPort, out: OutputPort) -> None:
    mode = (
        "MIDI clock beats" if args.clock else f"beats at {args.tempo:g} bpm" if args.tempo else "every note"
    )
    fallback = f", {args.fallback} when it misses {args.budget_ms:g} ms" if args.fallback else ""
    pace = "" if args.pace == "beat" else f" (changing on the {args.pace})"
    say(
        f"accompanist live: {args.model} ({args.style}){fallback}; chords on {mode}{pace}, "
        f"channel {args.channel}, {args.voicing}"
    )
    say(f"  in:  {_how(inp, args.in_port, args.virtual, 'keyboard')}")
    say(f"  out: {_how(out, args.out_port, args.virtual, 'synth')}")
    if args.tempo and (args.count_in or args.click):
        bars = f"{args.count_in} bar{'s' if args.count_in > 1 else ''}"
        count = f"count-in {bars}, then play on beat 1; " if args.count_in else ""
        clicks = f"a click on channel {args.click}" if args.click else f"on channel {DRUM_CHANNEL}"
        say(f"  click: {count}{clicks}")


def _how(port: InputPort | OutputPort, query: str | None, virtual: bool, role: str) -> str:
    if not port.virtual:
        return f"{port.name} ({port.api}{'' if query else f', the first {role} found'})"
    why = "" if virtual else f"; no {role} found, connect one to it"
    return f"{port.name} ({port.api} virtual port{why})"


def _session(args: argparse.Namespace, stepper: Stepper, api: str, out: OutputPort) -> int:
    """Run the loop, then open the input listening into it; say ready; wait for keys or a signal."""
    clock = time.perf_counter
    recorder = Recorder(args.tempo or 120.0) if args.record else None
    output = out if recorder is None else RecordingOutput(out, recorder, clock)
    config = LiveConfig(
        args.channel - 1,
        args.voicing,
        args.thru,
        args.panic_cc,
        args.pace,
        args.beats_per_bar,
        variation_cc=args.variation_cc,
        phrase_bars=args.phrase_bars,
    )
    display = ChordDisplay(args.voicing, say)
    timing = _timing(args)
    loop = LiveLoop(stepper, output, timing, config, clock, recorder, display.heard, _click(args, timing))
    inp, watch = None, PortWatch([out])
    try:
        with stop_signals(), keys() as read_key, realtime_thread():
            loop.start(realtime=True)
            virtual = args.virtual and not args.in_port
            inp = open_input(api, args.in_port, virtual, callback=loop.receive, clock=args.clock)
            watch = PortWatch([inp, out])
            _announce(args, inp, out)
            say(f"  ready. Keys: space or p = panic, v = new idea, q = quit. {READY}")
            _wait(loop, read_key, watch, args, display)
    except KeyboardInterrupt:
        pass
    finally:
        with shielded():
            if inp is not None:
                inp.close()
            loop.stop()
            display.show()  # a change the main thread had not looked at yet
            watch.close()
            if recorder is not None:
                recorder.write(args.record, args.force, args.mkdir)
    done = f"{loop.steps} steps, {loop.chords} chords" + (f", {loop.ideas} new ideas" if loop.ideas else "")
    say(f"accompanist live: stopped after {done}; every note released")
    if loop.error is not None:
        raise loop.error
    return 0


def _wait(
    loop: LiveLoop,
    read_key: Callable[[float], str | None],
    watch: PortWatch,
    args: argparse.Namespace,
    display: ChordDisplay,
) -> None:
    """The main thread: keys, the chord sounding, and a check each second that our ports are still there."""
    next_watch = time.monotonic() + WATCH_EVERY
    while loop.running():
        key = read_key(CHECK_EVERY)
        display.show()
        if key in PANIC_KEYS:
            loop.panic()
        elif key in VARY_KEYS:
            loop.vary()
            say(_vary_note(args))
        elif key in QUIT_KEYS:
            return
        if time.monotonic() >= next_watch:
            gone = watch.gone()
            if gone is not None:
                loop.fail(PortError(f"MIDI port {gone!r} went away"))
                return
            next_watch = time.monotonic() + WATCH_EVERY


def _vary_note(args: argparse.Namespace) -> str:
    if not args.varies:
        return f"  v: {args.model} has no other idea (its chords do not depend on the seed)"
    if args.tempo or args.clock:
        return f"  v: a new idea from the next {args.phrase_bars}-bar phrase"
    return f"  v: a new idea from the next note after a rest (at most {args.phrase_bars} bars of notes on)"


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
