"""``listen``: the live loop of ``accompanist live`` in the background while the prompt stays usable.

The loop (``accompanist.live.loop.LiveLoop``) runs on its own worker thread, on a copy of the
session's model, so that harmonizing at the prompt and playing live do not share a streaming
state. Each chord change is logged through a callback; under prompt_toolkit's ``patch_stdout``
a ``print`` from the worker appears above the prompt.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from accompanist.chord_symbols import KeyTracker, symbol
from accompanist.harmonizers.base import Harmonizer
from accompanist.live.backends import default_api
from accompanist.live.loop import LiveConfig, LiveLoop
from accompanist.live.ports import InputPort, OutputPort, open_input, open_output
from accompanist.live.steppers import DirectStepper, Stepper
from accompanist.live.timing import FollowNotes, TempoBeats
from accompanist.melody import BeatFrame
from accompanist.repl.parse import note_name

CHORD_CHANNEL = 1  # channel 2 as musicians count, as `accompanist live` uses


class ChordLog:
    """A stepper that reports each chord change (the melody note and the chord symbol, spelled for
    the key played so far) to ``log``."""

    def __init__(self, stepper: Stepper, log: Callable[[str], None]) -> None:
        self.stepper, self.log = stepper, log
        self._last: int | None = None
        self._key = KeyTracker()

    def reset(self) -> None:
        self._last = None
        self.stepper.reset()

    def step(self, frame: BeatFrame) -> int:
        chord = self.stepper.step(frame)
        if chord != self._last:
            key = self._key.add(chord, frame.pitch[0])
            self.log(f"live  {note_name(frame.pitch[0]):>4}  {symbol(chord, key)}")
            self._last = chord
        return chord

    def prepare(self) -> None:
        self.stepper.prepare()

    def vary(self) -> None:
        self.stepper.vary()

    def close(self) -> None:
        self.stepper.close()


class Listener:
    """A live session over open ports; ``stop`` releases every note and closes the ports."""

    def __init__(
        self,
        model: Harmonizer,
        inp: InputPort,
        out: OutputPort,
        log: Callable[[str], None],
        *,
        seed: int | None = None,
        voicing: str = "block",
        style: str = "folk",
        pace: str = "beat",
        beats_per_bar: int = 4,
        tempo: float | None = None,
    ) -> None:
        self.inp, self.out = inp, out
        timing = TempoBeats(tempo, beats_per_bar) if tempo else FollowNotes(beats_per_bar)
        model = copy.deepcopy(model)
        model.use_style(style)
        stepper = ChordLog(DirectStepper(model, seed), log)
        config = LiveConfig(CHORD_CHANNEL, voicing, pace=pace, beats_per_bar=beats_per_bar)
        self.loop = LiveLoop(stepper, out, timing, config)

    def start(self) -> Listener:
        self.loop.start()
        self.inp.set_callback(self.loop.receive)
        return self

    def running(self) -> bool:
        return self.loop.running()

    def describe(self) -> str:
        state = "listening" if self.running() else f"stopped ({self.loop.error or 'no error'})"
        return f"{state}: in {self.inp.name}, out {self.out.name}"

    def stop(self) -> str:
        """Stop the loop (it releases every note), close the ports, and say how it went."""
        try:
            self.inp.cancel_callback()
            self.loop.stop()
        finally:
            self.inp.close()
            self.out.close()
        error = f"; it stopped on an error: {self.loop.error}" if self.loop.error else ""
        return f"stopped listening after {self.loop.steps} steps, {self.loop.chords} chords{error}"


def open_listener(
    model: Harmonizer,
    log: Callable[[str], None],
    *,
    in_port: str | None = None,
    out_port: str | None = None,
    virtual: bool = False,
    api: str | None = None,
    **options,
) -> Listener:
    """Open the ports (as ``accompanist live`` chooses them) and start listening."""
    api = api or default_api()
    inp = open_input(api, in_port, virtual)
    try:
        out = open_output(api, out_port, virtual)
    except BaseException:
        inp.close()
        raise
    try:
        return Listener(model, inp, out, log, **options).start()
    except BaseException:
        inp.close()
        out.close()
        raise
