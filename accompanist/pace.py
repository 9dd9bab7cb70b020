"""The pace of chord changes: where a chord may change, learned per style, and decoding under it.

``--changes`` is one of ``CHANGES``: ``beat`` (a chord may change on any beat), ``half`` (on the
downbeat and the middle of the bar: beat 3 of 4/4, beat 2 of 2/4; in a bar of three beats, whose
half falls inside a beat, the last beat, where a 6/8 half-bar change lands on the grid), ``bar``
(downbeats only) or ``auto``, the pace of the style asked for: the coarsest of bar, half and
beat at which at least ``COVERAGE`` of the training corpus's chord changes fall (``pace_of``,
measured when a model is trained and kept in its metadata; ``DEFAULT_PACE`` for a model trained
before that).
The Bach chorales change on nearly every beat, so their pace is ``beat``; the folk lead sheets'
is ``half``.

Offline, the chord of each span between change points is chosen jointly over the piece: a
Viterbi pass over the beats whose transitions may only change chord at a change point, scoring
each path by the summed log probabilities of its chords (``decode_spans``). Causal (live) play
cannot look ahead: the chord chosen at a change point is held to the next one (``hold``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from accompanist.harmonizers.base import Harmonizer

CHANGES = ("auto", "beat", "half", "bar")
PACES = ("bar", "half", "beat")  # coarsest first
DEFAULT_PACE = {"chorale": "beat", "folk": "half"}
COVERAGE = 0.9


def bar_lengths(bar_pos: np.ndarray) -> np.ndarray:
    """The number of beats of the bar each beat lies in (a pickup bar counts its full length)."""
    n = len(bar_pos)
    out = np.zeros(n, dtype=np.int64)
    start = 0
    for t in range(1, n + 1):
        if t == n or bar_pos[t] <= bar_pos[t - 1]:
            out[start:t] = int(bar_pos[t - 1]) + 1
            start = t
    return out


def change_points(bar_pos: np.ndarray, pace: str) -> np.ndarray:
    """(n_beats,) True where a chord may change at this pace; the first beat always may."""
    bar_pos = np.asarray(bar_pos)
    may = may_change_at(bar_pos, bar_lengths(bar_pos), pace)
    if len(may):
        may[0] = True
    return may


def may_change_at(bar_pos, bar_length, pace: str):
    """Whether a chord may change on a beat at ``bar_pos`` of a bar of ``bar_length`` beats (arrays too)."""
    if pace == "beat":
        return np.ones_like(bar_pos, dtype=bool)
    if pace == "bar":
        return np.asarray(bar_pos) == 0
    if pace == "half":
        return (np.asarray(bar_pos) == 0) | (
            (np.asarray(bar_length) > 1) & (bar_pos == (bar_length + 1) // 2)
        )
    raise ValueError(f"unknown pace {pace!r}; choose from {', '.join(PACES)}")


def changes_per_bar(labels: np.ndarray, bar_pos: np.ndarray) -> tuple[int, int]:
    """(chord changes, bars) of one piece: a change is a beat whose chord differs from the last."""
    labels = np.asarray(labels)
    changes = int(np.sum(labels[1:] != labels[:-1]))
    return changes, int(np.sum(np.asarray(bar_pos) == 0)) or 1


def pace_of(pieces: list) -> str:
    """The coarsest pace at which at least ``COVERAGE`` of the pieces' chord changes may happen."""
    changed = {pace: 0 for pace in PACES}
    total = 0
    for piece in pieces:
        labels = np.asarray(piece.chords)
        moved = np.flatnonzero(labels[1:] != labels[:-1]) + 1
        total += len(moved)
        for pace in PACES:
            changed[pace] += int(change_points(piece.melody.bar_pos, pace)[moved].sum())
    for pace in PACES:
        if total == 0 or changed[pace] >= COVERAGE * total:
            return pace
    return "beat"


def style_paces(pieces: list) -> dict[str, str]:
    """``pace_of`` the pieces of each style among them: what a model trained on them learns."""
    styles = sorted({p.style for p in pieces})
    return {style: pace_of([p for p in pieces if p.style == style]) for style in styles}


def resolve(changes: str, model: Harmonizer) -> str:
    """The pace ``changes`` asks of this model in its current style (``auto``: the style's own; a
    model without a style input, a plug-in say, keeps its own pace)."""
    if changes != "auto":
        return changes
    if not model.styles:
        return "beat"
    learned = model.meta.get("pace", {})
    return learned.get(model.style) or DEFAULT_PACE.get(model.style, "beat")


def decode_spans(probabilities: np.ndarray, may_change: np.ndarray) -> np.ndarray:
    """The chord path of highest summed log probability that changes only where ``may_change``."""
    n, v = probabilities.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    logp = np.log(np.clip(probabilities, 1e-12, None))
    score = logp[0].copy()
    back = np.zeros((n, v), dtype=np.int64)
    back[0] = np.arange(v)
    for t in range(1, n):
        if may_change[t]:
            best = int(score.argmax())
            stay = score >= score[best]
            back[t] = np.where(stay, np.arange(v), best)
            score = np.maximum(score, score[best]) + logp[t]
        else:
            back[t] = np.arange(v)
            score = score + logp[t]
    path = np.zeros(n, dtype=np.int64)
    path[-1] = int(score.argmax())
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def hold(indices: np.ndarray, may_change: np.ndarray) -> np.ndarray:
    """Each beat takes the chord chosen at the last change point at or before it (live play)."""
    indices = np.asarray(indices)
    last = np.maximum.accumulate(np.where(may_change, np.arange(len(indices)), 0))
    return indices[last]


def held_or_majority(indices: np.ndarray, may_change: np.ndarray, *, causal: bool) -> np.ndarray:
    """Per-beat choices fitted to spans: causal, the change point's chord held (``hold``, as live
    play must); offline, each span's most frequent (``majority``)."""
    return hold(indices, may_change) if causal else majority(indices, may_change)


def majority(indices: np.ndarray, may_change: np.ndarray) -> np.ndarray:
    """Each span between change points takes its most frequent chord (the earliest on a tie)."""
    out = np.asarray(indices).copy()
    starts = list(np.flatnonzero(may_change)) + [len(out)]
    for a, b in zip(starts, starts[1:]):
        values, first, counts = np.unique(out[a:b], return_index=True, return_counts=True)
        out[a:b] = values[np.lexsort((first, -counts))[0]]
    return out


def predict(
    model: Harmonizer, melody, *, causal: bool = False, seed: int | None = None, changes: str = "auto"
) -> np.ndarray:
    """Chord indices per beat from a model at the pace ``changes`` asks for."""
    pace = resolve(changes, model)
    if pace == "beat":
        return np.asarray(model.predict(melody, causal=causal, seed=seed))
    return model.predict_spans(melody, change_points(melody.bar_pos, pace), causal=causal, seed=seed)
