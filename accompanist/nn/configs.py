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
    # The generator reads the melody with a trained lstm's two ChordNets, kept frozen; the code
    # head (``code_dim`` code, ``code_hidden`` units) is what trains, against the critic.
    encoder: str = ""  # that lstm's checkpoint (a path or "lstm"); empty: train one first
    encoder_options: str = ""  # its settings when trained here, "hidden=64,epochs=8" (LSTMConfig)
    code_dim: int = 8  # the code drawn per phrase from the seed
    code_hidden: int = 128
    phrase_bars: int = 4  # a phrase (one code) is this many bars, counted in downbeats
    code_scale: str = ""  # per style, "chorale=1.3,folk=2.5": set after training (``diversity_target``)
    live_code_scale: str = ""  # the same for the causal generator
    diversity_target: float = 0.28  # diversity of 8 seeds on the validation split that sets the scales
    live_diversity_target: float = 0.25  # the same for the causal generator (live, each point costs accuracy)
    diversity_weight: float = 1.0  # the mode-seeking term: how far two codes' chords must differ
    adversarial_weight: float = 0.5  # the critic's term (0: the supervised variant, no critic)
    consonance_weight: float = 1.0  # an expected-consonance reward (0: none)
    pitch_dim: int = 32  # the critic's melody encoder
    critic_hidden: int = 64
    dropout: float = 0.2  # the critic's
    window: int = 32  # beats of each batch that the critic judges
    gumbel_tau: float = 1.0
    epochs: int = 12
    patience: int = 12
    grad_clip: float = 1.0
    batch_size: int = 32
    lr: float = 2e-3
    d_lr: float = 1e-3
    weight_decay: float = 0.01
    temperature: float = 0.0  # of the chords harmonize() draws; 0 (greedy) decodes the code
    # keys in the inference ensemble: 1, the melody as it is. Averaged over 4 keys the codes'
    # effects cancel (diversity at most 0.22 / 0.13 on the chorale / folk validation splits)
    shifts: int = 1
    threads: int = 2
    styles: str = ""  # the idioms trained on, comma-separated ("chorale,folk"); empty: no style input
    style_balance: float = 0.5  # repeat the smaller corpus (beats ratio ** this) times an epoch

    def scales(self, causal: bool = False) -> dict[str, float]:
        """``code_scale`` (``live_code_scale`` if causal) as {style: scale}."""
        text = self.live_code_scale if causal else self.code_scale
        pairs = (item.partition("=") for item in text.split(",") if item)
        return {style: float(value) for style, _, value in pairs}
