"""Learning curves: what classical ML and deep learning each cost and give, measured on the chorales.

Every family is trained on 5%, 10%, 25%, 50% and 100% of the training chorales (markov with
three seeds, each drawing its own subset; the deep families with one seed on a reduced epoch
budget) and scored on the test split: beat accuracy against Bach, offline and causal. The
ensemble of markov and lstm (``accompanist.harmonizers.ensemble``, weights tuned on the
validation split) is scored beside them at each share. The models trained on all the data are
then timed on each device (``accompanist.curves.cost``).

Deep models get ``epochs`` passes at 100% and more on smaller shares, ``epochs / sqrt(share)``
(at most three times as many), so that a small share is not simply under-trained; early
stopping on the validation split still applies. ``run_curves`` writes ``results.json``,
``README.md`` and three PNG plots into the report folder (``accompanist.curves.report``) and
returns the results. ``QUICK`` is a tiny variant for tests: markov and a tiny lstm, one share,
three test pieces.

    python -m accompanist.curves [--out reports/curves] [--quick] [--families markov lstm]
"""

from __future__ import annotations

from typing import Any

from accompanist.curves.experiment import DEFAULT_OUT, FAMILIES, FRACTIONS, run_curves

TINY_LSTM = {
    "hidden": "16",
    "embed_dim": "16",
    "pitch_dim": "8",
    "layers": "1",
    "dropout": "0",
    "shifts": "1",
}
QUICK: dict[str, Any] = {
    "families": ("markov", "lstm"),
    "fractions": (0.05,),
    "seeds": {"markov": 1, "lstm": 1},
    "epochs": {"lstm": 1},
    "options": {"lstm": TINY_LSTM},
    "test_limit": 3,
    "cost_steps": 32,
}

__all__ = ["DEFAULT_OUT", "FAMILIES", "FRACTIONS", "QUICK", "run_curves"]
