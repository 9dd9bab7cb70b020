"""The deep-learning family: LSTMs that learn their own features from the melody alone.

One checkpoint holds two networks (``accompanist.nn.lstm.ChordNet``): a bidirectional one for
files (``harmonize``, ``probabilities``) and a unidirectional one for live play (``causal=True``,
``reset``/``step``), whose chord for a beat depends only on the melody up to that beat. Input is
the melody grid (pitch tokens, onsets, place in the bar); nothing harmonic is computed by hand.
With ``shifts`` > 1 predictions average the network's answers over the melody transposed into
that many keys, stepped in one batch.

Inference runs in numpy (``accompanist.nn.lstm_numpy``): loading a checkpoint and harmonizing
import no torch. Training (``fit``, ``accompanist.nn.lstm_training``), ``--device cuda`` and
``reference = True`` (the maths the numpy runs are tested against) use torch's ChordNets,
built from the same weights on first use (``nets``).

The defaults are the shipped model's. Measured on the validation split while choosing them
(one seed each, noise about one point): hidden 256 beat 128 by about one point, batch 8 beat
16 by one; the auxiliary voice loss and a transposition ensemble were within the noise; dropout
0.5, three layers, no label smoothing, weight decay 0.1, whole-beat input dropout, a pooled
global context, a CRF over chord transitions and seed ensembles did not help. Training runs on
one torch thread: two threads on a busy 2-core CPU made these small steps 10-100x slower.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np

from accompanist.config import apply_overrides
from accompanist.data.corpora import STYLES, style_index
from accompanist.harmonizers.base import Harmonizer
from accompanist.melody import BeatFrame, Melody
from accompanist.nn import shapes
from accompanist.nn.configs import LSTMConfig
from accompanist.nn.lstm_numpy import NumpyChordNet, NumpyStepper
from accompanist.nn.numpy_nets import arrays, stored, torch_weights

NETS = ("bidirectional", "causal")


class LSTMHarmonizer(Harmonizer):
    family = "lstm"
    reference = False  # True: offline probabilities from torch's ChordNets, not numpy

    def __init__(self, config: LSTMConfig, weights: dict[str, dict[str, Any]]) -> None:
        """``weights``: each net's state dict (tensors or arrays), by name (``NETS``)."""
        self.config = config
        self.weights = stored(weights, NETS)
        self.styles = config.style_list()
        shifts = config.shift_list()
        folded = {name: arrays(self.weights[name]) for name in NETS}  # float64, once per net
        self.fast = {
            name: NumpyChordNet(folded[name], config.layers, shifts, name == "bidirectional") for name in NETS
        }
        self.stepper = NumpyStepper(folded["causal"], config.layers, shifts)
        self.device = "cpu"
        self._nets: dict | None = None
        self.use_style("folk")

    @property
    def nets(self) -> dict:
        """torch's ChordNets of these weights on ``device``, built on first use."""
        if self._nets is None:
            from accompanist.nn.lstm_training import build_nets

            self._nets = build_nets(self.config, self.weights, self.device)
        return self._nets

    def use_style(self, style: str) -> None:
        self.style = style
        self.style_row = style_index(style if style in self.styles or not self.styles else self.styles[0])
        self.stepper.style = self.style_row

    # ---- offline ------------------------------------------------------------------------
    def probabilities(self, melody: Melody, *, causal: bool = False, seed: int | None = None) -> np.ndarray:
        name = "causal" if causal else "bidirectional"
        if self.device == "cpu" and not self.reference:
            return self.fast[name].probabilities(melody, self.style_row)
        from accompanist.nn.lstm_training import torch_probabilities

        return torch_probabilities(self.nets[name], melody, self.style_row, self.config.shift_list())

    # ---- live: numpy on the CPU, whatever the device ------------------------------------
    def reset(self, seed: int | None = None) -> None:
        self.stepper.reset()

    def prepare(self) -> None:
        self.stepper.prepare()

    def step_probabilities(self, frame: BeatFrame) -> np.ndarray:
        return self.stepper.probabilities(frame.pitch, frame.onset, frame.bar_pos)

    def step_index(self, frame: BeatFrame) -> int:
        return int(self.step_probabilities(frame).argmax())

    # ---- persistence ----------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {"config": asdict(self.config), **torch_weights(self.weights)}

    @classmethod
    def from_state(cls, state: dict[str, Any], device: str = "cpu") -> LSTMHarmonizer:
        config = LSTMConfig(**state["config"])
        sizes = (config.pitch_dim, config.embed_dim, config.hidden)
        if not (min(*sizes, config.layers) >= 1 and max(sizes) <= 4096 and config.layers <= 8):
            raise ValueError("config: pitch_dim, embed_dim, hidden 1-4096; layers 1-8")
        if not (0 <= config.dropout < 1 and config.shifts >= 1 and set(config.style_list()) <= set(STYLES)):
            raise ValueError("config: dropout in [0, 1), shifts >= 1, styles among chorale, folk")
        for name in NETS:
            shapes.check(state[name], shapes.chordnet(config, bidirectional=name == "bidirectional"))
        return cls(config, {name: state[name] for name in NETS}).to(device)

    def to(self, device: str) -> LSTMHarmonizer:
        """Offline runs on ``device`` (torch's nets on a GPU, numpy on the CPU); live steps stay on
        the CPU, where a batch of one is faster than a GPU round trip."""
        if device != self.device:
            self.device, self._nets = device, None
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
    ) -> LSTMHarmonizer:
        """Train the bidirectional net and the causal one (side by side on the CPU,
        ``accompanist.nn.lstm_training``); each keeps its best validation epoch."""
        from accompanist.nn.lstm_training import train_nets

        config = apply_overrides(LSTMConfig(), options)
        config.styles = ",".join(s for s in STYLES if any(p.style == s for p in train))
        nets, meta = train_nets(config, train, valid, device=device, seed=seed, progress=progress)
        model = cls(config, {name: net.state_dict() for name, net in nets.items()}).to(device)
        model.meta = meta
        return model
