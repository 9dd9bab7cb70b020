"""Live's terminal line per chord change: symbols in the key of what was played, no flood."""

from stubs import RootStub
from test_live_loop import feed, make, note, off

from accompanist import chords
from accompanist.live.display import ChordDisplay
from accompanist.live.loop import LiveLoop
from accompanist.live.steppers import DirectStepper


def watched(voicing="block"):
    loop, out, clock, model = make(voicing=voicing)
    lines = []
    display = ChordDisplay(voicing, lines.append)
    loop = LiveLoop(DirectStepper(RootStub()), out, config=loop.config, clock=clock, on_chord=display.heard)
    return loop, display, lines


def test_each_chord_change_is_one_line_with_its_symbol():
    loop, display, lines = watched()
    feed(loop, note(64))
    assert display.show() == "E" and lines == ["  chord E"]
    feed(loop, off(64), note(76))  # E again: no change, nothing sent, no line
    assert display.show() is None
    feed(loop, off(76), note(69))
    display.show()
    assert lines == ["  chord E", "  chord A"]


def test_a_burst_of_changes_between_two_looks_is_one_line_for_the_chord_sounding_now():
    loop, display, lines = watched()
    for pitch in (64, 69, 71, 64, 69):
        feed(loop, note(pitch), off(pitch))
    display.show()
    assert lines == ["  chord A"]


def test_the_symbols_are_spelled_for_the_key_played_so_far_and_name_the_bass():
    _, display, lines = watched(voicing="satb")
    for chord, pitch in [("E:maj", 68), ("A:maj", 69), ("B:7", 71), ("E:maj", 64)]:
        display.heard(chords.from_label(chord), (), pitch)
        display.show()
    display.heard(chords.from_label("Ab:dim"), (56, 62, 65), 69)  # in E major: G#dim
    display.show()
    display.heard(chords.from_label("E:maj"), (56, 64, 71), 68)  # a bass voice on the third
    display.show()
    assert lines[-2:] == ["  chord G#dim", "  chord E/G#"]
