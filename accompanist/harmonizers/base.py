"""The one Harmonizer interface that every model family implements.

Offline: ``harmonize(melody)`` gives one Harte label per beat, and may look at the whole
melody. Causal: ``harmonize(melody, causal=True)`` gives, for each beat, the label a live
session would give having heard only the melody up to and including that beat; it must
agree with ``reset()`` followed by one ``step(frame)`` per beat.

Style: ``use_style("chorale" | "folk")`` asks for a harmonic idiom before harmonizing;
``styles`` lists the idioms the model learned (a family without a style input ignores the
request). ``predict_spans`` gives chords that change only at the beats a pace allows
(``accompanist.pace``).

Seeds and temperature: a generative family gives other chords for another ``seed``;
``vary(seed)`` asks a live session for a new idea without forgetting the melody heard so far
(the live loop calls it only at a phrase boundary); ``use_temperature(t)`` sets the temperature
of a family that samples its chords. Families that do neither keep the defaults: ``vary`` does
nothing and ``use_temperature`` answers False.

Latency: ``prepare()`` does ahead, between beats, what the next step can do before it hears the
beat; the live loop calls it after each answer.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from accompanist import chords
from accompanist.melody import BeatFrame, Melody


class Harmonizer(ABC):
    """A trained model family instance. Subclasses set ``family`` and implement the abstract methods."""

    family: ClassVar[str]
    styles: tuple[str, ...] = ()  # the idioms learned; empty: the family has no style input
    style: str = "folk"
    # Whether ``predict`` gives the most probable chord of each beat of ``probabilities`` (with
    # the same arguments), as the default does, so a caller holding those probabilities can take
    # their argmax instead of predicting again (``evaluate``). A family whose ``predict`` decodes
    # otherwise (markov's Viterbi) or samples (the gan) has it False; a subclass that overrides
    # ``predict`` without setting it is taken to be such a family.
    predict_is_argmax: ClassVar[bool] = True
    # Whether ``to(device)`` moves torch weights, so the model may run on a GPU (``bench`` times it
    # on each device); a subclass that overrides ``to`` without setting it is taken to move.
    movable: ClassVar[bool] = False
    # Whether ``vary`` gives another idea (a generative family); a subclass that overrides ``vary``
    # without setting it is taken to vary.
    varies: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for method, flag, value in (
            ("predict", "predict_is_argmax", False),
            ("to", "movable", True),
            ("vary", "varies", True),
        ):
            if method in cls.__dict__ and flag not in cls.__dict__:
                setattr(cls, flag, value)

    @property
    def meta(self) -> dict[str, Any]:
        """What training measured (data, split, seconds, validation figures), saved with the
        checkpoint and read back with it; empty for a model that was not trained here."""
        return self.__dict__.setdefault("_meta", {})

    @meta.setter
    def meta(self, value: dict[str, Any]) -> None:
        self.__dict__["_meta"] = dict(value)

    def use_style(self, style: str) -> None:
        """Harmonize in this idiom from now on (a model that did not learn it uses its nearest)."""
        self.style = style

    def use_temperature(self, temperature: float) -> bool:
        """Draw chords at ``temperature`` from now on (0: always the likeliest); False, changing
        nothing, for a family that does not sample (the default)."""
        return False

    # ---- offline -----------------------------------------------------------------------
    @abstractmethod
    def probabilities(self, melody: Melody, *, causal: bool = False, seed: int | None = None) -> np.ndarray:
        """(n_beats, VOCAB_SIZE) chord probabilities per beat (rows sum to 1)."""

    def predict(self, melody: Melody, *, causal: bool = False, seed: int | None = None) -> np.ndarray:
        """Chord indices per beat; the default takes the most probable chord of each beat."""
        return self.probabilities(melody, causal=causal, seed=seed).argmax(axis=1)

    def predict_spans(
        self, melody: Melody, may_change: np.ndarray, *, causal: bool = False, seed: int | None = None
    ) -> np.ndarray:
        """Chord indices that change only where ``may_change`` is True. Offline the chords of the
        spans are chosen jointly (Viterbi over the beats' probabilities); causal holds the chord
        chosen at each change point, as live play does."""
        from accompanist import pace

        if causal:
            return pace.hold(self.predict(melody, causal=True, seed=seed), may_change)
        return pace.decode_spans(self.probabilities(melody, seed=seed), may_change)

    def harmonize(self, melody: Melody, *, causal: bool = False, seed: int | None = None) -> list[str]:
        """One Harte chord label per beat."""
        return [chords.to_label(int(i)) for i in self.predict(melody, causal=causal, seed=seed)]

    # ---- live --------------------------------------------------------------------------
    @abstractmethod
    def reset(self, seed: int | None = None) -> None:
        """Start a new streaming session."""

    @abstractmethod
    def step_index(self, frame: BeatFrame) -> int:
        """Advance the session by one beat of melody; return the chord index for that beat."""

    def vary(self, seed: int) -> None:
        """Take the idea (the latent code) of ``seed`` from the next step on, keeping what the session
        heard so far; unlike ``reset(seed)`` the recurrent state is not cleared. The live loop calls
        it only at a phrase boundary. The default does nothing: a family whose chords do not depend
        on the seed has no other idea to give."""
        return None

    def step_probabilities(self, frame: BeatFrame) -> np.ndarray | None:
        """Advance by one beat like ``step_index``; return (VOCAB_SIZE,) P(chord | melody so far), or
        None where the family gives no per-step probabilities (then it was not advanced, and the
        ensemble runs ``probabilities(melody so far, causal=True)`` instead, costing more each beat)."""
        return None

    def prepare(self) -> None:
        """Do now the part of the next step that the next beat's melody does not change (the
        recurrent products of a network), so that the step answers sooner. The live loop calls it
        once it has answered a beat, while it waits for the next; a step that was not prepared
        does the work itself, so calling it is never needed for the same chords. The default
        does nothing."""
        return None

    def step(self, frame: BeatFrame) -> str:
        """Advance the session by one beat; return its Harte chord label."""
        return chords.to_label(self.step_index(frame))

    # ---- persistence -------------------------------------------------------------------
    @abstractmethod
    def state(self) -> dict[str, Any]:
        """Config and weights as plain values and tensors, for the checkpoint."""

    @classmethod
    @abstractmethod
    def from_state(cls, state: dict[str, Any], device: str = "cpu") -> Harmonizer:
        """Rebuild from ``state()``'s output."""

    @classmethod
    def fit(
        cls,
        train: list,
        valid: list,
        *,
        options: dict[str, str],
        device: str = "cpu",
        seed: int = 0,
        progress: bool = True,
    ) -> Harmonizer:
        """Train on ``train`` Pieces (``valid`` for early stopping); ``options`` are --set key=value."""
        raise NotImplementedError(f"the {cls.family} family cannot be trained by Accompanist")

    @classmethod
    def default_checkpoint(cls) -> str | Path | None:
        """Where ``harmonizers.load(family name)`` finds this family's checkpoint; None (the default):
        the registry's ``models/<family>.pt``."""
        return None

    @classmethod
    def untrained(cls) -> Harmonizer | None:
        """The model ``harmonizers.load(family name)`` gives when that checkpoint file is missing (the
        ensemble: its default members' shipped checkpoints); None (the default): no fallback, the
        missing file is an error."""
        return None

    def extra_metrics(self, pieces: list, *, causal: bool = False, changes: str = "auto") -> dict[str, float]:
        """A family's own figures on evaluation pieces at the pace ``changes``, merged into its row
        (the gan's diversity)."""
        return {}

    def save(self, path: str | Path, meta: dict[str, Any] | None = None) -> None:
        from accompanist.checkpoint import save_checkpoint

        save_checkpoint(path, self.family, self.state(), meta or self.meta)

    def to(self, device: str) -> Harmonizer:
        """Move to a torch device; families without torch weights ignore this."""
        return self
