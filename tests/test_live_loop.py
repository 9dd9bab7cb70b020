"""The live loop with fake ports, a fake clock and a stub model: chords, timing modes, no stuck notes."""

import time

import mido
import pytest
from stubs import RootStub, all_notes_off, unmatched

from accompanist.errors import PortError
from accompanist.live.loop import LiveConfig, LiveLoop
from accompanist.live.steppers import DirectStepper
from accompanist.live.timing import ClockBeats, TempoBeats


class FakeClock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


class StampedOutput:
    """A fake port that remembers when (by the fake clock) each message was sent."""

    def __init__(self, clock):
        self.clock, self.sent, self.times = clock, [], []

    def send(self, msg):
        self.sent.append(msg)
        self.times.append(self.clock())


def note(pitch, velocity=90, channel=0):
    return mido.Message("note_on", channel=channel, note=pitch, velocity=velocity)


def off(pitch, channel=0):
    return mido.Message("note_off", channel=channel, note=pitch)


def make(timing=None, model=None, **config):
    clock = FakeClock()
    out = StampedOutput(clock)
    model = model or RootStub()
    loop = LiveLoop(DirectStepper(model), out, timing, LiveConfig(**config), clock)
    return loop, out, clock, model


def feed(loop, *messages):
    for msg in messages:
        loop.receive(msg)
    loop.cycle(block=False)


def chord_roots(out, channel=1):
    """Lowest pitch class of each chord struck, in order (block voicing doubles the root low)."""
    roots, batch, last = [], [], None
    for msg, t in zip(out.sent, out.times):
        if msg.type == "note_on" and msg.velocity and msg.channel == channel:
            if t != last and batch:
                roots.append(batch)
                batch = []
            batch.append(msg.note)
            last = t
    return [b for b in roots + [batch] if b]


def test_each_note_steps_the_model_and_a_chord_sounds_only_when_it_changes():
    loop, out, clock, model = make()
    feed(loop, note(60))
    feed(loop, off(60), note(72))  # C again: same chord, nothing sent
    n_sent = len(out.sent)
    feed(loop, off(72), note(65))
    assert [f.pitch[0] for f in model.frames] == [60, 72, 65]
    assert [f.bar_pos for f in model.frames] == [0, 1, 2]
    assert all(f.onset[0] for f in model.frames)
    new = [m for m in out.sent[n_sent:] if m.type == "note_on"]
    assert new and all(m.channel == 1 and m.velocity == 90 for m in new)
    assert loop.steps == 3 and loop.chords == 2


def test_chords_sit_under_the_melody_with_the_players_velocity():
    loop, out, clock, _ = make(voicing="satb")
    feed(loop, note(67, velocity=55))
    struck = [m for m in out.sent if m.type == "note_on"]
    assert len(struck) == 3 and all(m.note < 67 and m.velocity == 55 for m in struck)


def test_a_flood_coalesces_into_one_step_on_the_latest_note():
    loop, out, clock, model = make()
    for i in range(500):
        loop.receive(mido.Message("aftertouch", value=i % 128))
        loop.receive(mido.Message("pitchwheel", pitch=i))
    for pitch in (60, 62, 64, 65, 67):
        loop.receive(note(pitch))
    loop.cycle(block=False)
    assert [f.pitch[0] for f in model.frames] == [67]
    assert loop.cycle(block=False) and len(model.frames) == 1  # the queue is empty


def test_every_note_on_gets_its_note_off_when_the_loop_stops():
    loop, out, clock, _ = make(thru=True)
    loop.start()
    for pitch in (60, 65, 67, 69):
        loop.receive(note(pitch))
    loop.receive(note(72))  # still held at the stop
    deadline = time.monotonic() + 2
    while loop.steps < 1 and time.monotonic() < deadline:
        time.sleep(0.005)
    loop.stop()
    assert not loop.running() and loop.error is None
    assert unmatched(out.sent) == set()
    assert all_notes_off(out.sent) == {0, 1}


def test_an_exception_in_the_model_stops_the_loop_and_releases_everything():
    loop, out, clock, model = make(model=RootStub(fail_at=2))
    loop.start()
    for pitch in (60, 65, 67, 69):
        loop.receive(note(pitch))
        time.sleep(0.01)
    loop._thread.join(2)
    assert isinstance(loop.error, RuntimeError)
    assert any(m.type == "note_on" for m in out.sent)
    assert unmatched(out.sent) == set()
    assert all_notes_off(out.sent) == {1}


def test_a_port_gone_stops_the_loop_with_a_port_error_and_a_panic():
    loop, out, clock, _ = make()
    loop.start()
    loop.receive(note(60))
    loop.fail(PortError("MIDI port 'synth' went away"))
    loop._thread.join(2)
    assert isinstance(loop.error, PortError)
    assert unmatched(out.sent) == set()


def test_a_model_stuck_at_the_stop_is_silenced_from_the_stopping_thread():
    loop, out, clock, model = make(model=RootStub(delay=0.3))
    model.delay = 0.0
    loop.start()
    loop.receive(note(60))
    time.sleep(0.05)
    model.delay = 0.3
    loop.receive(note(65))
    time.sleep(0.05)
    loop.stop(timeout=0.01)  # the worker is still in the model
    time.sleep(0.4)  # it comes back and would strike F major
    assert unmatched(out.sent) == set()


