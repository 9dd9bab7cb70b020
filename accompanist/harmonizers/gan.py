"""The generative family: a conditional GAN's generator, sampled beat by beat (see ``accompanist.nn.gan``).

Two generators ship in one checkpoint: an offline one (its melody LSTM reads the whole piece) for
files and a causal one for live play. Both write chords one beat at a time, and each beat draws,
in this order, the noise vector z_t (``noise_dim`` normals) and ``VOCAB_SIZE`` uniforms for the
Gumbel-max draw from softmax(logits / temperature), from one ``torch.Generator`` seeded with the
``seed`` argument. ``seed=None`` means seed 0 (``DEFAULT_SEED``): output is reproducible unless a
seed is given, and different seeds give different harmonizations. The causal full-sequence run
and ``reset(seed)`` + ``step`` per beat run the same maths (``BeatSampler``) on the same random
stream, so they agree exactly.

Like the lstm family, each beat's distribution is averaged over the melody transposed into
``shifts`` keys (12 by default), each key's decoder fed the sampled chord in its own key.
``probabilities`` gives that distribution (temperature 1) at each beat along the chords that
``predict`` samples for that seed. ``extra_metrics`` reports the variety across
``DIVERSITY_SEEDS`` (``accompanist.variety``). ``vary(seed)`` goes on drawing from another
seed's stream without clearing the recurrent state (the live loop's new idea at a phrase
boundary). The noise carries little of the variety (diversity 0.01 at temperature 0): it comes
from the beat-by-beat draws; a generator whose seed picks a code per phrase was measured and is
not shipped (README, "The gan's variety").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

import numpy as np
import torch

from accompanist import chords
from accompanist.config import apply_overrides
from accompanist.data.corpora import STYLES
from accompanist.harmonizers.base import Harmonizer
from accompanist.melody import BeatFrame, Melody
from accompanist.nn.encoding import MAX_BAR_POS, REST_TOKEN, collate
from accompanist.nn.gan import BOS, GANConfig, GANTrainer, Generator, gumbel, sample_scores, style_index
from accompanist.variety import SEEDS, harmonize_seeds, variety_metrics

V = chords.VOCAB_SIZE
DEFAULT_SEED = 0
DIVERSITY_SEEDS = SEEDS
SHIFTS = (0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6)  # the ensemble's keys, nearest first


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread: beat-sized ops gain nothing from two, and on a busy CPU each op
    then waits for the other thread (measured: a 108-beat piece took 5-13 s on two threads
    while another job ran, 0.04 s on one)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


class BeatSampler:
    """A generator's inference maths one beat at a time, for the K keys of the ensemble at once.

    Row k works on the melody transposed by ``shifts[k]`` semitones. Small torch ops on the
    CPU (fused ``lstm_cell``, the beat encoder folded into lookup tables): on one thread a
    live step takes a fraction of a millisecond.
    """

    def __init__(self, gen: Generator, shifts: tuple[int, ...]) -> None:
        w = {k: v.detach().cpu().float() for k, v in gen.state_dict().items()}
        h, p = gen.out.in_features, gen.encoder.pitch.embedding_dim
        proj = w["encoder.proj.weight"].reshape(h, 4, p)  # BeatEncoder flattens (step, dim)
        self.pitch_table = torch.einsum("tp,hkp->kth", w["encoder.pitch.weight"], proj).contiguous()
        self.onset_table = torch.einsum("op,hkp->koh", w["encoder.onset.weight"], proj).contiguous()
        self.beat_bias = torch.einsum("kp,hkp->h", w["encoder.step"], proj) + w["encoder.proj.bias"]
        self.bar_table = w["encoder.bar.weight"]
        self.style_table = w.get("style.weight")  # (styles, h), or None for a net without a style input
        self.style = 0
        self.melody = [w[f"melody.{n}_l0"] for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
        self.decoder = [w[f"decoder.{n}_l0"] for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
        self.chord_embedding = w["chord.weight"]
        self.out_w, self.out_b = w["out.weight"].T.contiguous(), w["out.bias"]
        self.hidden, self.noise_dim = h, gen.noise_dim
        self.shifts = torch.tensor(shifts, dtype=torch.long)
        perm = np.stack([chords.transpose(np.arange(V), int(k)) for k in shifts]).astype(np.int64)
        self.perm = torch.from_numpy(perm)  # (K, V): chord c of the original key in key k
        self.perm_bos = torch.cat([self.perm, torch.full((len(shifts), 1), BOS)], 1)
        self.steps = torch.arange(4)

    def zeros(self) -> tuple[torch.Tensor, torch.Tensor]:
        z = torch.zeros(len(self.shifts), self.hidden)
        return z, z

    def melody_step(self, frame: BeatFrame, state: tuple[torch.Tensor, torch.Tensor]):
        """(K, h) causal melody context of one beat in every key: the melody LSTM's next state."""
        pitch = torch.tensor(frame.pitch)
        tokens = torch.where(pitch < 0, REST_TOKEN, (pitch[None, :] + self.shifts[:, None]).clamp(0, 127))
        onset = torch.tensor(frame.onset, dtype=torch.long)
        x = self.pitch_table[self.steps, tokens].sum(1) + self.onset_table[self.steps, onset].sum(0)
        x = torch.relu(x + self.beat_bias + self.bar_table[min(max(frame.bar_pos, 0), MAX_BAR_POS - 1)])
        if self.style_table is not None:
            x = x + self.style_table[self.style]
        return torch.lstm_cell(x, state, *self.melody)

    def chord_probabilities(self, context: torch.Tensor, noise: torch.Tensor, prev: int, state):
        """(V,) chord probabilities averaged over the keys (in the original key), and the next state."""
        k = len(self.shifts)
        x = torch.cat([context, noise.expand(k, -1), self.chord_embedding[self.perm_bos[:, prev]]], 1)
        state = torch.lstm_cell(x, state, *self.decoder)
        probs = torch.addmm(self.out_b, state[0], self.out_w).softmax(-1)
        return probs.gather(1, self.perm).mean(0), state


