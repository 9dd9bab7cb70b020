"""Training the conditional GAN (``accompanist.nn.gan``): both generators' code heads against one critic.

The melody nets are a trained lstm's (``melody_encoder``: a checkpoint, or an lstm trained here
first), frozen: each epoch's batches carry their features, computed once. Each step draws two
codes per phrase for every piece and trains the code heads on three terms:

- the cross-entropy against the corpus's chords under both codes: every code must harmonize well;
- a mode-seeking term (Mao et al., 2019, "Mode Seeking GANs"): minus the total-variation
  distance between the two codes' chord distributions at each beat, weighted by
  ``diversity_weight``, so that different codes give different chords where the melody allows;
- the non-saturating GAN term of a critic D that scores every beat of a window of (melody,
  chords), with dilated convolutions (a "patch" critic), weighted by ``adversarial_weight`` (0:
  the supervised variant, no critic). Chords are discrete, so D's gradient reaches G through a
  straight-through sample: the forward pass feeds D the greedy one-hot, the backward pass the
  gradient of the softmax at ``gumbel_tau``.

``consonance_weight`` adds the expected consonance of G's chords with the melody (a reward in
the manner of RL Tuner, Jaques et al., 2017): a chord's consonance at a beat is the PCS interval
score of its tones against the beat's sounding melody steps (``accompanist.metrics``), in [-1, 1].
The loop is ``accompanist.nn.trainer.Trainer``'s (patience, torchrun, clipping), with
``GANStep`` as its step. After training, ``calibrate`` sets each style's code scales (offline,
live): the smallest whose 8 seeds reach ``diversity_target`` (``live_diversity_target``) on that
style's validation pieces, their chords decoded at the style's pace as a user hears them.
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
from accompanist.nn.gan import Discriminator, Generator, encoder_config
from accompanist.nn.gan_numpy import phrase_index
from accompanist.nn.trainer import Trainer, TrainerConfig

V = chords.VOCAB_SIZE
NETS = ("offline", "causal")
SCALES = np.round(np.arange(0.1, 4.01, 0.1), 2)  # the code scales ``calibrate`` tries, smallest first


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


def melody_encoder(config: GANConfig, train: list, valid: list, *, device: str, seed: int, progress: bool):
    """(the lstm whose nets read the melody, what to record of it): ``config.encoder``'s
    checkpoint, or an lstm trained here on the same pieces (``encoder_options``)."""
    from accompanist import harmonizers
    from accompanist.config import parse_sets
    from accompanist.errors import AccompanistError
    from accompanist.harmonizers.lstm import LSTMHarmonizer

    if config.encoder:
        lstm = harmonizers.load(config.encoder)
        if not isinstance(lstm, LSTMHarmonizer):
            raise AccompanistError(f"encoder={config.encoder} is a {lstm.family} model, not an lstm")
        meta = lstm.meta
        return lstm, {
            "checkpoint": config.encoder,
            "train_seconds": meta.get("train_seconds"),
            "split": meta.get("split"),
        }
    options = parse_sets([o for o in config.encoder_options.split(",") if o])
    lstm = LSTMHarmonizer.fit(train, valid, options=options, device=device, seed=seed, progress=progress)
    return lstm, {"trained": "here", "options": options, "seconds": lstm.meta.get("seconds")}


def generators(config: GANConfig, lstm) -> dict[str, Generator]:
    """Both generators on the lstm's weights (its voice head left out), the encoders frozen."""
    encoder = encoder_config(lstm.config)
    out = {}
    for name, source in zip(NETS, ("bidirectional", "causal")):
        gen = Generator(config, encoder, causal=name == "causal")
        weights = {k: torch.as_tensor(np.asarray(v)) for k, v in lstm.weights[source].items()}
        missing, unexpected = gen.load_state_dict(
            {k: v for k, v in weights.items() if not k.startswith("voice_head.")}, strict=False
        )
        assert all(k.startswith("code.") for k in missing) and not unexpected, (missing, unexpected)
        out[name] = gen.freeze_encoder()
    return out


