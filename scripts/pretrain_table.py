"""Transfer learning, measured: the lstm family with and without pretraining on folk melodies.

Fine-tunes on 10%, 30% and 100% of the training chorales (the same subsets for both arms),
with the melody encoder started from scratch or from the folk-melody language model
(``accompanist.nn.pretrain``; trained once, then read from the cache), and scores each model on
the test split, offline and causal. Prints a Markdown table, then one JSON object.

    python scripts/pretrain_table.py [--fractions 0.1 0.3 1.0] [--set key=value ...] [--json-out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from accompanist.config import parse_sets
from accompanist.curves.experiment import SMALL_LSTM
from accompanist.training import load_training_data, subset, validation_accuracy

# Shorter and smaller than the shipped model's training, so that the six runs finish in minutes:
# the settings of the committed table.
DEFAULTS = {"epochs": "40", "patience": "10", **SMALL_LSTM}


def run(fractions: list[float], options: dict[str, str], seed: int) -> list[dict]:
    from accompanist.harmonizers.lstm import LSTMHarmonizer

    parts, _ = load_training_data(("chorales",))
    rows = []
    for fraction in fractions:
        train = subset(parts["train"], fraction, seed)
        for pretrain in (False, True):
            start = time.perf_counter()
            model = LSTMHarmonizer.fit(
                train,
                parts["validation"],
                options={**options, "pretrain": str(pretrain)},
                seed=seed,
                progress=sys.stderr.isatty(),
            )
            seconds = time.perf_counter() - start
            test = validation_accuracy(model, parts["test"])["chorale"]
            rows.append(
                {
                    "fraction": fraction,
                    "pieces": len(train),
                    "pretrained": pretrain,
                    "test_offline": round(test["offline"], 4),
                    "test_causal": round(test["causal"], 4),
                    "seconds": round(seconds, 1),
                }
            )
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return rows


def markdown(rows: list[dict]) -> str:
    lines = [
        "| training chorales | pretrained | test offline | test causal | seconds |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['fraction']:.0%} ({r['pieces']}) | {'yes' if r['pretrained'] else 'no'} | "
            f"{r['test_offline']:.3f} | {r['test_causal']:.3f} | {r['seconds']:.0f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.1, 0.3, 1.0])
    parser.add_argument("--set", dest="sets", action="append", metavar="KEY=VALUE")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json-out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    options = {**DEFAULTS, **parse_sets(args.sets)}
    start = time.perf_counter()
    rows = run(args.fractions, options, args.seed)
    result = {
        "options": options,
        "seed": args.seed,
        "rows": rows,
        "seconds": round(time.perf_counter() - start),
    }
    print(markdown(rows))
    print()
    print(json.dumps(result, indent=2))
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