class Session:
    """One generation run: its random stream, the recurrent states and the previous chord."""

    def __init__(self, net: BeatSampler, config: GANConfig, seed: int | None) -> None:
        self.net, self.config = net, config
        self.vary(DEFAULT_SEED if seed is None else seed)
        self.melody_state, self.decoder_state = net.zeros(), net.zeros()
        self.prev = BOS

    def vary(self, seed: int) -> None:
        """Draw from ``seed``'s random stream from the next beat on."""
        self.rng = torch.Generator().manual_seed(seed)

    @torch.inference_mode()
    def chord(self, context: torch.Tensor) -> tuple[int, torch.Tensor]:
        """Draw this beat's noise, then its chord; return the chord and the distribution it came from."""
        noise = torch.randn(self.net.noise_dim, generator=self.rng) * self.config.noise_scale
        g = gumbel((V,), self.rng)
        probs, self.decoder_state = self.net.chord_probabilities(
            context, noise, self.prev, self.decoder_state
        )
        self.prev = int(sample_scores(probs.clamp(min=1e-30).log(), g, self.config.temperature).argmax())
        return self.prev, probs

    @torch.inference_mode()
    def step(self, frame: BeatFrame) -> tuple[int, torch.Tensor]:
        self.melody_state = self.net.melody_step(frame, self.melody_state)
        return self.chord(self.melody_state[0])


class GANHarmonizer(Harmonizer):
    family = "gan"

    def __init__(self, config: GANConfig, offline: Generator, causal: Generator) -> None:
        self.config = config
        self.offline, self.causal = offline.eval(), causal.eval()
        keys = SHIFTS[: max(1, min(config.shifts, 12))]
        self.nets = {False: BeatSampler(offline, keys), True: BeatSampler(causal, keys)}
        self.device = "cpu"
        self.meta: dict[str, Any] = {}
        self.styles = tuple(s for s in config.styles.split(",") if s)
        self.use_style("folk")

    def use_style(self, style: str) -> None:
        self.style = style
        index = style_index(style if style in self.styles or not self.styles else self.styles[0])
        for net in self.nets.values():
            net.style = index
        self.reset()

    # ---- offline and causal runs -----------------------------------------------------------
    def sample(
        self, melody: Melody, *, causal: bool = False, seed: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(n_beats,) chord indices and (n_beats, V) softmax rows, for one seed's noise."""
        session = Session(self.nets[causal], self.config, seed)
        with one_thread():
            if causal:
                rows = [session.step(frame) for frame in melody.frames()]
            else:
                rows = [session.chord(c) for c in self._offline_context(melody)]
        index = np.array([r[0] for r in rows], dtype=np.int64)
        probs = torch.stack([r[1] for r in rows]).numpy() if rows else np.zeros((0, V), np.float32)
        return index, probs

    @torch.inference_mode()
    def _offline_context(self, melody: Melody) -> torch.Tensor:
        """(n_beats, K, C) context of the whole melody in each key of the ensemble."""
        if melody.n_beats == 0:
            return torch.zeros(0)
        shifts = self.nets[False].shifts
        batch = collate(
            [melody.transpose(int(k)) for k in shifts], styles=[self.nets[False].style] * len(shifts)
        )
        context = self.offline.context({k: v.to(self.device) for k, v in batch.items()})
        return context.transpose(0, 1).cpu()

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

    # ---- live ------------------------------------------------------------------------------
    def reset(self, seed: int | None = None) -> None:
        self._session = Session(self.nets[True], self.config, seed)

    def vary(self, seed: int) -> None:
        """Chords drawn from ``seed``'s stream from the next beat on, the melody heard so far kept."""
        self._session.vary(seed)

    def step_index(self, frame: BeatFrame) -> int:
        with one_thread():
            return self._session.step(frame)[0]

    def step_probabilities(self, frame: BeatFrame) -> np.ndarray:
        """The distribution this beat's chord was drawn from (the session goes on with the draw)."""
        with one_thread():
            return self._session.step(frame)[1].double().numpy()

    # ---- persistence -----------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {
            "config": asdict(self.config),
            "offline": {k: v.detach().cpu() for k, v in self.offline.state_dict().items()},
            "causal": {k: v.detach().cpu() for k, v in self.causal.state_dict().items()},
        }

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
        offline, causal = Generator(config, causal=False), Generator(config, causal=True)
        offline.load_state_dict(state["offline"])
        causal.load_state_dict(state["causal"])
        return cls(config, offline, causal).to(device)

    def to(self, device: str) -> GANHarmonizer:
        """Only the offline melody LSTM runs on ``device``; the beat-by-beat maths stays on the CPU."""
        self.offline.to(device)
        self.device = device
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
        config = apply_overrides(GANConfig(), options)
        config.styles = ",".join(s for s in STYLES if any(p.style == s for p in train))
        torch.set_num_threads(config.threads)
        trainer = GANTrainer(config, seed=seed, device=device)
        offline, causal = trainer.fit(train, valid, progress)
        model = cls(config, offline.cpu(), causal.cpu())
        model.meta = {"history": trainer.history}
        return model
