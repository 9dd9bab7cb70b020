"""New ideas live: a request (a controller press or the key) reaches the model only at a phrase boundary."""

import mido
import pytest
from stubs import RootStub

from accompanist.harmonizers.base import Harmonizer
from accompanist.live.loop import LiveConfig, LiveLoop
from accompanist.live.phrases import Phrases
from accompanist.live.steppers import DirectStepper, FallbackStepper
from accompanist.live.timing import ClockBeats, Due, TempoBeats
from accompanist.melody import BeatFrame

BEAT = 0.5  # seconds, at 120 bpm
CC = 21


class IdeaStub(RootStub):
    """Records each reset and vary with the number of beats stepped before it."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.events = []

    def reset(self, seed=None):
        super().reset(seed)
        self.events.append(("reset", seed, len(self.frames)))

    def vary(self, seed):
        self.events.append(("vary", seed, len(self.frames)))


class Clock:
    t = 0.0

    def __call__(self):
        return self.t


class Output:
    def send(self, msg):
        pass


def make(timing=None, seed=None, **config):
    clock, model = Clock(), IdeaStub()
    loop = LiveLoop(DirectStepper(model, seed), Output(), timing, LiveConfig(**config), clock)
    return loop, clock, model


def feed(loop, *messages):
    for msg in messages:
        loop.receive(msg)
    loop.cycle(block=False)


def note(pitch):
    return mido.Message("note_on", note=pitch, velocity=90)


def off(pitch):
    return mido.Message("note_off", note=pitch)


def cc(value):
    return mido.Message("control_change", control=CC, value=value)


def varied(model):
    """(seed, beats stepped before) of each vary."""
    return [(seed, at) for kind, seed, at in model.events if kind == "vary"]


def play_beats(loop, clock, beats, asks=None):
    """A note on each beat at 120 bpm; ``asks`` maps a beat to the messages sent mid-way through it."""
    for beat in beats:
        clock.t = beat * BEAT
        feed(loop, note(60 + beat % 12))
        clock.t += BEAT / 2
        feed(loop, off(60 + beat % 12), *(asks or {}).get(beat, ()))


def test_a_press_mid_phrase_reaches_the_model_at_the_next_phrase_never_before():
    loop, clock, model = make(TempoBeats(120), seed=3, variation_cc=CC, phrase_bars=2, beats_per_bar=4)
    play_beats(loop, clock, range(8), asks={2: [cc(127), cc(0)]})  # asked in bar 1 of a 2-bar phrase
    assert varied(model) == []  # the whole phrase played on with the old idea
    play_beats(loop, clock, range(8, 20), asks={9: [cc(100)]})
    assert varied(model) == [(4, 8), (5, 16)]  # at the first beat of bars 3 and 5, the next seeds
    assert loop.ideas == 2 and [kind for kind, *_ in model.events] == ["reset", "vary", "vary"]


def test_holding_the_controller_asks_once_a_press_after_a_release_asks_again():
    loop, clock, model = make(TempoBeats(120), variation_cc=CC, phrase_bars=1)
    asks = {1: [cc(127)], 5: [cc(127), cc(90)], 6: [cc(10)], 9: [cc(64)]}  # held through beat 5
    play_beats(loop, clock, range(12), asks)
    assert varied(model) == [(1, 4)]
    play_beats(loop, clock, range(12, 13))
    assert varied(model) == [(1, 4), (2, 12)]  # the press at beat 9 waited for bar 4


def test_the_variation_key_asks_too_and_a_request_after_the_boundary_beat_waits_for_the_next():
    loop, clock, model = make(TempoBeats(120), phrase_bars=1)
    play_beats(loop, clock, range(4))
    clock.t = 4 * BEAT - 0.2  # before beat 4 is stepped: it is taken there
    loop.vary()
    loop.cycle(block=False)
    play_beats(loop, clock, range(4, 5))
    loop.vary()  # asked on beat 4, after its step: waits for beat 8
    play_beats(loop, clock, range(5, 9))
    assert varied(model) == [(1, 4), (2, 8)]


def tick(loop, n):
    for _ in range(n):
        feed(loop, mido.Message("clock"))


def test_clock_mode_counts_phrases_from_start():
    loop, clock, model = make(ClockBeats(), phrase_bars=1, beats_per_bar=3)
    feed(loop, mido.Message("start"), note(60))
    tick(loop, 24 + 4)  # beats 0 and 1
    loop.vary()
    tick(loop, 24)  # beat 2, mid-bar: nothing yet
    assert len(model.frames) == 3 and varied(model) == []
    tick(loop, 24)  # beat 3: the next bar, a phrase of one bar
    assert varied(model) == [(1, 3)]


def test_following_the_notes_a_rest_of_a_beat_is_a_phrase_boundary_a_short_one_is_not():
    loop, clock, model = make(phrase_bars=4)  # no grid: each note is a step
    for k in range(3):  # legato, a note every 0.5 s
        clock.t = k * BEAT
        feed(loop, off(59 + k), note(60 + k))
    loop.vary()
    clock.t = 1.4
    feed(loop, off(62))  # every key up ...
    clock.t = 1.6
    feed(loop, note(64))  # ... for 0.2 s, under a beat: no boundary
    assert varied(model) == []
    clock.t = 2.0
    feed(loop, off(64))
    clock.t = 2.6
    feed(loop, note(65))  # a rest of 0.6 s, over the player's beat of 0.5 s
    assert varied(model) == [(1, 4)]


def test_following_the_notes_without_a_rest_the_idea_comes_after_a_phrase_of_notes():
    loop, clock, model = make(phrase_bars=2, beats_per_bar=4)
    for k in range(17):
        clock.t = k * BEAT
        feed(loop, off(59 + k), note(60 + k))  # never a rest
        if k == 1:
            loop.vary()
    assert varied(model) == [(1, 8)]


def test_phrases_count_bars_and_breaths():
    phrases = Phrases(beats_per_bar=4, phrase_bars=2)
    assert [b for b in range(20) if phrases.boundary(Due(b, b % 4, True))] == [0, 8, 16]
    breaths = Phrases(beats_per_bar=4, phrase_bars=2, breaths=True)
    for t in (0.0, 1.0, 2.0):
        breaths.note_on(t)
    breaths.silent(2.5)
    breaths.note_on(3.6)  # 1.1 s of silence, the beat is 1 s
    assert breaths.boundary(Due(3, 3, True)) and not breaths.boundary(Due(4, 0, True))


def test_the_steppers_hand_on_the_next_seed_and_keep_it_on_reset():
    model = IdeaStub()
    stepper = DirectStepper(model, seed=None)
    stepper.vary()
    stepper.vary()
    stepper.reset()  # a MIDI Start keeps the idea chosen
    assert model.events == [("vary", 1, 0), ("vary", 2, 0), ("reset", 2, 0)]
    main, fallback = IdeaStub(delay=0.05), IdeaStub()
    both = FallbackStepper(main, fallback, budget=1.0, seed=7)
    both.step(BeatFrame.held(60))
    both.vary()
    both.step(BeatFrame.held(62))
    for future in list(both._pending):
        future.result(2)
    both.close()
    assert main.events == [("vary", 8, 1)] and fallback.events == [("vary", 8, 1)]


def test_vary_is_a_no_op_hook_that_a_family_overrides():
    assert not RootStub().varies and IdeaStub().varies
    assert Harmonizer.vary(RootStub(), 5) is None


@pytest.mark.parametrize("wrong", [20, 64])
def test_the_variation_controller_may_not_be_the_panic_controller_or_the_pedal(wrong, capsys):
    from accompanist.cli import main

    assert main(["live", "--panic-cc", "20", "--variation-cc", str(wrong), "--model", "markov"]) == 2
    assert "--variation-cc" in capsys.readouterr().err
