"""The realtime loop: the port callback only enqueues; one worker steps the model and sends notes.

Shaped like python-rtmidi's ``midifilter`` example. ``receive`` (the input port's callback)
stamps each message with the injected clock and puts it on a queue. The worker drains
everything waiting, handles it in order (melody, pedal, panic, clock), then takes at most one
model step on the latest melody state, so a flood of messages coalesces instead of queueing.
A chord is sent only when the chord changes. A new idea asked for (``vary``: a key, or the
``variation_cc`` controller) is handed to the stepper only at the next phrase boundary
(``accompanist.live.phrases``), never mid-phrase. A sentinel stops the worker; whatever ends it
(stop, an exception in the model, a port gone), its ``finally`` panics, so nothing keeps
sounding. Ports and clock are injected, so tests drive ``cycle`` by hand.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import mido

from accompanist.chords import NO_CHORD
from accompanist.live.click import Click
from accompanist.live.notes import SUSTAIN, Output, SoundingNotes
from accompanist.live.phrases import Phrases
from accompanist.live.realtime import prefer_realtime
from accompanist.live.record import Recorder
from accompanist.live.steppers import Stepper
from accompanist.live.timing import Due, FollowNotes, Timing
from accompanist.melody import BeatFrame
from accompanist.pace import may_change_at
from accompanist.voicing import Voicer

STOP = object()
PANIC = object()
VARY = object()


@dataclass
class LiveConfig:
    """What the player chose: chord channel (0-15), voicing, melody thru, panic controller, the
    pace of chord changes (``accompanist.pace``: on beats of a ``beats_per_bar`` bar where it allows),
    the controller that asks for a new idea, and the bars of a phrase (where a new idea may begin)."""

    channel: int = 1
    voicing: str = "block"
    thru: bool = False
    panic_cc: int | None = None
    pace: str = "beat"
    beats_per_bar: int = 4
    variation_cc: int | None = None
    phrase_bars: int = 4


class HeldMelody:
    """The melody as a monophonic line: the last key pressed that is still down wins."""

    def __init__(self) -> None:
        self._down: dict[int, int] = {}  # pitch -> velocity, in the order pressed
        self.velocity = 64
        self._pressed: int | None = None  # the last pitch pressed since the last step

    def press(self, pitch: int, velocity: int) -> None:
        self._down.pop(pitch, None)
        self._down[pitch] = velocity
        self.velocity, self._pressed = velocity, pitch

    def release(self, pitch: int) -> None:
        self._down.pop(pitch, None)

    def sounding(self) -> bool:
        """Whether any key is down."""
        return bool(self._down)

    def take(self, onset: bool) -> int:
        """The pitch for this step: the note down now, else the note that began it and already ended."""
        pressed, self._pressed = self._pressed, None
        if self._down:
            return next(reversed(self._down))
        return pressed if onset and pressed is not None else -1


class LiveLoop:
    """One live session over an output port, a stepper, and a timing mode."""

    def __init__(
        self,
        stepper: Stepper,
        output: Output,
        timing: Timing | None = None,
        config: LiveConfig | None = None,
        clock: Callable[[], float] = time.perf_counter,
        recorder: Recorder | None = None,
        on_chord: Callable[[int, tuple[int, ...], int], None] | None = None,
        click: Click | None = None,
    ) -> None:
        self.stepper, self.clock, self.recorder = stepper, clock, recorder
        self.on_chord = on_chord  # (chord, pitches, melody pitch) after each change sounds; must not block
        self.click = click  # the metronome of --tempo, if any
        self.timing = timing or FollowNotes()
        self.config = config or LiveConfig()
        self.notes = SoundingNotes(output)
        self.voicer = Voicer(self.config.voicing)
        self.melody = HeldMelody()
        breaths = isinstance(self.timing, FollowNotes)  # no beat grid: phrases end where the player rests
        self.phrases = Phrases(self.config.beats_per_bar, self.config.phrase_bars, breaths)
        self.error: BaseException | None = None
        self.steps = 0
        self.chords = 0  # chords sent
        self.ideas = 0  # new ideas handed to the stepper
        self._asked = False  # a new idea waits for the next phrase boundary
        self._variation_down = False  # the variation controller is held (value >= 64)
        self._chord: int | None = None
        self._pitches: tuple[int, ...] = ()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.reset()

    # ---- any thread --------------------------------------------------------------------
    def receive(self, msg: mido.Message) -> None:
        """The input port's callback: stamp and enqueue, nothing else."""
        self._queue.put((self.clock(), msg))

    def panic(self) -> None:
        """Ask the worker to release everything now (the panic key)."""
        self._queue.put((self.clock(), PANIC))

    def vary(self) -> None:
        """Ask for a new idea (the variation key): the stepper gets it at the next phrase boundary."""
        self._queue.put((self.clock(), VARY))

    def fail(self, error: BaseException) -> None:
        """Stop the worker with ``error`` (a port went away), panicking on the way out."""
        self._queue.put((self.clock(), error))

    # ---- the worker --------------------------------------------------------------------
    def start(self, realtime: bool = False) -> LiveLoop:
        """Start the worker; ``realtime`` asks FIFO scheduling for it where the system allows."""
        self._thread = threading.Thread(
            target=self.run, args=(realtime,), name="accompanist-live", daemon=True
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the worker (it panics on its way out); if it is stuck in the model, silence it from here."""
        self._queue.put((self.clock(), STOP))
        if self._thread is not None:
            self._thread.join(timeout)
        self.notes.close()
        self.stepper.close()

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run(self, realtime: bool = False) -> None:
        """The worker's body: cycle until stopped; panic however it ends."""
        if realtime:
            prefer_realtime()
        try:
            while self.cycle():
                pass
        except BaseException as exc:  # reported by the command after the panic
            self.error = exc
        finally:
            self.notes.panic()

    def cycle(self, block: bool = True) -> bool:
        """Handle all that waits (blocking until something comes or a beat is due); False on stop."""
        for t, msg in self._drain(block):
            if msg is STOP:
                return False
            if isinstance(msg, BaseException):
                raise msg
            self._handle(msg, t)
        if self.click is not None:
            self.click.send(self.notes, self.clock())
        due = self.timing.due(self.clock())
        if due is not None:
            self._step(due)
        return True

    def _drain(self, block: bool) -> list[tuple[float, object]]:
        now = self.clock()
        waits = [self.timing.timeout(now), self.click.timeout(now) if self.click is not None else None]
        timeout = min((w for w in waits if w is not None), default=None)
        try:
            items = [self._queue.get(block=block, timeout=timeout)]
        except queue.Empty:
            return []
        while True:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                return items

    def _handle(self, msg: object, t: float) -> None:
        if msg is PANIC:
            self._panic()
            return
        if msg is VARY:
            self._asked = True
            return
        if self.recorder is not None:
            self.recorder.played(msg, t)
        event = self.timing.message(msg, t)
        if event == "start":
            self._restart()
        elif event == "stop":
            self._sound(NO_CHORD)
        if msg.type == "note_on" and msg.velocity > 0:
            self.phrases.note_on(t)
            self.melody.press(msg.note, msg.velocity)
            self.timing.note_on(t)
        elif msg.type in ("note_on", "note_off"):
            self.melody.release(msg.note)
            if not self.melody.sounding():
                self.phrases.silent(t)
        elif msg.type == "control_change":
            self._control(msg)
            return
        self._thru(msg)

    def _control(self, msg: mido.Message) -> None:
        if msg.control == self.config.panic_cc:
            if msg.value >= 64:
                self._panic()
            return
        if msg.control == self.config.variation_cc:
            pressed = msg.value >= 64
            self._asked = self._asked or (pressed and not self._variation_down)  # a press, not a hold
            self._variation_down = pressed
            return
        if msg.control == SUSTAIN:
            self.notes.pedal(msg.value >= 64)
        self._thru(msg)

    def _thru(self, msg: mido.Message) -> None:
        if not self.config.thru or not hasattr(msg, "channel"):
            return
        if msg.type == "note_on" and msg.velocity > 0:
            self.notes.note_on(msg.channel, msg.note, msg.velocity)
        elif msg.type in ("note_on", "note_off"):
            self.notes.note_off(msg.channel, msg.note)
        else:
            self.notes.forward(msg)

    def _step(self, due: Due) -> None:
        frame = BeatFrame.held(self.melody.take(due.onset), due.bar_pos, onset=due.onset)
        if self.phrases.boundary(due) and self._asked:
            self._asked = False
            self.ideas += 1
            self.stepper.vary()
        chord = self.stepper.step(frame)  # the model hears every beat, even where the chord is held
        self.steps += 1
        if self._chord is not None and not may_change_at(
            due.bar_pos, self.config.beats_per_bar, self.config.pace
        ):
            chord = self._chord
        if chord != self._chord:
            self._sound(chord, frame.pitch[0])
        self.stepper.prepare()  # the answer is out: the next step's work that needs no melody

    def _sound(self, chord: int, melody_pitch: int = -1) -> None:
        """Voice ``chord`` and let it replace the chord sounding (NO_CHORD: silence)."""
        pitches = self.voicer.voice(chord, melody_pitch if melody_pitch >= 0 else None)
        self.notes.change(self.config.channel, self._pitches, pitches, self.melody.velocity)
        self._chord, self._pitches = chord, pitches
        if chord != NO_CHORD:
            self.chords += 1
        if self.on_chord is not None:
            self.on_chord(chord, pitches, melody_pitch)

    def _panic(self) -> None:
        self.notes.panic()
        self._chord, self._pitches = None, ()

    def _restart(self) -> None:
        """MIDI Start: silence, and a new session for the model and the voicer."""
        self._sound(NO_CHORD)
        self.reset()

    def reset(self) -> None:
        self.stepper.reset()
        self.voicer.reset()
        self._chord = None
