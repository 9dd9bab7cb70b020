"""Steppers: a model with a time budget and a fallback that answers when it misses (chord i, 0 = major)."""

import time

import pytest
from stubs import RootStub

from accompanist import chords
from accompanist.live.steppers import DirectStepper, FallbackStepper
from accompanist.melody import BeatFrame


class FifthStub(RootStub):
    """Answers the major triad a fifth above, so its answers are told apart from RootStub's."""

    @staticmethod
    def chord(pitch):
        return chords.NO_CHORD if pitch < 0 else chords.index((pitch + 7) % 12, 0)


def wait_done(stepper):
    for future in list(stepper._pending):
        future.result(2)


def test_direct_stepper_resets_with_its_seed_and_steps():
    model = RootStub()
    stepper = DirectStepper(model, seed=3)
    stepper.reset()
    assert model.resets == 1
    assert stepper.step(BeatFrame.held(62)) == chords.index(2, 0)


def test_a_fast_main_model_answers():
    stepper = FallbackStepper(RootStub(), FifthStub(), budget=1.0)
    assert stepper.step(BeatFrame.held(60)) == chords.index(0, 0)
    assert stepper.missed == 0
    stepper.close()


def test_a_late_main_model_gives_way_to_the_fallback_and_both_hear_every_beat():
    main, fallback = RootStub(delay=0.05), FifthStub()
    stepper = FallbackStepper(main, fallback, budget=0.002)
    stepper.reset()
    answers = [stepper.step(BeatFrame.held(p)) for p in (60, 62)]
    assert answers == [chords.index(7, 0), chords.index(9, 0)]
    assert stepper.missed == 2
    wait_done(stepper)
    assert [f.pitch[0] for f in main.frames] == [60, 62] == [f.pitch[0] for f in fallback.frames]
    assert main.resets == fallback.resets == 1
    stepper.close()


def test_a_main_model_far_behind_skips_beats_instead_of_queueing():
    main = RootStub(delay=0.05)
    stepper = FallbackStepper(main, FifthStub(), budget=0.0, max_backlog=2)
    for pitch in range(60, 70):
        stepper.step(BeatFrame.held(pitch))
    assert len(stepper._pending) <= 2
    stepper.close()


def test_an_exception_in_the_main_model_surfaces():
    stepper = FallbackStepper(RootStub(fail_at=0), FifthStub(), budget=1.0)
    with pytest.raises(RuntimeError, match="broke"):
        stepper.step(BeatFrame.held(60))
    stepper.close()


def test_the_budget_bounds_the_step_time():
    stepper = FallbackStepper(RootStub(delay=0.2), FifthStub(), budget=0.005)
    start = time.perf_counter()
    stepper.step(BeatFrame.held(60))
    assert time.perf_counter() - start < 0.1
    stepper.close()
