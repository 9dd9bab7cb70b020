"""torch's answers for the numpy inference to be held to (``accompanist.nn.numpy_nets``)."""

import numpy as np
import torch

from accompanist.nn.encoding import collate


def lstm_probabilities(model, melody, causal: bool) -> np.ndarray:
    """The lstm's probabilities from torch's ChordNet over the whole melody (a causal net's answer
    at a beat is what stepping it to that beat gives)."""
    model.reference = True
    try:
        return model.probabilities(melody, causal=causal)
    finally:
        model.reference = False


def gan_probabilities(model, melody, causal: bool, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The numpy generator's probabilities for one seed, and torch's Generator's for the same
    melody under the same codes (one per phrase, drawn from the seed's stream in order)."""
    from accompanist.nn.gan_numpy import Codes, phrase_index

    probs = model.probabilities(melody, causal=causal, seed=seed)
    gen = model.generators["causal" if causal else "offline"]
    shifts, config = model.melody_net.shifts, model.config
    codes = Codes(seed, config.code_dim)
    phrases = phrase_index(melody.bar_pos, config.phrase_bars)
    drawn = np.stack([codes.code() * model.scale[causal] for _ in range(phrases[-1] + 1)])
    per_beat = torch.from_numpy(drawn[phrases]).float()
    k = len(shifts)
    batch = collate([melody.transpose(int(s)) for s in shifts], styles=[model.style_row] * k)
    with torch.no_grad():
        logits = gen.logits(gen.features(batch), per_beat.expand(k, -1, -1))
    rows = logits.softmax(-1).double().numpy()
    perm = model.heads[causal].perm
    return probs, np.take_along_axis(rows, perm[:, None, :], -1).mean(0)
