"""The lstm family: training loop, causal stepping, padding, checkpoints, and the shipped model's quality."""

import numpy as np
import pytest
import torch

from accompanist import chords, harmonizers
from accompanist.data import Piece
from accompanist.harmonizers.lstm import NETS, LSTMConfig, LSTMHarmonizer
from accompanist.melody import Melody
from accompanist.nn.encoding import collate
from accompanist.nn.lstm import ChordNet, ensemble_probabilities, reverse_padded
from accompanist.nn.trainer import Trainer, TrainerConfig
from accompanist.training import validation_accuracy

TINY = {"pitch_dim": "8", "embed_dim": "16", "hidden": "16", "layers": "2", "shifts": "3"}
# Measured on the chorale test split with models/lstm.pt: offline 0.578, causal 0.493 (markov:
# 0.493, 0.408). The floors are the chorale-only model's figures, which the folk tunes must not
# cost (issue 10); the model is deterministic, so they hold exactly.
OFFLINE_FLOOR = 0.574
CAUSAL_FLOOR = 0.486
TRAINING_BUDGET_S = 900  # every shipped checkpoint trains in 15 minutes on a 2-core CPU


def synthetic_pieces(n: int, beats: int = 12, seed: int = 0) -> list[Piece]:
    """Melodies of held notes; the chord of each beat is the major chord on its note."""
    rng = np.random.default_rng(seed)
    pieces = []
    for i in range(n):
        pitches = rng.integers(55, 80, beats - i % 4)
        melody = Melody.from_notes([(b, 1.0, int(p)) for b, p in enumerate(pitches)])
        labels = np.array([chords.index(int(p) % 12, 0) for p in pitches], dtype=np.int16)
        satb = np.stack([pitches, pitches - 5, pitches - 12, pitches - 24], axis=1).astype(np.int16)
        pieces.append(Piece(f"s{i}", f"s{i}", melody, labels, satb))
    return pieces


def tiny_model(seed: int = 0) -> LSTMHarmonizer:
    """Untrained nets with a three-key transposition ensemble."""
    config = LSTMConfig(**{k: int(v) for k, v in TINY.items()})
    torch.manual_seed(seed)
    nets = {name: ChordNet(bidirectional=name == "bidirectional", **config.net_kwargs()) for name in NETS}
    return LSTMHarmonizer(config, {name: net.state_dict() for name, net in nets.items()})


def test_tiny_model_loss_falls_within_20_steps():
    pieces = synthetic_pieces(8)
    batch = collate([p.melody for p in pieces], [p.chords for p in pieces])
    torch.manual_seed(0)
    net = ChordNet(bidirectional=True, pitch_dim=8, embed_dim=16, hidden=16, layers=1, dropout=0.0)

    def loss(model, b):
        return torch.nn.functional.cross_entropy(
            model(b).flatten(0, 1), b["chords"].flatten(), ignore_index=-100
        )

    trainer = Trainer(
        TrainerConfig(epochs=20, lr=1e-2, patience=20),
        net,
        lambda epoch: [batch],
        loss,
        lambda m: 0.0,
        progress=False,
    )
    trainer.run()
    losses = [h["loss"] for h in trainer.history]
    assert len(losses) == 20
    assert losses[-1] < 0.8 * losses[0]


def test_fit_trains_both_nets_and_describes_the_run():
    pieces = synthetic_pieces(10)
    options = {**TINY, "epochs": "2", "causal_epoch_scale": "1", "voice_weight": "0.5"}
    model = LSTMHarmonizer.fit(pieces[:8], pieces[8:], options=options, progress=False)
    assert model.meta["epochs"] == {"bidirectional": 2, "causal": 2}
    assert model.meta["train_seconds"] > 0
    assert model.nets["bidirectional"].bidirectional and not model.nets["causal"].bidirectional
    assert model.nets["causal"].voice_head is not None
    with pytest.raises(Exception, match="unknown setting"):
        LSTMHarmonizer.fit(pieces, pieces, options={"no_such": "1"}, progress=False)


