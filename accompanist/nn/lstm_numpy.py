"""The lstm family's ChordNets run in numpy (``accompanist.nn.numpy_nets``): files and live play.

``NumpyChordNet`` reads a whole melody, bidirectional or causal, every key of the transposition
ensemble in one batch; ``NumpyStepper`` steps a causal net one beat at a time into preallocated
buffers, the recurrent products done ahead (``prepare``) so that answering a beat costs the input
products alone. Both give the probabilities of torch's ``ChordNet``
(``accompanist.nn.lstm.ensemble_probabilities``) within 1e-5.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from accompanist import chords
from accompanist.melody import Melody
from accompanist.nn.numpy_nets import (
    DTYPE,
    BeatTables,
    affine,
    cell,
    chord_permutation,
    joined,
    key_average,
    run,
    softmax,
    step_average,
)
from accompanist.nn.tokens import melody_arrays


class NumpyChordNet:
    """A ChordNet's maths for whole melodies: ``probabilities(melody, style)``."""

    def __init__(
        self, w: Mapping[str, np.ndarray], layers: int, shifts: list[int], bidirectional: bool
    ) -> None:
        """``w``: the net's state dict as float64 arrays (``numpy_nets.arrays``)."""
        self.shifts = np.asarray(shifts, dtype=np.int64)
        self.encoder = BeatTables(w, self.shifts)
        if bidirectional:
            self.layers = [
                tuple(joined(w, f"rnn.{side}_layers.{k}.", "_l0") for side in ("forward", "backward"))
                for k in range(layers)
            ]
        else:
            self.layers = [(joined(w, "rnn.", f"_l{k}"),) for k in range(layers)]
        self.head = np.ascontiguousarray(w["head.weight"].T, dtype=DTYPE)
        self.head_bias = w["head.bias"].astype(DTYPE)
        self.perm = chord_permutation(self.shifts)

    def features(self, melody: Melody, style: int) -> np.ndarray:
        """(K, n_beats, width) the top layer's outputs, in each key (what the head reads)."""
        x = self.encoder.melody(*melody_arrays(melody), style)
        for directions in self.layers:
            x = run(x, *directions)
        return x

    def probabilities(self, melody: Melody, style: int) -> np.ndarray:
        """(n_beats, V) chord probabilities, averaged over the keys."""
        if melody.n_beats == 0:
            return np.zeros((0, chords.VOCAB_SIZE))
        logits = affine(self.features(melody, style), self.head, self.head_bias)
        return key_average(softmax(logits), self.perm)


class NumpyStepper:
    """One causal session: ``reset()``, then ``probabilities(pitch, onset, bar_pos)`` per beat.

    A beat's gates are its input's share (the beat vector, or the layer below's new h) plus its
    state's share (the layer's previous h and the bias). The state's share is known once the
    previous beat is answered, so ``prepare()`` computes it then, while the live loop waits for
    the next beat, and the answer to a beat costs only the input products, the gate maths and
    the head; ``probabilities`` prepares for itself where ``prepare`` was not called.
    """

    def __init__(self, w: Mapping[str, np.ndarray], layers: int, shifts: list[int], style: int = 0) -> None:
        """``w``: the causal ChordNet's state dict as float64 arrays (``numpy_nets.arrays``)."""
        self.style = style
        self.shifts = np.asarray(shifts, dtype=np.int64)
        self.encoder = BeatTables(w, self.shifts)
        self.embed = self.encoder.width
        joined_layers = [joined(w, "rnn.", f"_l{k}") for k in range(layers)]
        self.hidden = h = joined_layers[0].shape[1] // 4
        widths = [self.embed] + [h] * (layers - 1)
        # rows of a joined layer: [input, h, bias]; the input's share, and the state's ([h, 1])
        self.from_input = [np.ascontiguousarray(m[:d]) for m, d in zip(joined_layers, widths)]
        self.from_state = [np.ascontiguousarray(m[d:]) for m, d in zip(joined_layers, widths)]
        head = np.concatenate([w["head.weight"], w["head.bias"][:, None]], axis=1)
        self.head = np.ascontiguousarray(head.T, dtype=DTYPE)  # (h + 1, V)
        n, v = len(shifts), chords.VOCAB_SIZE
        self.gather = (chord_permutation(self.shifts) + v * np.arange(n)[:, None]).astype(np.int64)
        self.inputs = [np.zeros((n, d), DTYPE) for d in widths]  # one row per shift
        self.states = [np.zeros((n, h + 1), DTYPE) for _ in range(layers)]  # [h, 1]: the 1 carries the bias
        self.ahead = [np.zeros((n, 4 * h), DTYPE) for _ in range(layers)]  # the state's share of the gates
        self.gates = np.zeros((n, 4 * h), DTYPE)
        self.cells = [np.zeros((n, h), DTYPE) for _ in range(layers)]
        self.tmp = np.zeros((n, h), DTYPE)
        self.logits = np.zeros((n, v), DTYPE)
        self.reset()

    def reset(self) -> None:
        for buffer in (*self.states, *self.cells):
            buffer.fill(0.0)
        for buffer in self.states:
            buffer[:, -1] = 1.0
        self.prepared = False

    def prepare(self) -> None:
        """Compute each layer's state's share of the next beat's gates (once per beat)."""
        if not self.prepared:
            for state, weight, ahead in zip(self.states, self.from_state, self.ahead):
                np.dot(state, weight, out=ahead)
            self.prepared = True

    def advance(self, pitch: tuple[int, ...], onset: tuple[bool, ...], bar_pos: int) -> np.ndarray:
        """The state after one more beat: (K, h + 1) the top layer's [h, 1], one row per shift."""
        self.prepare()
        self.encoder.beat(pitch, onset, bar_pos, self.style, self.inputs[0])
        h, last = self.hidden, len(self.states) - 1
        for k, (x, weight) in enumerate(zip(self.inputs, self.from_input)):
            np.dot(x, weight, out=self.gates)
            self.gates += self.ahead[k]
            out = self.states[k][:, :h]
            cell(self.gates, self.cells[k], out, self.tmp)
            if k < last:
                self.inputs[k + 1][:] = out
        self.prepared = False
        return self.states[-1]

    def probabilities(self, pitch: tuple[int, ...], onset: tuple[bool, ...], bar_pos: int) -> np.ndarray:
        """(V,) chord probabilities for one beat, averaged over the shifts; advances the state."""
        logits = np.dot(self.advance(pitch, onset, bar_pos), self.head, out=self.logits)
        return step_average(logits, self.gather)
