"""The torch-free weight shapes (``accompanist.nn.shapes``) are torch's networks' own."""

import pytest

from accompanist.nn import shapes
from accompanist.nn.configs import GANConfig, LSTMConfig
from accompanist.nn.gan import Generator, encoder_config
from accompanist.nn.lstm import ChordNet

LSTM_CONFIGS = [
    LSTMConfig(),
    LSTMConfig(hidden=16, embed_dim=8, pitch_dim=4, layers=3, voice_weight=0, styles="folk"),
]
GAN_CONFIGS = [
    (GANConfig(), encoder_config(LSTMConfig())),
    (
        GANConfig(code_dim=3, code_hidden=8, styles="chorale,folk"),
        LSTMConfig(hidden=16, embed_dim=8, layers=1, dropout=0.0, voice_weight=0, styles="chorale,folk"),
    ),
]


def torch_shapes(net) -> dict:
    return {k: tuple(v.shape) for k, v in net.state_dict().items()}


@pytest.mark.parametrize("config", LSTM_CONFIGS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_chordnet_shapes(config, bidirectional):
    net = ChordNet(bidirectional=bidirectional, **config.net_kwargs())
    assert shapes.chordnet(config, bidirectional) == torch_shapes(net)


@pytest.mark.parametrize("configs", GAN_CONFIGS)
@pytest.mark.parametrize("causal", [False, True])
def test_generator_shapes(configs, causal):
    config, encoder = configs
    assert shapes.generator(config, encoder, causal) == torch_shapes(
        Generator(config, encoder, causal=causal)
    )


def test_check_counts_what_does_not_fit():
    expected = {"a": (2,), "b": (3, 4)}

    class Weight:
        def __init__(self, *shape):
            self.shape = shape

    shapes.check({"a": Weight(2), "b": Weight(3, 4)}, expected)
    with pytest.raises(ValueError, match=r"\(1 missing, 1 unexpected, 1 of the wrong shape\)"):
        shapes.check({"a": Weight(3), "c": Weight(1)}, expected)
    with pytest.raises(ValueError, match="must be a dict"):
        shapes.check([1], expected)