def test_two_styles_train_one_net_with_a_style_input_and_lead_sheets_add_no_voice_loss():
    from dataclasses import replace

    from accompanist.nn.lstm_training import _batches, _loss

    pieces = synthetic_pieces(10)
    folk = [replace(p, style="folk", satb=None, chords=np.roll(p.chords, 1)) for p in pieces[:6]]
    options = {**TINY, "epochs": "2", "voice_weight": "0.5"}
    config = LSTMConfig(**{k: int(v) for k, v in TINY.items()}, styles="chorale,folk")
    net = ChordNet(bidirectional=True, **config.net_kwargs())
    for batch in _batches(folk, 4, 0, 0, "cpu"):  # lead sheets only: no voice targets at all
        assert torch.isfinite(_loss(net, batch, config))
    model = LSTMHarmonizer.fit(pieces[:6] + folk, pieces[6:8] + folk[:2], options=options, progress=False)
    assert model.styles == ("chorale", "folk") and model.nets["causal"].style.num_embeddings == 2
    melody = pieces[9].melody
    rows = {}
    for style in model.styles:
        model.use_style(style)
        rows[style] = model.probabilities(melody)
        model.reset()
        assert [model.step_index(f) for f in melody.frames()] == list(model.predict(melody, causal=True))
    assert not np.allclose(rows["chorale"], rows["folk"])


def test_the_same_seed_gives_the_same_model():
    pieces = synthetic_pieces(6)
    first, second = (
        LSTMHarmonizer.fit(pieces[:5], pieces[5:], options={**TINY, "epochs": "2"}, seed=3, progress=False)
        for _ in range(2)
    )
    for name in NETS:
        for key, value in first.nets[name].state_dict().items():
            assert torch.equal(value, second.nets[name].state_dict()[key]), key


def test_the_causal_net_trained_in_a_second_process_is_the_one_trained_here():
    pieces = synthetic_pieces(6)
    options = {**TINY, "epochs": "2", "causal_epoch_scale": "1", "causal_style_balance": "0.5"}
    beside, here = (
        LSTMHarmonizer.fit(
            pieces[:5], pieces[5:], options={**options, "parallel": parallel}, seed=3, progress=False
        )
        for parallel in ("true", "false")
    )
    for name in NETS:
        for key, value in beside.nets[name].state_dict().items():
            assert torch.equal(value, here.nets[name].state_dict()[key]), (name, key)
    assert beside.meta["epochs"] == here.meta["epochs"] == {"bidirectional": 2, "causal": 2}


def test_stepping_gives_the_chords_of_the_causal_run():
    model = tiny_model()
    melody = synthetic_pieces(1, beats=30, seed=3)[0].melody
    model.reset()
    stepped = [model.step(frame) for frame in melody.frames()]
    assert stepped == model.harmonize(melody, causal=True)
    model.reset()
    first = model.step_probabilities(melody.frames()[0])
    assert np.allclose(first, model.probabilities(melody, causal=True)[0], atol=1e-5)


@pytest.mark.parametrize("causal", [False, True])
def test_numpy_inference_gives_torch_probabilities(causal):
    model = tiny_model()
    melody = synthetic_pieces(1, beats=30, seed=6)[0].melody
    fast = model.probabilities(melody, causal=causal)
    model.reference = True
    try:
        reference = model.probabilities(melody, causal=causal)
    finally:
        model.reference = False
    assert fast.shape == reference.shape == (30, 109)
    assert np.abs(fast - reference).max() < 1e-5


def test_causal_chords_ignore_the_future():
    model = tiny_model()
    melody = synthetic_pieces(1, beats=20, seed=4)[0].melody
    cut = Melody(melody.pitch[:40], melody.onset[:40], melody.bar_pos[:10])
    assert model.harmonize(cut, causal=True) == model.harmonize(melody, causal=True)[:10]


