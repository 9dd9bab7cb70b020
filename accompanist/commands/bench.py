"""`accompanist bench`: step latency and offline time of every family; optional sections by flag.

The model figures always run. Each optional section is one entry of ``SECTIONS`` (flag, help,
function of the parsed arguments returning a dict that is merged into the output), so adding
one (``--curves``, the learning curves of issue 6) is a few lines.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable
from typing import Any

from accompanist.devices import CHOICES, resolve_device


def live_section(args: argparse.Namespace) -> dict[str, Any]:
    """End-to-end latency through a JACK server (``accompanist.live.bench_live``)."""
    from accompanist.harmonizers import available
    from accompanist.live.bench_live import bench_live

    return bench_live(args.models or available(), notes=args.notes, flood=args.flood, load=args.load)


def curves_section(args: argparse.Namespace) -> dict[str, Any]:
    """Learning curves of every family on 5-100% of a corpus's training tunes (``accompanist.curves``)."""
    from accompanist.curves import QUICK, run_curves
    from accompanist.curves.experiment import FULL_BUDGET

    settings = dict(QUICK) if args.quick else {}
    if args.corpus != "chorales" and not args.quick:
        settings.update(FULL_BUDGET)
    report = args.report or f"reports/curves{'' if args.corpus == 'chorales' else '-' + args.corpus}"
    result = run_curves(report, **settings, device=args.device, progress=not args.json, corpus=args.corpus)
    return {"curves": {"report": str(report), "corpus": args.corpus, "seconds": result["seconds"]}}


SECTIONS: list[tuple[str, str, Callable[[argparse.Namespace], dict[str, Any]]]] = [
    ("live", "also measure end-to-end live latency through a JACK server (needs jackd)", live_section),
    ("curves", "also train every family on 5-100%% of --corpus and write a report", curves_section),
]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench",
        help="time live steps and offline harmonization of every model",
        description="Median and p99 of one causal step (batch 1, one thread: what a note waits "
        "for, the step's recurrent work done ahead between beats as the live loop does), of the "
        "whole beat's work, and of offline harmonization time per test chorale, for every family "
        "whose checkpoint loads.",
    )
    p.add_argument("--models", nargs="+", metavar="MODEL", help="family names or checkpoints (default: all)")
    p.add_argument("--device", choices=CHOICES, default="cpu", help="where the models run (default: cpu)")
    p.add_argument("--steps", type=int, default=2000, help="causal steps timed per model (default 2000)")
    p.add_argument("--pieces", type=int, default=35, help="test chorales to run through (default 35)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    for flag, text, _ in SECTIONS:
        p.add_argument(f"--{flag}", action="store_true", help=text)
    p.add_argument("--notes", type=int, default=1000, help="--live: answered notes per model")
    p.add_argument("--flood", action="store_true", help="--live: add 1,000 other MIDI messages a second")
    p.add_argument(
        "--load",
        action="store_true",
        help="--live: measure while a process per core keeps the CPU busy and FluidSynth (where "
        "installed) renders the answers to audio",
    )
    p.add_argument(
        "--report", help="--curves: report folder (default reports/curves, reports/curves-nottingham)"
    )
    p.add_argument(
        "--corpus",
        choices=("chorales", "nottingham"),
        default="chorales",
        help="--curves: the corpus (nottingham: deep models on their full budget)",
    )
    p.add_argument("--quick", action="store_true", help="--curves: a tiny run (markov and a tiny lstm)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from accompanist.bench import bench_models
    from accompanist.data import load_chorales, split_pieces

    device = resolve_device(args.device)
    with contextlib.redirect_stdout(sys.stderr):  # stdout holds only the result
        pieces = split_pieces(load_chorales(progress=not args.json))["test"][: max(1, args.pieces)]
        result: dict[str, Any] = {"device": device}
        result.update(bench_models([p.melody for p in pieces], args.models, device, args.steps))
        for flag, _, section in SECTIONS:
            if getattr(args, flag):
                merge(result, section(args))
    print(json.dumps(result, indent=2) if args.json else format_result(result))
    return 0


def merge(result: dict[str, Any], extra: dict[str, Any]) -> None:
    """Add a section's keys; the ``skipped`` reasons of both are kept."""
    skipped = {**result.get("skipped", {}), **extra.pop("skipped", {})}
    result.update(extra)
    if skipped:
        result["skipped"] = skipped


def format_result(result: dict[str, Any]) -> str:
    lines = [
        f"device: {result['device']} (one thread)",
        f"{'model':<10} {'step p50':>10} {'step p99':>10} {'beat p50':>10} {'beat p99':>10}"
        f" {'offline p50':>12} {'offline p99':>12}",
    ]
    for name, step in result["step_us"].items():
        beat, off = result["beat_us"][name], result["offline_ms"][name]
        steps = f"{step['p50']:>7.1f} us {step['p99']:>7.1f} us {beat['p50']:>7.1f} us {beat['p99']:>7.1f} us"
        lines.append(f"{name:<10} {steps} {off['p50']:>9.1f} ms {off['p99']:>9.1f} ms")
    for name, live in result.get("live_ms", {}).items():
        lines.append(f"{name:<10} live p50 {live['p50']} ms, p99 {live['p99']} ms, max {live['max']} ms")
    for name, reason in result.get("skipped", {}).items():
        lines.append(f"{name:<10} skipped: {reason}")
    return "\n".join(lines)
