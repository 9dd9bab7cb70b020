"""live --tempo's count-in and click, on the fake clock and ports of the loop tests."""

import pytest
from stubs import unmatched
from test_live_loop import feed, make, note

from accompanist.cli import main
from accompanist.live.click import ACCENT, BEAT, LENGTH, Click
from accompanist.live.loop import LiveLoop
from accompanist.live.steppers import DirectStepper
from accompanist.live.timing import TempoBeats

DRUMS = 9


def clicked(count_in=4, through=True, bpm=120):
    tempo = TempoBeats(bpm, 4, count_in)
    loop, out, clock, model = make(timing=tempo)
    click = Click(tempo, DRUMS, count_in, through)
    loop = LiveLoop(DirectStepper(model), out, tempo, loop.config, clock, click=click)
    return loop, out, clock, model


def run_until(loop, clock, end, step=0.01):
    while clock.t < end - 1e-9:
        loop.cycle(block=False)
        clock.t = round(clock.t + step, 6)


def clicks(out):
    return [
        (round(t, 2), m.note)
        for m, t in zip(out.sent, out.times)
        if m.type == "note_on" and m.channel == DRUMS
    ]


def test_a_count_in_clicks_a_bar_then_beat_one_comes_without_waiting_for_a_note():
    loop, out, clock, model = clicked()  # one bar of 4/4 at 120 bpm: beat 0 at 2.0 s
    run_until(loop, clock, 2.3)
    assert clicks(out) == [(0.0, ACCENT), (0.5, BEAT), (1.0, BEAT), (1.5, BEAT), (2.0, ACCENT)]
    assert len(model.frames) == 1  # beat 0 was stepped (a rest: nobody played yet)
    offs = [t for m, t in zip(out.sent, out.times) if m.type == "note_off" and m.channel == DRUMS]
    assert offs[0] == pytest.approx(LENGTH, abs=0.011)


def test_notes_played_after_the_count_in_fall_on_its_beats():
    loop, out, clock, model = clicked()
    run_until(loop, clock, 2.5)
    feed(loop, note(67))  # on beat 1 (2.5 s), not a new beat 0
    assert [f.pitch[0] for f in model.frames][-1] == 67 and len(model.frames) == 2


def test_the_count_in_alone_stops_clicking_at_beat_one():
    loop, out, clock, _ = clicked(through=False)
    run_until(loop, clock, 3.2)
    assert [t for t, _ in clicks(out)] == [0.0, 0.5, 1.0, 1.5]


def test_a_click_without_count_in_starts_on_the_first_note_and_is_released_on_stop():
    loop, out, clock, _ = clicked(count_in=0)
    run_until(loop, clock, 1.0)
    assert clicks(out) == []  # nothing until the player starts
    feed(loop, note(60))
    clock.t = 1.5
    loop.cycle(block=False)
    assert clicks(out) == [(1.0, ACCENT), (1.5, BEAT)]
    loop.notes.panic()
    assert unmatched(out.sent) == set()


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--count-in", "1"], "need --tempo"),
        (["--click", "10"], "need --tempo"),
        (["--tempo", "90", "--count-in", "-1"], "0 to 16 bars"),
        (["--tempo", "90", "--click", "2"], "give it its own"),
    ],
)
def test_count_in_and_click_options_are_checked_in_one_line(options, says, capsys):
    assert main(["live", "--model", "markov", *options]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err