def test_padding_does_not_change_the_bidirectional_answer():
    net = tiny_model().nets["bidirectional"]
    short, long = synthetic_pieces(2, beats=14, seed=5)[0].melody, synthetic_pieces(1, beats=25)[0].melody
    with torch.no_grad():
        alone = ensemble_probabilities(net, collate([short]), [0, 1])[0]
        padded = ensemble_probabilities(net, collate([long, short]), [0, 1])[1, : short.n_beats]
    assert torch.allclose(alone, padded, atol=1e-5)


def test_reverse_padded_reverses_each_sequence_in_its_length():
    x = torch.arange(8.0).view(2, 4, 1)
    out = reverse_padded(x, torch.tensor([4, 2]))[..., 0]
    assert out.tolist() == [[3, 2, 1, 0], [5, 4, 6, 7]]


def test_probabilities_are_distributions():
    model = tiny_model()
    melody = synthetic_pieces(1)[0].melody
    for causal in (False, True):
        p = model.probabilities(melody, causal=causal)
        assert p.shape == (melody.n_beats, chords.VOCAB_SIZE)
        assert np.allclose(p.sum(axis=1), 1.0, atol=1e-5)


def test_save_load_round_trip_gives_identical_chords(tmp_path):
    model = tiny_model(seed=7)
    path = tmp_path / "lstm.pt"
    model.save(path, {"note": "test"})
    payload = torch.load(path, weights_only=True)
    assert payload["kind"] == "lstm" and payload["state"]["config"]["hidden"] == 16
    again = harmonizers.load(str(path))
    melody = synthetic_pieces(1, beats=24, seed=8)[0].melody
    for causal in (False, True):
        assert again.harmonize(melody, causal=causal) == model.harmonize(melody, causal=causal)
    assert again.meta == {"note": "test"}


def test_shipped_checkpoint_loads_safely_and_keeps_its_accuracy(chorales):
    path = harmonizers.default_checkpoint("lstm")
    payload = torch.load(path, weights_only=True)
    meta = payload["meta"]
    assert {"config", "bidirectional", "causal"} <= set(payload["state"])
    assert {"split", "train_seconds", "device", "validation_accuracy"} <= set(meta)
    assert meta["train_seconds"] <= TRAINING_BUDGET_S
    model = harmonizers.load("lstm")
    accuracy = validation_accuracy(model, chorales["test"])["chorale"]
    assert accuracy["offline"] >= OFFLINE_FLOOR
    assert accuracy["causal"] >= CAUSAL_FLOOR


def test_pretrained_language_model_transfers_into_both_nets():
    from accompanist.nn.pretrain import MelodyLM, lm_loss, lm_targets, window_batches

    kwargs = {"pitch_dim": 8, "embed_dim": 16, "hidden": 16, "layers": 2, "dropout": 0.0}
    melodies = [p.melody for p in synthetic_pieces(6, beats=20)]
    batch = window_batches(melodies, 6, seed=0, epoch=0, device="cpu")[0]
    after, before = lm_targets(batch)
    assert torch.equal(after[:, 0], batch["pitch"][:, 1]) and torch.equal(before[:, 1], batch["pitch"][:, 0])
    torch.manual_seed(0)
    lm = MelodyLM(**kwargs)
    assert torch.isfinite(lm_loss(lm, batch))
    for bidirectional in (True, False):
        net = ChordNet(bidirectional=bidirectional, **kwargs)
        lm.transfer(net)
        assert torch.equal(net.encoder.pitch.weight, lm.encoder.pitch.weight)
        first = net.rnn.forward_layers[0] if bidirectional else net.rnn
        assert torch.equal(first.weight_hh_l0, lm.forward_rnn.weight_hh_l0)
    assert torch.equal(net.rnn.weight_ih_l1, lm.forward_rnn.weight_ih_l1)
