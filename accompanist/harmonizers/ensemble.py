"""An ensemble of harmonizers: the weighted average of its members' chord probabilities.

By default the classical and the deep model together (markov and lstm): their errors differ,
so the average can beat both. Weights are chosen on the validation pieces by ``tune_weights``
(a grid over the simplex, best beat accuracy), so the ensemble is never worse there than its
best member alone.

Offline and causal runs average the members' ``probabilities``. Live, each member is stepped
with ``step_probabilities(frame)``, one update a beat (markov, lstm, gan); a plug-in that gives
none (the hook's default None) is asked for the causal probabilities of the whole melody so far
and its last row is taken, which follows the causal contract exactly but costs more each beat.

A checkpoint holds each member's kind, state and metadata, and the weights. Without one,
``--model ensemble`` averages the shipped markov and lstm checkpoints (``untrained``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from accompanist.config import apply_overrides
from accompanist.harmonizers.base import Harmonizer
from accompanist.melody import BeatFrame, Melody

DEFAULT_MEMBERS = ("markov", "lstm")
GRID_STEPS = 10  # weights are multiples of 1 / GRID_STEPS


class EnsembleHarmonizer(Harmonizer):
    family = "ensemble"

    def __init__(self, members: list[Harmonizer], weights: list[float] | None = None) -> None:
        if not members:
            raise ValueError("an ensemble needs at least one member")
        weights = [1.0] * len(members) if weights is None else list(weights)
        if len(weights) != len(members) or min(weights) < 0 or sum(weights) <= 0:
            raise ValueError("one non-negative weight per member, not all zero")
        self.members = members
        self.weights = [w / sum(weights) for w in weights]
        self.styles = tuple(dict.fromkeys(s for m in members for s in m.styles))
        self.reset()

    def use_style(self, style: str) -> None:
        self.style = style
        for member in self.members:
            member.use_style(style)

    def use_temperature(self, temperature: float) -> bool:
        """Set ``temperature`` on every member; True if any member samples (took it)."""
        taken = [member.use_temperature(temperature) for member in self.members]
        return any(taken)

    def probabilities(self, melody: Melody, *, causal: bool = False, seed: int | None = None) -> np.ndarray:
        rows = [m.probabilities(melody, causal=causal, seed=seed) for m in self.members]
        return average(rows, self.weights)

    # ---- live ---------------------------------------------------------------------------
    def reset(self, seed: int | None = None) -> None:
        self._seed = seed
        self._frames: list[BeatFrame] = []
        for member in self.members:
            member.reset(seed)

    def vary(self, seed: int) -> None:
        """Pass the new idea to every member (those that do not vary ignore it), keeping the frames
        heard; a member without ``step_probabilities`` is run on them with ``seed`` from now on."""
        self._seed = seed
        for member in self.members:
            member.vary(seed)

    @property
    def varies(self) -> bool:
        """Whether any member varies."""
        return any(member.varies for member in self.members)

    def prepare(self) -> None:
        for member in self.members:
            member.prepare()

    def step_index(self, frame: BeatFrame) -> int:
        return int(self.step_probabilities(frame).argmax())

    def _step_probabilities(self, member: Harmonizer, frame: BeatFrame) -> np.ndarray:
        row = member.step_probabilities(frame)
        if row is not None:
            return np.asarray(row)
        so_far = Melody.from_frames(self._frames)
        return member.probabilities(so_far, causal=True, seed=self._seed)[-1]

    def step_probabilities(self, frame: BeatFrame) -> np.ndarray:
        self._frames.append(frame)
        return average([self._step_probabilities(m, frame) for m in self.members], self.weights)

    # ---- persistence ----------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        members = [
            {"kind": m.family, "state": m.state(), "meta": dict(getattr(m, "meta", {}))} for m in self.members
        ]
        return {"weights": list(self.weights), "members": members}

    @classmethod
    def from_state(cls, state: dict[str, Any], device: str = "cpu") -> EnsembleHarmonizer:
        from accompanist import harmonizers

        members = []
        for entry in state["members"]:
            member = harmonizers.build(entry["kind"], entry["state"], device)
            member.meta = entry.get("meta", {})
            members.append(member)
        return cls(members, state["weights"])

    @classmethod
    def untrained(cls, device: str = "cpu") -> EnsembleHarmonizer:
        """Equal weights over the shipped checkpoints of the default members."""
        from accompanist import harmonizers

        return cls([harmonizers.load(name, device) for name in DEFAULT_MEMBERS])

    def to(self, device: str) -> EnsembleHarmonizer:
        for member in self.members:
            member.to(device)
        return self

    # ---- training -----------------------------------------------------------------------
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
    ) -> EnsembleHarmonizer:
        """Train each member (``members=markov,lstm``; ``lstm.epochs=5`` sets a member's option),
        then tune the weights on the validation pieces."""
        from accompanist import harmonizers

        own = {k: v for k, v in options.items() if "." not in k}
        names = apply_overrides(EnsembleOptions(), own).members.split(",")
        members = []
        for name in names:
            prefix = f"{name}."
            sub = {k[len(prefix) :]: v for k, v in options.items() if k.startswith(prefix)}
            member = harmonizers.family(name).fit(
                train, valid, options=sub, device=device, seed=seed, progress=progress
            )
            members.append(member)
        weights = tune_weights(members, valid)
        model = cls(members, weights)
        model.meta = {"members": names, "weights": weights}
        return model


@dataclass
class EnsembleOptions:
    """The ensemble's own settings (members' settings go as ``family.key=value``)."""

    members: str = ",".join(DEFAULT_MEMBERS)


def average(rows: list[np.ndarray], weights: list[float]) -> np.ndarray:
    """The weighted mean of probability arrays of one shape."""
    return sum(w * np.asarray(r, dtype=np.float64) for w, r in zip(weights, rows))


def simplex_grid(n: int, steps: int = GRID_STEPS) -> list[tuple[float, ...]]:
    """Every weight vector of ``n`` multiples of 1/steps that sum to 1."""
    return [
        tuple(k / steps for k in combo)
        for combo in itertools.product(range(steps + 1), repeat=n)
        if sum(combo) == steps
    ]


def tune_weights(members: list[Harmonizer], pieces: list, causal: bool = False) -> list[float]:
    """The grid weights whose average gets the most beats of ``pieces`` right (ties: the first found)."""
    if len(members) == 1 or not pieces:
        return [1.0] * len(members)
    probs = [[m.probabilities(p.melody, causal=causal, seed=0) for p in pieces] for m in members]
    truth = np.concatenate([p.chords for p in pieces])
    stacked = [np.concatenate(rows) for rows in probs]
    best, best_hits = None, -1
    for weights in simplex_grid(len(members)):
        hits = int((average(stacked, list(weights)).argmax(axis=1) == truth).sum())
        if hits > best_hits:
            best, best_hits = list(weights), hits
    return best
