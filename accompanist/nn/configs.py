"""The deep families' settings (``--set key=value``), in a module without torch: ``train --help``
lists them, and checkpoints are checked against them, without importing torch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accompanist.data.corpora import STYLES

VALIDATION_BATCH = 64  # pieces per validation batch, for every deep family (no gradients: memory is small)


@dataclass
class LSTMConfig:
    pitch_dim: int = 32
    embed_dim: int = 128
    hidden: int = 256
    layers: int = 2
    dropout: float = 0.2
    epochs: int = 32  # with both corpora (5x the chorales' beats), 32 epochs fit the 15-minute budget
    batch_size: int = 8
    lr: float = 3e-3
    weight_decay: float = 0.01
    label_smoothing: float = 0.1
    voice_weight: float = 0.5  # weight of the auxiliary loss: alto, tenor, bass pitch classes
    patience: int = 10
    shifts: int = 4  # keys in the prediction ensemble: 1 = the melody as it is
    threads: int = 1
    pretrain: bool = False
    pretrain_epochs: int = 6
    pretrain_melodies: int = 3000
    styles: str = ""  # the idioms trained on, comma-separated ("chorale,folk"); empty: no style input
    style_balance: float = 0.5  # repeat the smaller corpus (beats ratio ** this) times an epoch
    causal_style_balance: float = 1.0  # the same for the causal net, which learns the chorales slower
    causal_epoch_scale: float = 1.5  # the causal net is cheaper: 1.5x the epochs, still done first
    parallel: bool = True  # on the CPU, train the causal net in a second process (one core each)

    def encoder_kwargs(self) -> dict[str, Any]:
        """The shape of the melody encoder and recurrent layers (what pretraining shares)."""
        return {k: getattr(self, k) for k in ("pitch_dim", "embed_dim", "hidden", "layers", "dropout")}

    def net_kwargs(self) -> dict[str, Any]:
        styles = len(STYLES) if self.styles else 0
        return {**self.encoder_kwargs(), "voices": 3 if self.voice_weight > 0 else 0, "styles": styles}

    def style_list(self) -> tuple[str, ...]:
        return tuple(s for s in self.styles.split(",") if s)

    def shift_list(self) -> list[int]:
        """Transpositions nearest the original key first: 0, 1, -1, 2, -2, ... up to 12."""
        order = [0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6]
        return order[: max(1, min(self.shifts, 12))]


@dataclass
class GANConfig:
    hidden: int = 128
    pitch_dim: int = 32
    chord_dim: int = 32
    noise_dim: int = 16
    dropout: float = 0.2
    epochs: int = 56  # each epoch every piece once (the chorales repeated), in a random key
    patience: int = 10  # stop when neither generator's validation has improved for this many epochs
    grad_clip: float = 1.0  # of the generators' and the critic's gradient norms
    batch_size: int = 64
    lr: float = 3e-3
    d_lr: float = 1e-3
    weight_decay: float = 0.01
    adversarial_weight: float = 0.5
    consonance_weight: float = 1.0  # weight of the expected-consonance reward (0: none)
    window: int = 32  # beats of each batch that the generators free-run and D judges
    critic_hidden: int = 64
    gumbel_tau: float = 1.0
    train_temperature: float = 0.5  # of the samples D sees in training
    temperature: float = 0.0  # of the chords harmonize() draws; 0 (greedy) takes the most likely chord
    noise_scale: float = 1.0
    shifts: int = 12  # keys in the inference ensemble (1 = the melody as it is)
    transpose: bool = True  # each epoch, every piece in a random key (-6..+5 semitones)
    threads: int = 2
    styles: str = ""  # the idioms trained on, comma-separated ("chorale,folk"); empty: no style input
    style_balance: float = 0.5  # repeat the smaller corpus (beats ratio ** this) times an epoch
