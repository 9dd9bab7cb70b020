"""Does one corpus help the other? The lstm trained on both corpora against each alone.

Trains the lstm family with its default (the shipped model's) settings on the chorales alone and
on the Nottingham lead sheets alone, loads the jointly trained one (``--joint``, default the
shipped ``lstm``), and scores all three on both test splits, each in its corpus's style at the
style's pace (``--changes auto``): exact accuracy and mir_eval majmin, offline and causal. Prints
a Markdown table, then one JSON object (also written to ``--out``).

    python scripts/joint_table.py [--joint lstm] [--set key=value ...] [--out reports/joint/results.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from accompanist import harmonizers
from accompanist.config import parse_sets
from accompanist.data.corpora import corpus
from accompanist.evaluate import evaluate
from accompanist.training import train_family

CORPORA = ("chorales", "nottingham")
METRICS = ("accuracy", "majmin")


def scores(model, tests: dict[str, list]) -> dict[str, dict]:
    """{corpus: {mode: {metric: value}}} on each corpus's test split, in its style."""
    out = {}
    for name, pieces in tests.items():
        result = evaluate({"m": model}, pieces, corpus=name, style=corpus(name).style, progress=False)
        out[name] = {mode: {k: round(v[k], 4) for k in METRICS} for mode, v in result["models"]["m"].items()}
    return out


def markdown(rows: list[dict]) -> str:
    head = "| trained on | seconds | " + " | ".join(
        f"{c} {m} {mode}" for c in CORPORA for mode in ("offline", "causal") for m in METRICS
    )
    lines = [head + " |", "|" + " --- |" * (2 + 4 * len(CORPORA))]
    for row in rows:
        cells = [
            str(row["scores"][c][mode][m]) for c in CORPORA for mode in ("offline", "causal") for m in METRICS
        ]
        lines.append(f"| {row['trained_on']} | {row['seconds']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--joint", default="lstm", help="the model trained on both (default: the shipped lstm)"
    )
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--out", type=Path, default=Path("reports/joint/results.json"))
    args = parser.parse_args()
    tests = {name: corpus(name).parts(progress=False)["test"] for name in CORPORA}
    rows = []
    for name in CORPORA:
        model = train_family(
            "lstm", corpora=(name,), options=parse_sets(args.sets), progress=sys.stderr.isatty()
        )
        rows.append(
            {"trained_on": name, "seconds": model.meta["train_seconds"], "scores": scores(model, tests)}
        )
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    joint = harmonizers.load(args.joint)
    seconds = joint.meta.get("train_seconds")
    rows.append(
        {"trained_on": "both (" + args.joint + ")", "seconds": seconds, "scores": scores(joint, tests)}
    )
    print(markdown(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=1) + "\n")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
