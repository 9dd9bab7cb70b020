"""Variety that is music: each generator's harmonizations over 8 seeds on both test splits.

For every model and corpus (each test split in its own style, at the pace ``--changes``, default
beat; ``auto``: the style's, as ``accompanist eval`` measures), harmonizes each
test melody with ``SEEDS`` (greedy decoding unless ``--temperature``), offline and causal, and
prints one Markdown row per model, corpus and mode with the figures of ``accompanist.variety``
(diversity, distinct harmonizations of 8, each seed's accuracy / PCS / note-in-chord, mean and
worst seed, chords per piece, and the mode-collapse check against the human chords), then one
JSON object (also written to ``--out``). Any family whose ``predict`` takes a seed can be
measured, so the old generator and the new one give comparable rows.

    python scripts/gan_variety.py [--models gan lstm] [--corpora chorales nottingham]
                                  [--temperature T] [--changes beat|auto|half|bar]
                                  [--out reports/gan/variety.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from accompanist import harmonizers
from accompanist.data.corpora import corpus
from accompanist.variety import SEEDS, harmonize_seeds, variety_metrics

COLUMNS = (
    "diversity",
    "distinct",
    "seed_accuracy",
    "seed_accuracy_min",
    "seed_majmin",
    "seed_pcs",
    "seed_pcs_min",
    "seed_note_in_chord",
    "seed_note_in_chord_min",
    "chords_per_piece",
    "entropy",
    "reference_entropy",
    "coverage",
    "reference_coverage",
    "chord_overlap",
    "entropy_overlap",
)


def rows(model, pieces: list, changes: str) -> dict[str, dict[str, float]]:
    out = {}
    for mode in ("offline", "causal"):
        runs = harmonize_seeds(model, pieces, causal=mode == "causal", changes=changes)
        scores = variety_metrics(pieces, runs)
        out[mode] = {k: round(v, 4) for k, v in scores.items() if v is not None}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["gan"])
    parser.add_argument("--corpora", nargs="+", default=["chorales", "nottingham"])
    parser.add_argument("--temperature", type=float, help="sample at this temperature instead")
    parser.add_argument("--changes", default="beat", help="the pace chords are decoded at (default: beat)")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    results: dict[str, dict] = {}
    print("| model | corpus | mode | " + " | ".join(COLUMNS) + " |")
    print("|" + " --- |" * (3 + len(COLUMNS)))
    for name in args.models:
        model = harmonizers.load(name)
        if args.temperature is not None:
            model.config.temperature = args.temperature
        for corpus_name in args.corpora:
            data = corpus(corpus_name)
            model.use_style(data.style)
            scores = rows(model, data.parts(progress=False)["test"], args.changes)
            results.setdefault(name, {})[corpus_name] = scores
            for mode, values in scores.items():
                cells = " | ".join(str(values.get(k, "-")) for k in COLUMNS)
                print(f"| {name} | {corpus_name} | {mode} | {cells} |", flush=True)
    report = {"seeds": list(SEEDS), "temperature": args.temperature, "changes": args.changes}
    report["models"] = results
    json.dump(report, sys.stdout)
    print()
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
