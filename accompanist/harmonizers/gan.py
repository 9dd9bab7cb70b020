"""The generative family: a conditional GAN's generator, sampled beat by beat (see ``accompanist.nn.gan``).

Two generators ship in one checkpoint: an offline one (its melody LSTM reads the whole piece) for
files and a causal one for live play. Both write chords one beat at a time, and each beat draws,
in this order, the noise vector z_t (``noise_dim`` normals) and ``VOCAB_SIZE`` uniforms for the
Gumbel-max draw from softmax(logits / temperature), from numpy's random stream of the ``seed``
argument (``accompanist.nn.gan_numpy.Draws``). ``seed=None`` means seed 0 (``DEFAULT_SEED``):
output is reproducible unless a seed is given, and different seeds give different
harmonizations. The causal full-sequence run and ``reset(seed)`` + ``step`` per beat run the
same maths on the same random stream, so they agree exactly.

Sampling runs in numpy (``accompanist.nn.gan_numpy``): loading and harmonizing import no torch.
Training (``fit``) and ``--device cuda`` (the offline melody LSTM on the GPU) use torch's
generators, built from the same weights on first use (``generators``).

Like the lstm family, each beat's distribution is averaged over the melody transposed into
``shifts`` keys (12 by default), each key's decoder fed the sampled chord in its own key.
``probabilities`` gives that distribution (temperature 1) at each beat along the chords that
``predict`` samples for that seed. ``extra_metrics`` reports the variety across
``DIVERSITY_SEEDS`` (``accompanist.variety``). ``vary(seed)`` goes on drawing from another
seed's stream without clearing the recurrent state (the live loop's new idea at a phrase
boundary). The shipped checkpoints decode greedily (temperature 0: each beat's likeliest chord,
1-5 points more accurate than drawing at 0.35); their noise carries little variety (diversity
0.01 greedy), so varied harmonizations come from ``--temperature`` (0.35: the beat-by-beat
draws); a generator whose seed picks a code per phrase was measured and is not shipped (README,
"The gan's variety").
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np

from accompanist import chords
from accompanist.config import apply_overrides
from accompanist.data.corpora import STYLES, style_index
from accompanist.harmonizers.base import Harmonizer
from accompanist.melody import BeatFrame, Melody
from accompanist.nn import shapes
from accompanist.nn.configs import GANConfig
from accompanist.nn.gan_numpy import BOS, Draws, NumpyGenerator, draw
from accompanist.nn.numpy_nets import arrays, stored, torch_weights
from accompanist.variety import SEEDS, harmonize_seeds, variety_metrics

V = chords.VOCAB_SIZE
DEFAULT_SEED = 0
DIVERSITY_SEEDS = SEEDS
SHIFTS = (0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6)  # the ensemble's keys, nearest first
NETS = ("offline", "causal")


class Session:
    """One generation run: its random stream, the recurrent states and the previous chord."""

    def __init__(self, net: NumpyGenerator, config: GANConfig, style: int, seed: int | None) -> None:
        self.net, self.config, self.style = net, config, style
        self.vary(DEFAULT_SEED if seed is None else seed)
        self.state = net.start()
        self.prev = BOS

    def vary(self, seed: int) -> None:
        """Draw from ``seed``'s random stream from the next beat on."""
        self.draws = Draws(seed, self.config.noise_dim, self.config.noise_scale)

    def chord(self, context: np.ndarray | None = None) -> tuple[int, np.ndarray]:
        """Draw this beat's noise, then its chord, from the melody context's (K, 4h) gates (offline)
        or the causal melody state; return the chord and the distribution it came from."""
        noise, gumbel = self.draws.beat()
        probs = self.net.chord_probabilities(self.state, noise, self.prev, context)
        self.prev = draw(probs, gumbel, self.config.temperature)
        return self.prev, probs

    def prepare(self) -> None:
        """The next beat's gates as far as the states and the previous chord give them."""
        self.net.prepare(self.state, self.prev)

    def step(self, frame: BeatFrame) -> tuple[int, np.ndarray]:
        self.prepare()
        self.net.melody_step(frame, self.style, self.state)
        return self.chord()


