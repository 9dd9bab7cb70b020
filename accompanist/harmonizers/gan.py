"""The generative family: a conditional GAN's generator decoding a code per phrase (``accompanist.nn.gan``).

Two generators ship in one checkpoint: an offline one (its melody net reads the whole piece) for
files and a causal one for live play. Each reads the melody with the lstm's network of the same
kind (frozen, a copy in the checkpoint) and adds the code's share to its chord logits. A seed
gives one code per phrase (``phrase_bars`` bars, counted in downbeats; ``Codes`` in
``accompanist.nn.gan_numpy``), scaled by the style's ``code_scale`` (``live_code_scale`` when
causal); chords are decoded greedily, so the same melody, style and seed give the same chords
and another seed another harmonization, each phrase under one code. ``seed=None`` means seed 0
(``DEFAULT_SEED``). The causal run and ``reset(seed)`` + ``step`` per beat are the same code, so
they agree exactly; ``vary(seed)`` takes the next phrase's code from another seed's stream
without clearing the melody heard so far (the live loop calls it only at a phrase boundary).

``use_temperature(t)`` with t > 0 draws each beat's chord from softmax(log p / t) instead (Gumbel
draws from the seed's second stream); the shipped default is 0, greedy decoding of the code.
Inference runs in numpy: loading and harmonizing import no torch. Training (``fit``) and
``--device cuda`` (the offline melody net on the GPU) use torch's generators, built from the same
weights on first use (``generators``). ``extra_metrics`` reports the variety across
``DIVERSITY_SEEDS`` (``accompanist.variety``).
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

import numpy as np

from accompanist import chords
from accompanist.config import apply_overrides
from accompanist.data.corpora import STYLES, style_index
from accompanist.harmonizers.base import Harmonizer
from accompanist.melody import BeatFrame, Melody
from accompanist.nn import shapes
from accompanist.nn.configs import GANConfig, LSTMConfig
from accompanist.nn.gan_numpy import CodeHead, Codes, draw, phrase_index, starts_phrase
from accompanist.nn.lstm_numpy import NumpyChordNet, NumpyStepper
from accompanist.nn.numpy_nets import arrays, stored, torch_weights
from accompanist.variety import SEEDS, harmonize_seeds, variety_metrics

V = chords.VOCAB_SIZE
DEFAULT_SEED = 0
DIVERSITY_SEEDS = SEEDS
NETS = ("offline", "causal")


class Session:
    """One causal run: the melody net's state, the seed's streams and the phrase's code."""

    def __init__(self, model: GANHarmonizer, seed: int | None, stepper: NumpyStepper) -> None:
        self.model, self.stepper, self.head = model, stepper, model.heads[True]
        self.stepper.reset()
        self.stepper.style = model.style_row
        self.codes = Codes(DEFAULT_SEED if seed is None else seed, model.config.code_dim)
        self.downbeats = 0  # before this beat
        self.share: np.ndarray | None = None  # the phrase's code share; None: draw at the next beat

    def vary(self, seed: int) -> None:
        """The next beat begins a phrase whose code comes from ``seed``'s stream."""
        self.codes = Codes(seed, self.model.config.code_dim)
        self.share = None

    def prepare(self) -> None:
        self.stepper.prepare()

    def step(self, frame: BeatFrame) -> tuple[int, np.ndarray]:
        """This beat's chord and the distribution it came from; the state advances."""
        config = self.model.config
        if self.share is None or starts_phrase(self.downbeats, frame.bar_pos, config.phrase_bars):
            self.share = self.head.code_share(self.codes.code() * self.model.scale[True])
        self.downbeats += frame.bar_pos == 0
        state = self.stepper.advance(frame.pitch, frame.onset, frame.bar_pos)
        probs = self.head.step(state[:, :-1], self.share)
        gumbel = self.codes.gumbel() if config.temperature > 0 else None
        return draw(probs, gumbel, config.temperature), probs


