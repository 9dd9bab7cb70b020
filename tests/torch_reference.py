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
    """The numpy sampler's probabilities for one seed, and torch's Generator teacher-forced with the
    same noise and the same drawn chords (each key fed the chord in its own key)."""
    from accompanist.nn.gan_numpy import BOS, Draws

    index, probs = model.sample(melody, causal=causal, seed=seed)
    gen, net = model.generators["causal" if causal else "offline"], model.nets[causal]
    k = len(net.shifts)
    batch = collate([melody.transpose(int(s)) for s in net.shifts], styles=[model.style_row] * k)
    draws = Draws(seed, model.config.noise_dim, model.config.noise_scale)
    noise = torch.from_numpy(np.stack([draws.beat()[0] for _ in range(melody.n_beats)]))
    previous = torch.from_numpy(net.perm_bos[:, np.concatenate([[BOS], index[:-1]])])
    with torch.no_grad():
        logits = gen.decode(gen.context(batch), noise.expand(k, -1, -1), previous)[0]
    rows = logits.softmax(-1).double().numpy()
    return probs, np.take_along_axis(rows, net.perm[:, None, :], -1).mean(0)
