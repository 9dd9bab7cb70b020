"""The weight names and shapes of the deep families' networks, without torch: what a checkpoint's
state must hold for the numpy inference to run it (``tests/test_shapes.py`` holds them to torch's
``state_dict()`` of the same config)."""

from __future__ import annotations

from collections.abc import Mapping

from accompanist import chords
from accompanist.nn.configs import GANConfig, LSTMConfig
from accompanist.nn.tokens import MAX_BAR_POS, N_PITCH_TOKENS

Shapes = dict[str, tuple[int, ...]]
V = chords.VOCAB_SIZE
VOICE_CLASSES = 13  # 12 pitch classes and a rest


def beat_encoder(pitch_dim: int, width: int, prefix: str = "encoder.") -> Shapes:
    return {
        f"{prefix}pitch.weight": (N_PITCH_TOKENS, pitch_dim),
        f"{prefix}onset.weight": (2, pitch_dim),
        f"{prefix}step": (4, pitch_dim),
        f"{prefix}bar.weight": (MAX_BAR_POS, width),
        f"{prefix}proj.weight": (width, 4 * pitch_dim),
        f"{prefix}proj.bias": (width,),
    }


def lstm_layer(inputs: int, hidden: int, prefix: str, suffix: str) -> Shapes:
    return {
        f"{prefix}weight_ih{suffix}": (4 * hidden, inputs),
        f"{prefix}weight_hh{suffix}": (4 * hidden, hidden),
        f"{prefix}bias_ih{suffix}": (4 * hidden,),
        f"{prefix}bias_hh{suffix}": (4 * hidden,),
    }


def linear(inputs: int, outputs: int, prefix: str) -> Shapes:
    return {f"{prefix}weight": (outputs, inputs), f"{prefix}bias": (outputs,)}


def chordnet(config: LSTMConfig, bidirectional: bool) -> Shapes:
    """``accompanist.nn.lstm.ChordNet(bidirectional, **config.net_kwargs())``."""
    kw = config.net_kwargs()
    e, h = kw["embed_dim"], kw["hidden"]
    out = beat_encoder(kw["pitch_dim"], e)
    if kw["styles"]:
        out["style.weight"] = (kw["styles"], e)
    for k in range(kw["layers"]):
        if bidirectional:
            for side in ("forward", "backward"):
                out |= lstm_layer(e if k == 0 else 2 * h, h, f"rnn.{side}_layers.{k}.", "_l0")
        else:
            out |= lstm_layer(e if k == 0 else h, h, "rnn.", f"_l{k}")
    width = h * (2 if bidirectional else 1)
    out |= linear(width, V, "head.")
    if kw["voices"]:
        out |= linear(width, VOICE_CLASSES * kw["voices"], "voice_head.")
    return out


def generator(config: GANConfig, encoder: LSTMConfig, causal: bool) -> Shapes:
    """``accompanist.nn.gan.Generator(config, encoder, causal)``: the lstm's net and a code head."""
    out = chordnet(encoder, bidirectional=not causal)
    width = encoder.hidden * (1 if causal else 2)
    out |= linear(width, config.code_hidden, "code.p.")
    out["code.q.weight"] = (config.code_hidden, config.code_dim)
    out |= linear(config.code_hidden, V, "code.o.")
    return out


def check(weights: Mapping[str, object], expected: Shapes) -> None:
    """ValueError (one line, counted as torch's load_state_dict lists them) unless ``weights``
    holds exactly the expected names, each of its shape."""
    if not isinstance(weights, Mapping):
        raise ValueError(f"weights must be a dict of tensors, not a {type(weights).__name__}")
    missing = len(expected.keys() - weights.keys())
    unexpected = len(weights.keys() - expected.keys())
    wrong = sum(
        tuple(getattr(weights[k], "shape", ())) != shape for k, shape in expected.items() if k in weights
    )
    counts = {"missing": missing, "unexpected": unexpected, "of the wrong shape": wrong}
    if any(counts.values()):
        found = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
        raise ValueError(f"its weights do not match the network ({found})")
