"""Training the conditional GAN (``accompanist.nn.gan``): both generators against one critic.

Chords are discrete, so D's gradient reaches G through a straight-through Gumbel-softmax: the
forward pass feeds D (and the next beat) the hard one-hot sample, the backward pass uses the
gradient of the relaxed softmax. D scores every beat of a window of (melody, chords) with
dilated convolutions (a "patch" critic). Training is stable because G also minimises the
teacher-forced cross-entropy against Bach's chords; ``adversarial_weight`` scales the
non-saturating GAN term (0 gives the supervised-only model and skips D altogether). The loop is
``accompanist.nn.trainer.Trainer``'s (patience, torchrun, clipping), with ``GANStep`` as its step.

``consonance_weight`` adds a reward in the manner of RL Tuner (Jaques et al., 2017): the expected
consonance of G's chords with the melody under its own sampling distribution (the logits at
``train_temperature``). A chord's consonance at a beat is the PCS interval score of its tones
against the beat's sounding melody steps (``accompanist.metrics``), in [-1, 1]. Sampling at a
temperature picks an unlikely chord now and then; the reward teaches G to keep those draws
among the chords that fit the melody, which D, judging a few beats at a time, does not enforce.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from accompanist import chords
from accompanist.data import balance_styles
from accompanist.data.corpora import style_index
from accompanist.metrics import PCS_SUMS
from accompanist.nn.configs import VALIDATION_BATCH, GANConfig
from accompanist.nn.encoding import IGNORE, REST_TOKEN, collate
from accompanist.nn.gan import BOS, Discriminator, Generator
from accompanist.nn.trainer import Trainer, TrainerConfig

V = chords.VOCAB_SIZE


_CHORD_SCORES = torch.tensor(
    PCS_SUMS / np.maximum(chords.CHROMA.sum(1, keepdims=True), 1), dtype=torch.float32
)
"""(V, 12): mean interval score of each chord's tones against a melody pitch class; 0 for N."""


def consonance(pitch: torch.Tensor) -> torch.Tensor:
    """(B, T, V) consonance of every chord with each beat's sounding melody steps, in [-1, 1].

    ``pitch`` holds (B, T, 4) pitch tokens; a beat with no sounding step scores 0 for every chord.
    """
    sounding = pitch != REST_TOKEN
    counts = (F.one_hot(pitch % 12, 12) * sounding[..., None]).sum(2).float()  # (B, T, 12)
    scores = counts @ _CHORD_SCORES.to(pitch.device).T
    return scores / sounding.sum(-1, keepdim=True).clamp(min=1)


def batches(pieces: list, size: int, rng: np.random.Generator) -> list[dict[str, torch.Tensor]]:
    """Padded batches of pieces of similar length (less padding), in a random order."""
    lengths = np.array([p.melody.n_beats for p in pieces]) + rng.uniform(0, 8, len(pieces))
    order = np.argsort(lengths)
    groups = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(groups)
    return [
        collate(
            [pieces[i].melody for i in g],
            [pieces[i].chords for i in g],
            [style_index(pieces[i].style) for i in g],
        )
        for g in groups
    ]


def random_keys(pieces: list, rng: np.random.Generator) -> list:
    """Every piece moved into a random key (-6..+5 semitones)."""
    return [p.transpose(int(s)) if s else p for p, s in zip(pieces, rng.integers(-6, 6, len(pieces)))]


def previous_chords(targets: torch.Tensor) -> torch.Tensor:
    """Bach's chord of the beat before each beat (BOS first), the decoder's teacher-forced input."""
    prev = torch.roll(targets.clamp(min=0), 1, dims=1)
    prev[:, 0] = BOS
    return prev


def window(batch: dict[str, torch.Tensor], start: int, stop: int) -> dict[str, torch.Tensor]:
    return {k: v[:, start:stop] if v.dim() > 1 else v for k, v in batch.items()}


def masked_bce(logits: torch.Tensor, target: float, mask: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of per-beat logits against one target, over the real beats only."""
    loss = F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target), reduction="none")
    return (loss * mask).sum() / mask.sum().clamp(min=1)


NETS = ("offline", "causal")


def gan_trainer(
    config: GANConfig,
    train: list,
    valid: list,
    *,
    seed: int = 0,
    device: str = "cpu",
    rank: int = 0,
    world: int = 1,
    progress: bool = False,
) -> Trainer:
    """The trainer of both generators and the critic (a ModuleDict: offline, causal, critic); each
    generator keeps the weights of its own best validation epoch."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    nets = nn.ModuleDict(
        {name: Generator(config, causal=name == "causal") for name in NETS}
        | {"critic": Discriminator(config)}
    ).to(device)
    train = balance_styles(train, config.style_balance)
    valid_batches = batches(valid, VALIDATION_BATCH, np.random.default_rng(0)) if valid else []

    def epoch_batches(epoch: int) -> list[dict[str, torch.Tensor]]:
        pieces = random_keys(train, rng) if config.transpose else train
        return batches(pieces, config.batch_size, rng)

    def validate(nets: nn.ModuleDict) -> dict[str, float]:
        if not valid_batches:
            return {name: float("nan") for name in NETS}
        return {name: accuracy(nets[name], valid_batches, config, device) for name in NETS}

    return Trainer(
        TrainerConfig(
            epochs=config.epochs,
            lr=config.lr,
            weight_decay=config.weight_decay,
            grad_clip=config.grad_clip,
            patience=config.patience,
            seed=seed,
        ),
        nets,
        epoch_batches,
        validate=validate,
        step=lambda trainer: GANStep(config, trainer, rng, device),
        rank=rank,
        world=world,
        progress=progress,
        desc="training gan",
    )


