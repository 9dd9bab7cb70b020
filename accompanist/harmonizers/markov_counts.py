"""The Markov harmonizer's training counts and the chord tables they are indexed by.

``count_pieces`` counts a style's pieces: chord unigrams, bigrams and trigrams per metre over all
12 transpositions, the melody's duration and onset symbols relative to each chord's root, and the
key chain's counts relative to each piece's key (``piece_key``). ``ROOT`` and ``QUAL`` give each
chord's root and quality row; ``relative`` and ``absolute_table`` move between absolute and
root-relative symbols. ``counts_state`` and ``counts_from_state`` are the counts' checkpoint form
(the sparse trigram table as indices and values), each array checked before use.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from accompanist import chords
from accompanist.checkpoint import check_array, check_indices
from accompanist.features import N_SYMBOLS, RESTSYM, melody_features

V = chords.VOCAB_SIZE
BOS = V  # the "before the start" chord of the trigram context
N_QUAL = chords.N_QUALITIES + 1  # qualities plus a row for N


def _root_qual() -> tuple[np.ndarray, np.ndarray]:
    rq = np.array([chords.root_quality(i) for i in range(V)])
    root = np.where(rq[:, 0] < 0, 0, rq[:, 0])
    qual = np.where(rq[:, 1] < 0, chords.N_QUALITIES, rq[:, 1])
    return root, qual


ROOT, QUAL = _root_qual()


def relative(symbol: np.ndarray, root: np.ndarray) -> np.ndarray:
    """Symbol relative to a chord root; the rest symbol stays the rest symbol."""
    return np.where(symbol == RESTSYM, RESTSYM, (symbol - root) % 12)


def absolute_table(rel_table: np.ndarray) -> np.ndarray:
    """(..., N_QUAL, 13) table relative to roots -> (..., V, 13) table per chord, absolute symbols."""
    sym = np.arange(N_SYMBOLS)
    rel = relative(sym[None, :], ROOT[:, None])  # (V, 13)
    return rel_table[..., QUAL[:, None], rel]


def piece_key(piece) -> tuple[int, int]:
    """(tonic, mode) of a training piece: the root of its last chord; minor (1) if the voices (the
    melody of a lead sheet) sound the minor third above that tonic more often than the major third."""
    labels = piece.chords[piece.chords != chords.NO_CHORD]
    tonic = int(ROOT[labels[-1]]) if len(labels) else 0
    voices = piece.satb if piece.satb is not None else piece.melody.pitch  # a lead sheet: its melody
    pcs = voices[voices >= 0] % 12
    minor = np.sum(pcs == (tonic + 3) % 12) > np.sum(pcs == (tonic + 4) % 12)
    return tonic, int(minor)


def count_pieces(pieces: list) -> dict[str, np.ndarray]:
    """Transition counts over all transpositions and root-relative emission counts."""
    counts = {
        "uni": np.zeros(V, np.float64),
        "bi": np.zeros((2, V + 1, V), np.float64),
        "tri": np.zeros((2, V + 1, V + 1, V), np.float64),
        "dur": np.zeros((N_QUAL, N_SYMBOLS), np.float64),
        "onset": np.zeros((2, N_QUAL, N_SYMBOLS), np.float64),
        "key_melody": np.zeros((2, N_SYMBOLS), np.float64),
        "key_chord": np.zeros((2, V), np.float64),
    }
    for piece in pieces:
        dur, onset, metre = melody_features(piece.melody)
        labels = piece.chords.astype(np.int64)
        root, qual = ROOT[labels], QUAL[labels]
        rel = relative(np.arange(N_SYMBOLS)[None, :], root[:, None])  # (n, 13)
        np.add.at(counts["dur"], (qual[:, None], rel), dur)
        np.add.at(counts["onset"], (metre, qual, relative(onset, root)), 1.0)
        tonic, mode = piece_key(piece)
        counts["key_melody"][mode] += dur.sum(0)[relative(np.arange(N_SYMBOLS), -tonic)]
        np.add.at(counts["key_chord"][mode], chords.transpose(labels, -tonic), 1.0)
        for shift in range(12):
            seq = chords.transpose(labels, shift)
            a = np.concatenate([[BOS, BOS], seq[:-2]])
            b = np.concatenate([[BOS], seq[:-1]])
            np.add.at(counts["uni"], seq, 1.0)
            np.add.at(counts["bi"], (metre, b, seq), 1.0)
            np.add.at(counts["tri"], (metre, a, b, seq), 1.0)
    return counts


def counts_state(counts: dict[str, np.ndarray]) -> dict[str, Any]:
    """Counts as tensors; the sparse trigram table as indices and values."""
    import torch

    tri = counts["tri"]
    idx = np.nonzero(tri)
    return {
        "tri_index": torch.from_numpy(np.stack(idx).astype(np.int16)),
        "tri_value": torch.from_numpy(tri[idx].astype(np.float32)),
        **{k: torch.from_numpy(v.astype(np.float32)) for k, v in counts.items() if k != "tri"},
    }


def counts_from_state(state: dict[str, Any]) -> dict[str, np.ndarray]:
    """One style's counts, each array checked for its shape, type and range before use."""
    index = check_array(state["tri_index"], "tri_index", (4, None), "iu")
    check_indices(index, "tri_index", (2, V + 1, V + 1, V))
    values = check_array(state["tri_value"], "tri_value", (index.shape[1],))
    counts = {k: check_array(state[k], k, COUNT_SHAPES[k]) for k in COUNT_KEYS}
    if any((c < 0).any() for c in (values, *counts.values())):
        raise ValueError("counts must not be negative")
    tri = np.zeros((2, V + 1, V + 1, V), dtype=np.float32)
    tri[tuple(index.astype(np.int64))] = values
    return {**counts, "tri": tri}


COUNT_KEYS = ("uni", "bi", "dur", "onset", "key_melody", "key_chord")
COUNT_SHAPES = {
    "uni": (V,),
    "bi": (2, V + 1, V),
    "dur": (N_QUAL, N_SYMBOLS),
    "onset": (2, N_QUAL, N_SYMBOLS),
    "key_melody": (2, N_SYMBOLS),
    "key_chord": (2, V),
}
