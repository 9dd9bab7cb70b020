"""When a chord is due: on each note, on tempo beats with a grace window, on MIDI clock beats."""

import mido
import pytest

from accompanist.live.timing import GRACE, BeatGrid, ClockBeats, Due, FollowNotes, TempoBeats


def test_follow_notes_steps_once_per_burst_of_note_ons():
    timing = FollowNotes(beats_per_bar=3)
    assert timing.due(0.0) is None
    for _ in range(5):
        timing.note_on(0.0)
    assert timing.due(0.0) == Due(0, 0, True)
    assert timing.due(0.0) is None
    timing.note_on(1.0)
    timing.note_on(2.0)
    timing.note_on(3.0)
    assert timing.due(3.0) == Due(1, 1, True)
    assert timing.timeout(0.0) is None


@pytest.mark.parametrize(
    ("onset", "pos", "expected"),
    [
        (None, 0.99, None),  # before the beat
        (None, 1.0, None),  # on the beat, no note yet: wait for a late one
        (None, 1 + GRACE, Due(1, 1, False)),  # no note came: the held note
        (1 - GRACE, 1.0, Due(1, 1, True)),  # an early note: step right on the beat
        (0.5, 1 + GRACE, Due(1, 1, False)),  # a mid-beat note is not the beat's onset
        (1.05, 1.05, Due(1, 1, True)),  # a late note: step as it comes
        (None, 3.5, Due(3, 3, False)),  # after a stall: the current beat, not the missed ones
    ],
)
def test_beat_grid_grace_rule(onset, pos, expected):
    grid = BeatGrid(beats_per_bar=4)
    grid.restart(1)
    if onset is not None:
        grid.onset(onset)
    assert grid.due(pos) == expected


def test_tempo_beats_start_on_the_first_note_and_wake_the_worker_on_time():
    timing = TempoBeats(bpm=120)  # half a second a beat
    assert timing.due(5.0) is None and timing.timeout(5.0) is None
    timing.note_on(10.0)
    assert timing.due(10.0) == Due(0, 0, True)
    assert timing.timeout(10.2) == pytest.approx(0.3)
    assert timing.due(10.5) is None
    assert timing.timeout(10.5) == pytest.approx(GRACE * 0.5)
    assert timing.due(10.5 + GRACE * 0.5) == Due(1, 1, False)


def clock_messages(timing, kind, n=1):
    events = [timing.message(mido.Message(kind), 0.0) for _ in range(n)]
    return [e for e in events if e is not None]


def test_clock_beats_count_24_clocks_a_beat_from_start():
    timing = ClockBeats()
    timing.note_on(0.0)
    clock_messages(timing, "clock", 30)
    assert timing.due(0.0) is None  # not started
    assert clock_messages(timing, "start") == ["start"]
    timing.note_on(0.0)  # with Start, before the first clock
    clock_messages(timing, "clock")
    assert timing.due(0.0) == Due(0, 0, True)
    clock_messages(timing, "clock", 23)
    assert timing.due(0.0) is None
    clock_messages(timing, "clock", 4)  # tick 27: the grace of beat 1 is over, and no note came
    assert timing.due(0.0) == Due(1, 1, False)


def test_clock_beats_stop_pause_and_continue_resumes():
    timing = ClockBeats()
    clock_messages(timing, "start")
    clock_messages(timing, "clock", 13)
    assert timing.due(0.0) == Due(0, 0, False)
    assert clock_messages(timing, "stop") == ["stop"]
    clock_messages(timing, "clock", 100)  # ignored while stopped
    assert timing.due(0.0) is None
    clock_messages(timing, "continue")
    clock_messages(timing, "clock", 11)  # tick 23
    timing.note_on(0.0)
    assert timing.due(0.0) is None
    clock_messages(timing, "clock")  # tick 24: beat 1 with its early note
    assert timing.due(0.0) == Due(1, 1, True)


def test_song_position_moves_the_next_beat():
    timing = ClockBeats()
    clock_messages(timing, "start")
    timing.message(mido.Message("songpos", pos=16), 0.0)  # bar 2, beat 0 in 16ths
    timing.note_on(0.0)
    clock_messages(timing, "clock")
    assert timing.due(0.0) == Due(4, 0, True)
