"""Test doubles shared by the test modules: a stub harmonizer and checks on sent MIDI."""

import time
from dataclasses import dataclass

import numpy as np

from accompanist import chords
from accompanist.harmonizers.base import Harmonizer
from accompanist.live.notes import ALL_NOTES_OFF


class RootStub(Harmonizer):
    """Answers the major triad on each beat's first sounding pitch class; N where the beat rests.

    It records the frames it stepped and its resets, and can fail at a given step or be slow,
    for the live loop's tests. Subclasses change ``family`` to register under their own name.
    """

    family = "rootstub"

    def __init__(self, fail_at=None, delay=0.0):
        self.frames, self.resets, self.fail_at, self.delay = [], 0, fail_at, delay

    @classmethod
    def untrained(cls):
        return cls()

    @staticmethod
    def chord(pitch):
        return chords.NO_CHORD if pitch < 0 else chords.index(pitch % 12, 0)

    def _index(self, frame):
        return self.chord(next((p for p in frame.pitch if p >= 0), -1))

    def probabilities(self, melody, *, causal=False, seed=None):
        probs = np.full((melody.n_beats, chords.VOCAB_SIZE), 0.1 / (chords.VOCAB_SIZE - 1))
        probs[np.arange(melody.n_beats), [self._index(f) for f in melody.frames()]] = 0.9
        return probs

    def reset(self, seed=None):
        self.resets += 1

    def step_index(self, frame):
        if len(self.frames) == self.fail_at:
            raise RuntimeError("the model broke")
        time.sleep(self.delay)
        self.frames.append(frame)
        return self._index(frame)

    def state(self):
        return {}

    @classmethod
    def from_state(cls, state, device="cpu"):
        return cls()


@dataclass
class SamplerConfig:
    temperature: float = 1.0


class SamplerStub(RootStub):
    """A model that samples: the minor chord on each beat's first step's pitch at temperature 0
    (C minor where it rests), a seeded random chord otherwise. Subclasses set ``family``."""

    family = "samplerstub"

    def __init__(self):
        super().__init__()
        self.config = SamplerConfig()

    def use_temperature(self, temperature):
        self.config.temperature = temperature
        return True

    def predict(self, melody, *, causal=False, seed=None):
        if self.config.temperature == 0:
            return np.array([chords.index(max(f.pitch[0], 0) % 12, 1) for f in melody.frames()])
        return np.random.default_rng(seed).integers(1, chords.VOCAB_SIZE, melody.n_beats)


def unmatched(sent):
    """(channel, pitch) of note-ons not yet followed by a note-off; fails on a double note-on."""
    sounding = set()
    for msg in sent:
        key = (getattr(msg, "channel", None), getattr(msg, "note", None))
        if msg.type == "note_on" and msg.velocity > 0:
            assert key not in sounding, f"note-on twice without a note-off: {key}"
            sounding.add(key)
        elif msg.type in ("note_on", "note_off"):
            sounding.discard(key)
    return sounding


def all_notes_off(sent):
    """Channels that got All Notes Off (CC123)."""
    return {m.channel for m in sent if m.type == "control_change" and m.control == ALL_NOTES_OFF}


class SlowStub(RootStub):
    """A RootStub that takes ``load_seconds`` to load (``--model slowstub``); notes it in ``events``."""

    family = "slowstub"
    load_seconds = 1.0
    events: list = []

    @classmethod
    def untrained(cls):
        time.sleep(cls.load_seconds)
        cls.events.append("model loaded")
        return cls()