class GANHarmonizer(Harmonizer):
    family = "gan"
    predict_is_argmax = False  # predict decodes one seed's codes, not the probabilities' argmax

    def __init__(self, config: GANConfig, encoder: LSTMConfig, weights: dict[str, dict[str, Any]]) -> None:
        """``encoder``: the lstm config of the generators' melody nets; ``weights``: the offline
        and the causal generator's state dicts (tensors or arrays)."""
        self.config, self.encoder = config, encoder
        self.weights = stored(weights, NETS)
        folded = {name: arrays(self.weights[name]) for name in NETS}
        keys = replace(encoder, shifts=config.shifts).shift_list()
        self.melody_net = NumpyChordNet(folded["offline"], encoder.layers, keys, bidirectional=True)
        # live play's stepper, and another for causal runs of whole melodies beside it
        self.stepper = NumpyStepper(folded["causal"], encoder.layers, keys)
        self.runner = NumpyStepper(folded["causal"], encoder.layers, keys)
        self.heads = {
            causal: CodeHead(folded[name], np.asarray(keys)) for name, causal in zip(NETS, (False, True))
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

            self._generators = build_generators(self.config, self.encoder, self.weights, self.device)
        return self._generators

    @property
    def varies(self) -> bool:
        """Whether ``vary`` gives another idea: whenever a code changes the chords (scale > 0) or
        they are drawn (temperature > 0)."""
        return max(self.scale.values()) > 0 or self.config.temperature > 0

    def use_temperature(self, temperature: float) -> bool:
        """Draw each beat's chord at ``temperature`` from now on (0: greedy decoding of the code)."""
        self.config.temperature = temperature
        return True

    def use_style(self, style: str) -> None:
        self.style = style
        known = style if style in self.styles or not self.styles else self.styles[0]
        self.style_row = style_index(known)
        self.scale = {causal: self.config.scales(causal).get(known, 1.0) for causal in (False, True)}
        self.reset()

    # ---- offline and causal runs -----------------------------------------------------------
    def sample(
        self, melody: Melody, *, causal: bool = False, seed: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(n_beats,) chord indices and (n_beats, V) probabilities under one seed's codes."""
        if melody.n_beats == 0:
            return np.zeros(0, dtype=np.int64), np.zeros((0, V))
        if causal:
            session = Session(self, seed, self.runner)
            rows = [session.step(frame) for frame in melody.frames()]
            return np.array([r[0] for r in rows], dtype=np.int64), np.stack([r[1] for r in rows])
        codes = Codes(DEFAULT_SEED if seed is None else seed, self.config.code_dim)
        phrases = phrase_index(melody.bar_pos, self.config.phrase_bars)
        head = self.heads[False]
        shares = head.shares(codes.code() * self.scale[False] for _ in range(phrases[-1] + 1))
        probs = head.probabilities(self.features(melody), shares[phrases])
        if self.config.temperature <= 0:
            return probs.argmax(axis=1), probs
        index = [draw(row, codes.gumbel(), self.config.temperature) for row in probs]
        return np.array(index, dtype=np.int64), probs

    def features(self, melody: Melody) -> np.ndarray:
        """(K, n_beats, width) the offline melody net's features, in each key (numpy, or torch's on a GPU)."""
        if self.device == "cpu":
            return self.melody_net.features(melody, self.style_row)
        from accompanist.nn.gan import torch_features

        return torch_features(self.generators["offline"], melody, self.melody_net.shifts, self.style_row)

    def probabilities(self, melody: Melody, *, causal: bool = False, seed: int | None = None) -> np.ndarray:
        return self.sample(melody, causal=causal, seed=seed)[1]

    def predict(self, melody: Melody, *, causal: bool = False, seed: int | None = None) -> np.ndarray:
        return self.sample(melody, causal=causal, seed=seed)[0]

    def predict_spans(
        self, melody: Melody, may_change: np.ndarray, *, causal: bool = False, seed: int | None = None
    ) -> np.ndarray:
        """One seed's chords, each span between change points taking its most frequent chord
        (offline) or the chord of its first beat (causal, as live play does)."""
        from accompanist import pace

        return pace.held_or_majority(
            self.predict(melody, causal=causal, seed=seed), may_change, causal=causal
        )

    def extra_metrics(self, pieces: list, *, causal: bool = False, changes: str = "auto") -> dict[str, float]:
        """The variety of the harmonizations of ``DIVERSITY_SEEDS`` at the pace ``changes``
        (``accompanist.variety``)."""
        runs = harmonize_seeds(self, pieces, causal=causal, seeds=DIVERSITY_SEEDS, changes=changes)
        return variety_metrics(pieces, runs)

    # ---- live: numpy on the CPU, whatever the device -----------------------------------------
    def reset(self, seed: int | None = None) -> None:
        self._session = Session(self, seed, self.stepper)

    def vary(self, seed: int) -> None:
        """The next phrase's code from ``seed``'s stream, the melody heard so far kept."""
        self._session.vary(seed)

    def prepare(self) -> None:
        self._session.prepare()

    def step_index(self, frame: BeatFrame) -> int:
        return self._session.step(frame)[0]

    def step_probabilities(self, frame: BeatFrame) -> np.ndarray:
        """The distribution this beat's chord was decoded from (the session goes on with it)."""
        return self._session.step(frame)[1]

    # ---- persistence -----------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {"config": asdict(self.config), "encoder": asdict(self.encoder), **torch_weights(self.weights)}

    @classmethod
    def from_state(cls, state: dict[str, Any], device: str = "cpu") -> GANHarmonizer:
        config = GANConfig(**state["config"])
        encoder = LSTMConfig(**state["encoder"])
        sizes = (config.code_dim, config.code_hidden, config.phrase_bars, encoder.hidden, encoder.embed_dim)
        if not (min(sizes) >= 1 and max(sizes) <= 4096 and 1 <= encoder.layers <= 8):
            raise ValueError("config: code_dim, code_hidden, phrase_bars, encoder sizes 1-4096; layers 1-8")
        styles = {s for s in config.styles.split(",") if s}
        if not (config.temperature >= 0 and config.shifts >= 1 and styles <= set(STYLES)):
            raise ValueError("config: temperature >= 0, shifts >= 1, styles among chorale, folk")
        if not all(scale >= 0 for causal in (False, True) for scale in config.scales(causal).values()):
            raise ValueError("config: code_scale, live_code_scale hold style=scale pairs, each scale >= 0")
        for name in NETS:
            shapes.check(state[name], shapes.generator(config, encoder, causal=name == "causal"))
        return cls(config, encoder, {name: state[name] for name in NETS}).to(device)

    def to(self, device: str) -> GANHarmonizer:
        """Only the offline melody net runs on ``device``; the code head and live steps stay on the CPU."""
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
        """Train both generators' code heads on an lstm's frozen melody nets (``encoder``, or one
        trained here first), then set each style's code scale on the validation pieces."""
        import torch

        from accompanist.nn.gan import encoder_config
        from accompanist.nn.gan_training import calibrate, gan_trainer, melody_encoder
        from accompanist.nn.trainer import distributed
        from accompanist.pace import style_paces

        config = apply_overrides(GANConfig(), options)
        config.styles = ",".join(s for s in STYLES if any(p.style == s for p in train))
        torch.set_num_threads(config.threads)
        with distributed(device) as (rank, world, dev):
            encoder, encoder_meta = melody_encoder(
                config, train, valid, device=dev, seed=seed, progress=progress
            )
            trainer = gan_trainer(
                config,
                encoder,
                train,
                valid,
                seed=seed,
                device=dev,
                rank=rank,
                world=world,
                progress=progress,
            )
            nets = trainer.run()
        weights = {name: nets[name].cpu().state_dict() for name in NETS}
        model = cls(config, encoder_config(encoder.config), weights)
        model.config.code_scale, model.config.live_code_scale = calibrate(model, valid, style_paces(train))
        model.use_style(model.style)
        model.meta = {
            "epochs": trainer.epoch + 1,
            "validation_best": {name: round(score, 4) for name, score in trainer.best.items()},
            "history": trainer.history,
            "world_size": world,
            "encoder": encoder_meta,
        }
        return model