class GANStep:
    """One update of D (if adversarial) and of both generators: the gan's step in the Trainer."""

    def __init__(self, config: GANConfig, trainer: Trainer, rng: np.random.Generator, device: str) -> None:
        self.config, self.trainer, self.rng, self.device = config, trainer, rng, device
        nets = trainer.model
        self.generators = [nets[name] for name in NETS]
        self.critic = nets["critic"]
        self.g_params = [p for g in self.generators for p in g.parameters()]
        self.g_opt = torch.optim.AdamW(self.g_params, lr=config.lr, weight_decay=config.weight_decay)
        self.d_opt = torch.optim.Adam(self.critic.parameters(), lr=config.d_lr, betas=(0.5, 0.999))
        self.advance = trainer.one_cycle(self.g_opt, config.lr)

    @property
    def adversarial(self) -> bool:
        return self.config.adversarial_weight > 0

    def __call__(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        """Returns the losses: ce, cons (with a consonance reward), d and adv (when adversarial)."""
        cfg = self.config
        batch = {k: v.to(self.device) for k, v in batch.items()}
        n_beats = batch["mask"].shape[1]
        width = min(cfg.window, n_beats)
        start = int(self.rng.integers(0, n_beats - width + 1))
        part = window(batch, start, start + width)
        scores = consonance(batch["pitch"]) if cfg.consonance_weight > 0 else None
        ces, rewards, fakes = zip(*(self._generate(g, batch, start, width, scores) for g in self.generators))
        losses = {"ce": sum(ces) / len(ces)}
        g_loss = losses["ce"]
        if cfg.consonance_weight > 0:
            losses["cons"] = sum(rewards) / len(rewards)
            g_loss = g_loss - cfg.consonance_weight * losses["cons"]
        if self.adversarial:
            fake = torch.cat(fakes)
            losses["d"] = self._critic_step(part, fake.detach())
            doubled = {k: torch.cat([v] * len(fakes)) for k, v in part.items()}
            losses["adv"] = masked_bce(self.critic(doubled, fake), 1.0, doubled["mask"].float())
            g_loss = g_loss + cfg.adversarial_weight * losses["adv"]
        self.trainer.update(g_loss, self.g_opt, self.g_params)
        self.advance()
        return {k: float(v.detach()) for k, v in losses.items()}

    def _generate(self, gen: Generator, batch, start: int, width: int, scores: torch.Tensor | None):
        """Teacher-forced cross-entropy and, given the (B, T, V) consonance ``scores``, the expected
        consonance over the batch; free-run samples over the window (only when adversarial)."""
        cfg = self.config
        context = gen.context(batch)
        b, t = batch["mask"].shape
        noise = torch.randn(b, t, cfg.noise_dim, device=self.device) * cfg.noise_scale
        prev = previous_chords(batch["chords"])
        state, logits = gen.start(b)[0], []
        if start:  # split the teacher-forced run to get the decoder's state where the window starts
            head, state = gen.decode(context[:, :start], noise[:, :start], prev[:, :start])
            logits.append(head)
        logits.append(gen.decode(context[:, start:], noise[:, start:], prev[:, start:], state)[0])
        logits = torch.cat(logits, 1)
        ce = F.cross_entropy(logits.reshape(-1, V), batch["chords"].reshape(-1), ignore_index=IGNORE)
        reward = None
        if scores is not None:
            expected = ((logits / cfg.train_temperature).softmax(-1) * scores).sum(-1)
            reward = (expected * batch["mask"]).sum() / batch["mask"].sum().clamp(min=1)
        if not self.adversarial:
            return ce, reward, None
        span = slice(start, start + width)
        temperature, tau = cfg.train_temperature, cfg.gumbel_tau
        fake = gen.free_run(context[:, span], noise[:, span], prev[:, start], state, temperature, tau)
        return ce, reward, fake

    def _critic_step(self, part, fake: torch.Tensor) -> torch.Tensor:
        """One update of D on Bach's chords (target 0.9, one-sided smoothing) and on the generators'."""
        n = fake.shape[0] // part["mask"].shape[0]
        both = {k: torch.cat([v] * (n + 1)) for k, v in part.items()}
        real = F.one_hot(part["chords"].clamp(min=0), V).float()
        scores = self.critic(both, torch.cat([real, fake]))
        b, mask = real.shape[0], part["mask"].float()
        loss = masked_bce(scores[:b], 0.9, mask) + masked_bce(scores[b:], 0.0, both["mask"][b:].float())
        self.trainer.update(loss, self.d_opt, self.critic.parameters())
        return loss


@torch.no_grad()
def accuracy(gen: Generator, batches: list[dict[str, torch.Tensor]], config: GANConfig, device: str) -> float:
    """Share of beats where the generator's most likely chords (temperature 0) match the
    corpus's, per style, averaged over the styles (the smaller corpus counts as much)."""
    rng = torch.Generator().manual_seed(0)
    hits: dict[int, int] = {}
    total: dict[int, int] = {}
    for batch in batches:
        batch = {k: v.to(device) for k, v in batch.items()}
        b, t = batch["mask"].shape
        noise = torch.randn(b, t, config.noise_dim, generator=rng).to(device)
        state, first = gen.start(b)
        fake = gen.free_run(gen.context(batch), noise * config.noise_scale, first, state, 0.0, 1.0, rng)
        hit = (fake.argmax(-1) == batch["chords"]) & batch["mask"]
        for style in batch["style"].unique().tolist():
            rows = batch["style"] == style
            hits[style] = hits.get(style, 0) + int(hit[rows].sum())
            total[style] = total.get(style, 0) + int(batch["mask"][rows].sum())
    return float(np.mean([hits[s] / max(total[s], 1) for s in total])) if total else 0.0
