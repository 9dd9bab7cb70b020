"""`accompanist live`: answer a melody played on a MIDI keyboard with voiced chords, as it is played.

Its options and their checks are in ``accompanist.commands.live_options``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from accompanist.commands import sampling
from accompanist.commands.live_options import DRUM_CHANNEL, add_options, check_options
from accompanist.devices import resolve_device
from accompanist.errors import PortError
from accompanist.live.backends import check_ports, default_api
from accompanist.live.click import Click
from accompanist.live.display import CHECK_EVERY, ChordDisplay
from accompanist.live.loop import LiveConfig, LiveLoop
from accompanist.live.ports import InputPort, OutputPort, PortWatch, open_input, open_output
from accompanist.live.realtime import prepare_process, realtime_thread
from accompanist.live.record import Recorder, RecordingOutput
from accompanist.live.steppers import DirectStepper, FallbackStepper, Stepper
from accompanist.live.terminal import PANIC_KEYS, QUIT_KEYS, READY, VARY_KEYS, keys, shielded, stop_signals
from accompanist.live.timing import ClockBeats, FollowNotes, TempoBeats, Timing
from accompanist.melody import BeatFrame
from accompanist.pace import resolve as resolve_pace

WATCH_EVERY = 1.0  # seconds between checks that the ports we connected to still exist


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "live",
        help="answer a MIDI keyboard with chords, live",
        description="Listen to a melody on a MIDI input and answer with voiced chords on a MIDI output. "
        "With no port options: the first keyboard in, the first synth out, else virtual ports.",
    )
    add_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Ports open only once the model is loaded, so that a note played into them is answered."""
    check_options(args)
    api = args.api or default_api()
    check_ports(api, args.in_port, args.out_port)  # a wrong port name fails before the model loads
    stepper = _stepper(args)
    out = open_output(api, args.out_port, args.virtual and not args.out_port)
    try:
        return _session(args, stepper, api, out)
    finally:
        out.close()


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
        return (
            f"  v: {args.model} has no other idea (its chords do not depend on the seed; the gan's "
            "seed picks a code per phrase)"
        )
    if args.tempo or args.clock:
        return f"  v: a new idea from the next {args.phrase_bars}-bar phrase"
    return f"  v: a new idea from the next note after a rest (at most {args.phrase_bars} bars of notes on)"


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