class GANHarmonizer(Harmonizer):
    family = "gan"
    predict_is_argmax = False  # predict draws one seed's chords from the probabilities

    def __init__(self, config: GANConfig, weights: dict[str, dict[str, Any]]) -> None:
        """``weights``: the offline and the causal generator's state dicts (tensors or arrays)."""
        self.config = config
        self.weights = stored(weights, NETS)
        keys = SHIFTS[: max(1, min(config.shifts, 12))]
        self.nets = {
            causal: NumpyGenerator(arrays(self.weights[name]), keys, causal)
            for name, causal in zip(NETS, (False, True))
        }
        self.device = "cpu"
        self._generators: dict | None = None
        self.styles = tuple(s for s in config.styles.split(",") if s)
        self.use_style("folk")

    @property
    def generators(self) -> dict:
        """torch's Generators of these weights ({"offline", "causal"}), built on first use; the
        offline one on ``device``."""
        if self._generators is None:
            from accompanist.nn.gan import build_generators

            self._generators = build_generators(self.config, self.weights, self.device)
        return self._generators

    @property
    def varies(self) -> bool:
        """Whether ``vary`` gives another idea: when the chords are drawn (temperature > 0).
        Decoded greedily (the default), the noise changes few chords (diversity about 0.01), so
        the live loop offers no new ideas."""
        return self.config.temperature > 0

    def use_temperature(self, temperature: float) -> bool:
        """Draw each beat's chord at ``temperature`` from now on (0: greedy decoding)."""
        self.config.temperature = temperature
        return True

    def use_style(self, style: str) -> None:
        self.style = style
        self.style_row = style_index(style if style in self.styles or not self.styles else self.styles[0])
        self.reset()

    # ---- offline and causal runs -----------------------------------------------------------
    def sample(
        self, melody: Melody, *, causal: bool = False, seed: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(n_beats,) chord indices and (n_beats, V) softmax rows, for one seed's noise."""
        session = Session(self.nets[causal], self.config, self.style_row, seed)
        if causal:
            rows = [session.step(frame) for frame in melody.frames()]
        else:
            rows = [session.chord(c) for c in self._offline_context(melody)]
        index = np.array([r[0] for r in rows], dtype=np.int64)
        probs = np.stack([r[1] for r in rows]) if rows else np.zeros((0, V))
        return index, probs

    def _offline_context(self, melody: Melody) -> np.ndarray:
        """(n_beats, K, 4h) the whole melody's share of the decoder's gates, in each key."""
        net = self.nets[False]
        if melody.n_beats == 0:
            return np.zeros((0, len(net.shifts), 4 * net.hidden))
        if self.device == "cpu":
            return net.contexts(melody, self.style_row)
        from accompanist.nn.gan import torch_context

        return net.context_gates(
            torch_context(self.generators["offline"], melody, net.shifts, self.style_row)
        )

    def probabilities(self, melody: Melody, *, causal: bool = False, seed: int | None = None) -> np.ndarray:
        return self.sample(melody, causal=causal, seed=seed)[1]

    def predict(self, melody: Melody, *, causal: bool = False, seed: int | None = None) -> np.ndarray:
        return self.sample(melody, causal=causal, seed=seed)[0]

    def predict_spans(
        self, melody: Melody, may_change: np.ndarray, *, causal: bool = False, seed: int | None = None
    ) -> np.ndarray:
        """One seed's chords, each span between change points taking its most frequent chord
        (offline) or the chord drawn at its first beat (causal, as live play does)."""
        from accompanist import pace

        chosen = self.predict(melody, causal=causal, seed=seed)
        return pace.hold(chosen, may_change) if causal else pace.majority(chosen, may_change)

    def extra_metrics(self, pieces: list, *, causal: bool = False) -> dict[str, float]:
        """The variety of the harmonizations of ``DIVERSITY_SEEDS`` (``accompanist.variety``)."""
        return variety_metrics(pieces, harmonize_seeds(self, pieces, causal=causal, seeds=DIVERSITY_SEEDS))

    # ---- live: numpy on the CPU, whatever the device -----------------------------------------
    def reset(self, seed: int | None = None) -> None:
        self._session = Session(self.nets[True], self.config, self.style_row, seed)

    def vary(self, seed: int) -> None:
        """Chords drawn from ``seed``'s stream from the next beat on, the melody heard so far kept."""
        self._session.vary(seed)

    def prepare(self) -> None:
        self._session.prepare()

    def step_index(self, frame: BeatFrame) -> int:
        return self._session.step(frame)[0]

    def step_probabilities(self, frame: BeatFrame) -> np.ndarray:
        """The distribution this beat's chord was drawn from (the session goes on with the draw)."""
        return self._session.step(frame)[1]

    # ---- persistence -----------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {"config": asdict(self.config), **torch_weights(self.weights)}

    @classmethod
    def from_state(cls, state: dict[str, Any], device: str = "cpu") -> GANHarmonizer:
        config = GANConfig(**state["config"])
        sizes = (config.hidden, config.pitch_dim, config.chord_dim, config.noise_dim, config.critic_hidden)
        if not (min(*sizes, config.window) >= 1 and max(*sizes, config.window) <= 4096):
            raise ValueError("config: hidden, pitch_dim, chord_dim, noise_dim, critic_hidden, window 1-4096")
        styles = {s for s in config.styles.split(",") if s}
        if not (
            0 <= config.dropout < 1
            and config.temperature >= 0
            and config.shifts >= 1
            and styles <= set(STYLES)
        ):
            raise ValueError(
                "config: dropout in [0, 1), temperature >= 0, shifts >= 1, styles among chorale, folk"
            )
        for name in NETS:
            shapes.check(state[name], shapes.generator(config, causal=name == "causal"))
        return cls(config, {name: state[name] for name in NETS}).to(device)

    def to(self, device: str) -> GANHarmonizer:
        """Only the offline melody LSTM runs on ``device``; the beat-by-beat maths stays on the CPU."""
        if device != self.device:
            self.device, self._generators = device, None
        return self

    # ---- training --------------------------------------------------------------------------
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
    ) -> GANHarmonizer:
        """Train both generators (each epoch in random keys unless ``transpose=false``), one style
        input for every style among the pieces."""
        import torch

        from accompanist.nn.gan_training import gan_trainer
        from accompanist.nn.trainer import distributed

        config = apply_overrides(GANConfig(), options)
        config.styles = ",".join(s for s in STYLES if any(p.style == s for p in train))
        torch.set_num_threads(config.threads)
        with distributed(device) as (rank, world, dev):
            trainer = gan_trainer(
                config, train, valid, seed=seed, device=dev, rank=rank, world=world, progress=progress
            )
            nets = trainer.run()
        model = cls(config, {name: nets[name].cpu().state_dict() for name in NETS})
        model.meta = {
            "epochs": trainer.epoch + 1,
            "validation_best": {name: round(score, 4) for name, score in trainer.best.items()},
            "history": trainer.history,
            "world_size": world,
        }
        return model
