"""The REPL's state, what every command reads and changes: melody, model, seed, result.

``Session`` holds the melody (typed, or loaded from a MIDI file together with its score), the
model and the settings that shape a harmonization (seed, temperature, causal, style, pace of
chord changes, voicing, meter, tempo), the corpus ``train`` and ``eval`` use, the last result,
the last variants (``accompanist.repl.variants``), and the live listener if one runs. Models
are loaded on first use and kept by name, so ``compare`` and switching back and forth load each
checkpoint once.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from accompanist import chords, harmonizers, pace
from accompanist.data.corpora import DEFAULT_STYLE
from accompanist.errors import AccompanistError
from accompanist.harmonizers.base import Harmonizer
from accompanist.melody import Melody
from accompanist.repl.parse import Note, beats_per_bar, to_melody

if TYPE_CHECKING:
    from accompanist.midi.read import Score
    from accompanist.repl.listen import Listener
    from accompanist.repl.variants import Variants

DEFAULT_MODEL = "lstm"  # the best harmonizer of the shipped ones, offline and live
DEFAULT_TEMPO = 100.0


class ReplError(AccompanistError):
    """A REPL command cannot run: an unknown command, a bad argument, nothing to work on yet."""


@dataclass
class Result:
    """One harmonization: the chord of each beat (vocabulary indices) and how it was made."""

    indices: list[int]
    model: str
    seed: int | None
    causal: bool

    @property
    def labels(self) -> list[str]:
        """The chords as labels (``C:maj``), for display and comparison."""
        return [chords.to_label(i) for i in self.indices]


@dataclass
class Session:
    """Everything the REPL remembers between commands."""

    device: str = "cpu"
    model_name: str = DEFAULT_MODEL
    models: dict[str, Harmonizer] = field(default_factory=dict)
    melody: Melody | None = None
    notes: list[Note] = field(default_factory=list)  # a typed melody, rests included
    score: Score | None = None  # a loaded melody's file
    source: str = ""
    meter: tuple[int, int] = (4, 4)
    tempo: float = DEFAULT_TEMPO
    seed: int | None = None
    temperature: float | None = None
    causal: bool = False
    style: str = DEFAULT_STYLE  # the harmonic idiom
    changes: str = "auto"  # where chords may change (accompanist.pace)
    voicing: str = "block"
    corpus: str = "chorales"  # what `train` and `eval` use
    result: Result | None = None
    variants: Variants | None = None  # the last `variants`, for `pick`
    listener: Listener | None = None
    say: Callable[[str], None] = print  # messages from background work (the live chord log)
    scratch_dir: tempfile.TemporaryDirectory | None = None  # `play`'s files, removed by close()

    # ---- the melody -------------------------------------------------------------------
    def set_typed(self, notes: list[Note]) -> Melody:
        """Take a typed melody (rests included) as the current one."""
        self.notes, self.score, self.source = notes, None, "typed"
        return self._set_melody(to_melody(notes, beats_per_bar(self.meter)))

    def set_loaded(self, melody: Melody, score: Score) -> Melody:
        self.notes, self.score, self.source = [], score, str(score.path)
        return self._set_melody(melody)

    def set_meter(self, meter: tuple[int, int]) -> None:
        """A new meter: bar positions of the current melody are counted again from its start."""
        self.meter = meter
        if self.melody is not None:
            bar_pos = (np.arange(self.melody.n_beats) % beats_per_bar(meter)).astype(np.int8)
            self._set_melody(Melody(self.melody.pitch, self.melody.onset, bar_pos))

    def _set_melody(self, melody: Melody) -> Melody:
        self.melody, self.result, self.variants = melody, None, None
        return melody

    def require_melody(self) -> Melody:
        if self.melody is None:
            raise ReplError("no melody yet: type one (`melody E4 E4 F4 G4/2`) or `load FILE.mid`")
        return self.melody

    # ---- models -----------------------------------------------------------------------
    def get_model(self, name: str | None = None) -> Harmonizer:
        """A model by family name or checkpoint path (the current one by default), loaded once."""
        name = name or self.model_name
        if name not in self.models:
            self.models[name] = harmonizers.load(name, self.device)
            apply_temperature(self.models[name], self.temperature)
        return self.models[name]

    def use_model(self, name: str, model: Harmonizer | None = None) -> Harmonizer:
        """Make ``name`` the current model (loading it, unless ``model`` is given)."""
        if model is not None:
            apply_temperature(model, self.temperature)
            self.models[name] = model
        model = self.get_model(name)
        self.model_name, self.result = name, None
        return model

    def set_temperature(self, value: float) -> None:
        """Set the sampling temperature of every loaded model that samples, and of those loaded later."""
        self.temperature, self.result = value, None
        for model in self.models.values():
            apply_temperature(model, value)

    # ---- harmonizing ------------------------------------------------------------------
    def harmonize(self, name: str | None = None) -> Result:
        """Harmonize the melody with a model (the current one by default); the current model's is kept."""
        result = self.harmonize_with(self.seed, name)
        if name is None or name == self.model_name:
            self.result = result
        return result

    def harmonize_with(self, seed: int | None, name: str | None = None) -> Result:
        """A harmonization with ``seed`` under the session's other settings, kept nowhere (``again``
        and ``variants`` try seeds)."""
        melody = self.require_melody()
        model = self.get_model(name)
        model.use_style(self.style)
        indices = pace.predict(model, melody, causal=self.causal, seed=seed, changes=self.changes)
        return Result([int(i) for i in indices], name or self.model_name, seed, self.causal)

    def settings(self) -> tuple:
        """What shapes a harmonization besides the melody and the seed (``pick`` checks it)."""
        return (self.model_name, self.causal, self.style, self.changes, self.temperature)

    def current_result(self) -> Result:
        """The last result, or a new one if the melody or settings changed since."""
        return self.result or self.harmonize()

    def scratch(self) -> Path:
        """A private temporary folder for this session's takes, made on first use."""
        if self.scratch_dir is None:
            self.scratch_dir = tempfile.TemporaryDirectory(prefix="accompanist-repl-")
        return Path(self.scratch_dir.name)

    def close(self) -> None:
        """Stop what runs in the background; remove the temporary folder (on quit, Ctrl-D, a script's end)."""
        try:
            if self.listener is not None:
                self.listener.stop()
                self.listener = None
        finally:
            if self.scratch_dir is not None:
                self.scratch_dir.cleanup()
                self.scratch_dir = None


def apply_temperature(model: Harmonizer, value: float | None) -> bool:
    """Set the temperature of a model that samples (``Harmonizer.use_temperature``); False if it
    does not sample. ``value`` None changes nothing: the model keeps the temperature it was trained with.
    """
    return value is not None and model.use_temperature(value)