def batches(pieces: list, size: int, rng: np.random.Generator, config: GANConfig, gens: dict) -> list[dict]:
    """Padded batches of pieces of similar length (less padding), in a random order, each with
    its phrase index (B, T) and each generator's features (``features_offline``, ``features_causal``)."""
    lengths = np.array([p.melody.n_beats for p in pieces]) + rng.uniform(0, 8, len(pieces))
    order = np.argsort(lengths)
    groups = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(groups)
    device = next(iter(gens.values())).head.weight.device
    out = []
    for g in groups:
        batch = collate(
            [pieces[i].melody for i in g],
            [pieces[i].chords for i in g],
            [style_index(pieces[i].style) for i in g],
        )
        phrase = torch.zeros_like(batch["bar"])
        for row, i in enumerate(g):
            index = phrase_index(pieces[i].melody.bar_pos, config.phrase_bars)
            phrase[row, : len(index)] = torch.from_numpy(index)
        batch["phrase"] = phrase
        batch = {k: v.to(device) for k, v in batch.items()}
        for name, gen in gens.items():
            batch[f"features_{name}"] = gen.frozen_features(batch)
        out.append(batch)
    return out


def random_keys(pieces: list, rng: np.random.Generator) -> list:
    """Every piece moved into a random key (-6..+5 semitones)."""
    return [p.transpose(int(s)) if s else p for p, s in zip(pieces, rng.integers(-6, 6, len(pieces)))]


def phrase_codes(
    phrase: torch.Tensor, code_dim: int, generator: torch.Generator | None = None
) -> torch.Tensor:
    """(B, T, code_dim): one standard normal code per phrase of each piece, on every beat of it."""
    b, t = phrase.shape
    codes = torch.randn(b, int(phrase.max()) + 1, code_dim, generator=generator).to(phrase.device)
    return codes.gather(1, phrase[..., None].expand(b, t, code_dim))


def window(batch: dict[str, torch.Tensor], start: int, stop: int) -> dict[str, torch.Tensor]:
    return {k: v[:, start:stop] if v.dim() > 1 else v for k, v in batch.items()}