def test_panic_cc_releases_everything_and_the_next_note_sounds_again():
    loop, out, clock, _ = make(panic_cc=20)
    feed(loop, note(60))
    feed(loop, mido.Message("control_change", control=20, value=127))
    assert unmatched(out.sent) == set()
    n_sent = len(out.sent)
    feed(loop, note(72))  # the same chord as before the panic
    assert any(m.type == "note_on" for m in out.sent[n_sent:])


def test_the_panic_key_releases_everything():
    loop, out, clock, _ = make(thru=True)
    feed(loop, note(60))
    loop.panic()
    loop.cycle(block=False)
    assert unmatched(out.sent) == set()


def test_sustain_pedal_holds_the_old_chord_until_it_is_lifted():
    loop, out, clock, _ = make()
    feed(loop, note(60))
    c_major = unmatched(out.sent)
    feed(loop, mido.Message("control_change", control=64, value=127), off(60), note(65))
    assert c_major <= unmatched(out.sent)
    feed(loop, mido.Message("control_change", control=64, value=0))
    sounding = unmatched(out.sent)
    assert all(pitch % 12 in (5, 9, 0) for _, pitch in sounding)  # F major only


def test_thru_passes_the_melody_on_its_own_channel():
    loop, out, clock, _ = make(thru=True)
    feed(loop, note(64, channel=3), mido.Message("pitchwheel", channel=3, pitch=100))
    assert (out.sent[0].type, out.sent[0].channel, out.sent[0].note) == ("note_on", 3, 64)
    assert any(m.type == "pitchwheel" for m in out.sent)
    feed(loop, off(64, channel=3))
    assert (3, 64) not in unmatched(out.sent)


def test_tempo_mode_changes_chords_on_beats():
    loop, out, clock, model = make(timing=TempoBeats(bpm=120))  # a beat every 0.5 s
    feed(loop, note(60))  # t=0: beat 0, C
    clock.t = 0.2
    feed(loop, off(60), note(65))  # mid-beat: no step, no chord
    assert len(model.frames) == 1
    assert loop.timing.timeout(clock()) == pytest.approx(0.3)
    clock.t = 0.5
    loop.cycle(block=False)  # beat 1: wait for a late note
    clock.t = 0.5625
    loop.cycle(block=False)  # none came: the held F
    clock.t = 0.98
    feed(loop, off(65), note(67))  # early for beat 2
    clock.t = 1.0
    loop.cycle(block=False)
    clock.t = 1.53
    feed(loop, off(67), note(69))  # late for beat 3
    assert [(f.pitch[0], f.onset[0]) for f in model.frames] == [
        (60, True),
        (65, False),
        (67, True),
        (69, True),
    ]
    strikes = sorted({t for m, t in zip(out.sent, out.times) if m.type == "note_on"})
    assert strikes == [0.0, 0.5625, 1.0, 1.53]


def test_at_half_bar_pace_chords_change_only_on_beats_one_and_three_but_the_model_hears_every_beat():
    loop, out, clock, model = make(timing=TempoBeats(bpm=120), pace="half", beats_per_bar=4)
    for beat, pitch in enumerate([60, 62, 64, 65, 67, 69]):  # a new note, a new root, every beat
        clock.t = beat * 0.5
        feed(loop, note(pitch))
        clock.t += 0.1
        feed(loop, off(pitch))
    assert [f.pitch[0] for f in model.frames] == [60, 62, 64, 65, 67, 69]
    strikes = sorted({t for m, t in zip(out.sent, out.times) if m.type == "note_on"})
    assert strikes == [0.0, 1.0, 2.0]  # beats 0, 2 and 4 of the bar: C, E, G
    sounded = [
        {m.note % 12 for m, t in zip(out.sent, out.times) if m.type == "note_on" and m.velocity and t == at}
        for at in strikes
    ]
    triads = [{0, 4, 7}, {4, 8, 11}, {7, 11, 2}]  # C, E and G major (a common tone is held, not struck)
    for struck, triad, third in zip(sounded, triads, (4, 8, 11)):
        assert struck <= triad and third in struck


def test_clock_mode_follows_start_stop_and_continue():
    loop, out, clock, model = make(timing=ClockBeats())
    feed(loop, note(60), *[mido.Message("clock")] * 48)
    assert model.frames == []  # no Start yet
    resets = model.resets
    feed(loop, mido.Message("start"), *[mido.Message("clock")] * 3)  # the grace of beat 0: a late note?
    assert model.resets == resets + 1 and model.frames == []
    feed(loop, mido.Message("clock"))  # tick 3: beat 0 with the C held since before Start
    assert [(f.pitch[0], f.onset[0]) for f in model.frames] == [(60, False)]
    assert unmatched(out.sent)
    feed(loop, *[mido.Message("clock")] * 20, off(60), note(65))
    feed(loop, mido.Message("clock"))  # tick 24: beat 1, F
    assert [f.pitch[0] for f in model.frames] == [60, 65]
    feed(loop, mido.Message("stop"))
    assert unmatched(out.sent) == set()  # Stop silences the chord
    feed(loop, *[mido.Message("clock")] * 48, off(65), note(67))
    assert len(model.frames) == 2
    feed(loop, mido.Message("continue"), *[mido.Message("clock")] * 27)  # tick 51: beat 2, the G held
    assert [f.pitch[0] for f in model.frames] == [60, 65, 67]
    assert [f.bar_pos for f in model.frames] == [0, 1, 2]
    assert unmatched(out.sent)