def masked_bce(logits: torch.Tensor, target: float, mask: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of per-beat logits against one target, over the real beats only."""
    loss = F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target), reduction="none")
    return (loss * mask).sum() / mask.sum().clamp(min=1)


def masked_mean(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return (values * mask).sum() / mask.sum().clamp(min=1)


def gan_trainer(
    config: GANConfig,
    lstm,
    train: list,
    valid: list,
    *,
    seed: int = 0,
    device: str = "cpu",
    rank: int = 0,
    world: int = 1,
    progress: bool = False,
) -> Trainer:
    """The trainer of both generators' code heads and the critic (a ModuleDict: offline, causal,
    critic) on ``lstm``'s melody nets; each generator keeps the weights of its best validation epoch."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    nets = nn.ModuleDict(generators(config, lstm) | {"critic": Discriminator(config)}).to(device)
    gens = {name: nets[name] for name in NETS}
    train = balance_styles(train, config.style_balance)
    valid_batches = batches(valid, VALIDATION_BATCH, np.random.default_rng(0), config, gens) if valid else []

    def epoch_batches(epoch: int) -> list[dict[str, torch.Tensor]]:
        return batches(random_keys(train, rng), config.batch_size, rng, config, gens)

    def validate(nets: nn.ModuleDict) -> dict[str, float]:
        if not valid_batches:
            return {name: float("nan") for name in NETS}
        return {name: accuracy(nets[name], name, valid_batches, config) for name in NETS}

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
    """One update of D (if adversarial) and of both code heads: the gan's step in the Trainer."""

    def __init__(self, config: GANConfig, trainer: Trainer, rng: np.random.Generator, device: str) -> None:
        self.config, self.trainer, self.rng, self.device = config, trainer, rng, device
        nets = trainer.model
        self.generators = {name: nets[name] for name in NETS}
        self.critic = nets["critic"]
        self.g_params = [p for g in self.generators.values() for p in g.parameters() if p.requires_grad]
        self.g_opt = torch.optim.AdamW(self.g_params, lr=config.lr, weight_decay=config.weight_decay)
        self.d_opt = torch.optim.Adam(self.critic.parameters(), lr=config.d_lr, betas=(0.5, 0.999))
        self.advance = trainer.one_cycle(self.g_opt, config.lr)

    @property
    def adversarial(self) -> bool:
        return self.config.adversarial_weight > 0

    def __call__(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        """Returns the losses: ce, differ (the mode-seeking distance), cons (with a consonance
        reward), d and adv (when adversarial)."""
        cfg = self.config
        batch = {k: v.to(self.device) for k, v in batch.items()}
        n_beats = batch["mask"].shape[1]
        width = min(cfg.window, n_beats)
        start = int(self.rng.integers(0, n_beats - width + 1))
        part = window(batch, start, start + width)
        scores = consonance(batch["pitch"]) if cfg.consonance_weight > 0 else None
        terms = [self._generate(name, batch, scores, slice(start, start + width)) for name in NETS]
        ces, differs, rewards, fakes = zip(*terms)
        losses = {"ce": sum(ces) / 2, "differ": sum(differs) / 2}
        g_loss = losses["ce"] - cfg.diversity_weight * losses["differ"]
        if scores is not None:
            losses["cons"] = sum(rewards) / 2
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

    def _generate(self, name: str, batch, scores: torch.Tensor | None, span: slice):
        """Under two codes per phrase: the mean cross-entropy, the mean total-variation distance
        between the two codes' distributions, the expected consonance (given ``scores``) and
        the first code's straight-through samples over the window (when adversarial)."""
        cfg, gen = self.config, self.generators[name]
        features, mask = batch[f"features_{name}"], batch["mask"].float()
        logits = [gen.logits(features, phrase_codes(batch["phrase"], cfg.code_dim)) for _ in range(2)]
        targets = batch["chords"].reshape(-1)
        ce = sum(F.cross_entropy(x.reshape(-1, V), targets, ignore_index=IGNORE) for x in logits) / 2
        probs = [x.softmax(-1) for x in logits]
        differ = masked_mean((probs[0] - probs[1]).abs().sum(-1) / 2, mask)
        reward = masked_mean((probs[0] * scores).sum(-1), mask) if scores is not None else None
        fake = None
        if self.adversarial:
            first = logits[0][:, span]
            hard = F.one_hot(first.argmax(-1), V).to(first.dtype)
            soft = (first / cfg.gumbel_tau).softmax(-1)
            fake = hard + soft - soft.detach()
        return ce, differ, reward, fake

    def _critic_step(self, part, fake: torch.Tensor) -> torch.Tensor:
        """One update of D on the corpus's chords (target 0.9, one-sided smoothing) and on the generators'."""
        n = fake.shape[0] // part["mask"].shape[0]
        both = {k: torch.cat([v] * (n + 1)) for k, v in part.items()}
        real = F.one_hot(part["chords"].clamp(min=0), V).float()
        scores = self.critic(both, torch.cat([real, fake]))
        b, mask = real.shape[0], part["mask"].float()
        loss = masked_bce(scores[:b], 0.9, mask) + masked_bce(scores[b:], 0.0, both["mask"][b:].float())
        self.trainer.update(loss, self.d_opt, self.critic.parameters())
        return loss


@torch.no_grad()
def accuracy(gen: Generator, name: str, batches: list[dict[str, torch.Tensor]], config: GANConfig) -> float:
    """The generator's accuracy at its target variety: greedy chords under 8 fixed draws of codes,
    at the code scale (found by bisection) where the draws' diversity reaches
    ``diversity_target``; per style, averaged over the styles (the smaller corpus counts as much).
    Where even the largest scale falls short, the shortfall is taken off. Accuracy alone would
    prefer the first epochs, whose codes change little."""
    rng = torch.Generator().manual_seed(0)
    runs = []
    for batch in batches:
        features = batch[f"features_{name}"]
        codes = [phrase_codes(batch["phrase"], config.code_dim, rng) for _ in range(8)]
        runs.append((gen.head(features), gen.code.p(features), codes, batch))

    def decode(scale: float) -> list[list[torch.Tensor]]:
        return [
            [(base + gen.code.o(torch.tanh(shared + gen.code.q(z * scale)))).argmax(-1) for z in codes]
            for base, shared, codes, _ in runs
        ]

    def diversity(chosen: list[list[torch.Tensor]]) -> float:
        differ = beats = 0.0
        for seeds, (*_, batch) in zip(chosen, runs):
            mask = batch["mask"]
            for i in range(len(seeds)):
                for j in range(i):
                    differ += float(((seeds[i] != seeds[j]) & mask).sum())
                    beats += float(mask.sum())
        return differ / max(beats, 1.0)

    low, high = 0.0, float(SCALES[-1])
    shortfall = max(0.0, config.diversity_target - diversity(decode(high)))
    for _ in range(7 if not shortfall else 0):
        middle = (low + high) / 2
        low, high = (low, middle) if diversity(decode(middle)) >= config.diversity_target else (middle, high)
    hits: dict[int, float] = {}
    total: dict[int, float] = {}
    for seeds, (*_, batch) in zip(decode(high), runs):
        mask = batch["mask"]
        for style in batch["style"].unique().tolist():
            rows = batch["style"] == style
            for chosen in seeds:
                hits[style] = hits.get(style, 0) + float(((chosen == batch["chords"]) & mask)[rows].sum())
                total[style] = total.get(style, 0) + float(mask[rows].sum())
    score = float(np.mean([hits[s] / max(total[s], 1) for s in total])) if total else 0.0
    return score - shortfall  # codes that cannot reach the target even at the largest scale lose


def calibrate(model, valid: list, paces: dict[str, str] | None = None) -> tuple[str, str]:
    """``code_scale`` and ``live_code_scale``: for each style the model learned and each
    generator, the smallest of ``SCALES`` whose 8 seeds' greedy harmonizations of the style's
    validation pieces at its pace (``paces``, beat where absent; offline the span's most frequent
    chord, causal the change point's chord held, as ``predict_spans`` does) reach
    ``diversity_target`` (``live_diversity_target`` causal; the largest scale where none does);
    1.0 for a style without validation pieces. The causal generator's chords under a phrase's
    code are its melody net's features run over the whole melody, then the head: what stepping
    gives."""
    from accompanist.nn.lstm_numpy import NumpyChordNet
    from accompanist.nn.numpy_nets import arrays

    causal_net = NumpyChordNet(
        arrays(model.weights["causal"]), model.encoder.layers, list(model.melody_net.shifts), False
    )
    targets = {False: model.config.diversity_target, True: model.config.live_diversity_target}
    out = {False: [], True: []}
    for style in model.styles:
        pieces = [p for p in valid if p.style == style and p.melody.n_beats]
        model.use_style(style)
        for causal, net in ((False, model.melody_net), (True, causal_net)):
            features = [net.features(p.melody, model.style_row) for p in pieces]
            pace = (paces or {}).get(style, "beat")
            scale = _smallest_scale(
                model, model.heads[causal], pieces, features, pace, causal, targets[causal]
            )
            out[causal].append(f"{style}={scale:g}")
    return ",".join(out[False]), ",".join(out[True])


def _smallest_scale(
    model, head, pieces: list, features: list[np.ndarray], pace: str, causal: bool, target: float
) -> float:
    from accompanist.nn.gan_numpy import Codes
    from accompanist.pace import change_points, held_or_majority
    from accompanist.variety import SEEDS, diversity

    if not pieces:
        return 1.0
    config, runs = model.config, []
    for p, f in zip(pieces, features):
        phrases = phrase_index(p.melody.bar_pos, config.phrase_bars)
        streams = [Codes(s, config.code_dim) for s in SEEDS]
        drawn = [np.stack([c.code() for _ in range(phrases[-1] + 1)]) for c in streams]
        runs.append((head.project(f), phrases, drawn, change_points(p.melody.bar_pos, pace)))
    beats = [p.melody.n_beats for p in pieces]
    for scale in SCALES:
        per_piece = []
        for projected, phrases, drawn, may in runs:
            chosen = [decode(head, projected, phrases, codes * scale) for codes in drawn]
            per_piece.append(diversity([held_or_majority(c, may, causal=causal) for c in chosen]))
        if np.average(per_piece, weights=beats) >= target:
            return float(scale)
    return float(SCALES[-1])


def decode(head, projected: np.ndarray, phrases: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Greedy chords of projected features (``CodeHead.project``) under one code per phrase."""
    return head.probabilities(None, head.shares(codes)[phrases], projected).argmax(axis=1)
