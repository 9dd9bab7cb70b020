"""The learning-curve report: ``results.json``, a Markdown page of tables, and three PNG plots.

``accuracy.png``: test accuracy (offline solid, causal dashed) against training pieces, with
the spread over seeds; ``train_time.png``: training seconds against training pieces;
``cost.png``: live step latency (median bar, p99 tick) and offline throughput per model and
device. Plots use matplotlib's Agg backend, so no display is needed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

PLOTS = {"accuracy": "accuracy.png", "train_time": "train_time.png", "cost": "cost.png"}
COLORS = {"markov": "tab:blue", "lstm": "tab:orange", "gan": "tab:green", "ensemble": "black"}


def curves(results: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Per model, one point per share: pieces, runs, epochs, and mean/min/max of each measure."""
    groups: dict[tuple[str, float], list[dict]] = defaultdict(list)
    for run in results["runs"]:
        groups[run["family"], run["fraction"]].append(run)
    for mix in results["ensemble"]:
        groups["ensemble", mix["fraction"]].append({**mix, "epochs": None})
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (model, fraction), runs in groups.items():
        point = {
            "fraction": fraction,
            "pieces": runs[0]["pieces"],
            "runs": len(runs),
            "epochs": runs[0]["epochs"],
        }
        for key, values in (
            ("offline", [r["test"]["offline"] for r in runs]),
            ("causal", [r["test"]["causal"] for r in runs]),
            ("seconds", [r["train_seconds"] for r in runs]),
        ):
            point[key] = {"mean": float(np.mean(values)), "min": min(values), "max": max(values)}
        out[model].append(point)
    return {m: sorted(points, key=lambda p: p["fraction"]) for m, points in out.items()}


# ---- Markdown -------------------------------------------------------------------------------
def _spread(stat: dict[str, float], runs: int) -> str:
    half = (stat["max"] - stat["min"]) / 2
    return f"{stat['mean']:.3f}" + (f" ± {half:.3f}" if runs > 1 else "")


def accuracy_table(results: dict[str, Any]) -> str:
    lines = [
        "| model | share | pieces | runs | epochs | train s | test accuracy offline | test accuracy causal |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for model, points in curves(results).items():
        for p in points:
            lines.append(
                f"| {model} | {p['fraction']:.0%} | {p['pieces']} | {p['runs']} | {p['epochs'] or '-'} "
                f"| {p['seconds']['mean']:.3g} | {_spread(p['offline'], p['runs'])} "
                f"| {_spread(p['causal'], p['runs'])} |"
            )
    return "\n".join(lines)


def cost_table(results: dict[str, Any]) -> str:
    lines = [
        "| model | device | stored numbers | live step p50 ms | live step p99 ms | offline beats/s |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in results["cost"]:
        lines.append(
            f"| {row['model']} | {row['device']} | {row['numbers']:,} | {row['step_p50_ms']:.3f} "
            f"| {row['step_p99_ms']:.3f} | {row['beats_per_s']:,.0f} |"
        )
    return "\n".join(lines)


def findings(results: dict[str, Any]) -> list[str]:
    """A few sentences read off the numbers: who leads at the smallest and the largest share."""
    points = curves(results)
    fractions = results["settings"]["fractions"]
    out = []
    for fraction, word in sorted({(min(fractions), "smallest"), (max(fractions), "largest")}):
        at = {m: p for m, ps in points.items() for p in ps if p["fraction"] == fraction}
        ranked = sorted(((p["offline"]["mean"], m) for m, p in at.items()), reverse=True)
        if not ranked:
            continue
        (acc, model), rest = ranked[0], ranked[1:]
        share = f"{fraction:.0%} ({next(iter(at.values()))['pieces']} pieces)"
        others = f" ({', '.join(f'{m} {a:.3f}' for a, m in rest)})" if rest else ""
        out.append(f"At the {word} share, {share}, {model} leads offline with {acc:.3f}{others}.")
    return out


def setup(results: dict[str, Any]) -> list[str]:
    """The sentences that say how the numbers were made."""
    s = results["settings"]
    machine = results["machine"]
    lines = [
        f"Data: {results['data']['data']} ({results['data']['split']}); {s['test_pieces']} test pieces. "
        f"Trained on {machine['training_device']} ({machine['platform']}); "
        f"the whole experiment took {results['seconds'] / 60:.1f} min.",
        f"Runs per share: {', '.join(f'{k} {v}' for k, v in s['seeds'].items() if k in s['families'])} "
        "(each seed draws its own subset, so at 100% the seeds differ only in training randomness).",
    ]
    epochs = ", ".join(f"{k} {v}" for k, v in s["epochs_at_full"].items() if k in s["families"])
    if epochs:
        lines.append(
            f"Deep models train {epochs} epochs at 100%, and epochs / sqrt(f) on a share f (at most three "
            "times as many), with early stopping on the validation split."
        )
    if results["ensemble"]:
        members = " and ".join(results["ensemble"][0]["weights"])
        lines.append(
            f"The ensemble averages {members}'s chord probabilities, weights tuned on the validation split."
        )
    return lines


def markdown(results: dict[str, Any]) -> str:
    parts = [
        "# Learning curves: classical ML against deep learning",
        "",
        " ".join(setup(results)),
        "",
        *[f"- {line}" for line in findings(results)],
        "",
        "## Accuracy and training time against training data",
        "",
        accuracy_table(results),
        "",
        f"![test accuracy against training pieces]({PLOTS['accuracy']})",
        f"![training time against training pieces]({PLOTS['train_time']})",
        "",
        "## What running a model costs, per device",
        "",
        "Models trained on the largest share. A live step on one thread; offline throughput over the test "
        "pieces.",
        "",
        cost_table(results),
        "",
        f"![live step latency and offline throughput]({PLOTS['cost']})",
    ]
    parts += [f"Skipped {name}: {why}" for name, why in results["skipped"].items()]
    return "\n".join(parts) + "\n"


# ---- plots ----------------------------------------------------------------------------------
def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_accuracy(results: dict[str, Any], path: Path) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for model, points in curves(results).items():
        x = [p["pieces"] for p in points]
        for mode, style in (("offline", "-o"), ("causal", "--s")):
            mean = np.array([p[mode]["mean"] for p in points])
            low, high = np.array([[p[mode]["min"], p[mode]["max"]] for p in points]).T
            err = np.clip([mean - low, high - mean], 0, None)  # rounding can leave -1e-17
            ax.errorbar(
                x,
                mean,
                yerr=err,
                fmt=style,
                color=COLORS.get(model),
                capsize=3,
                alpha=1.0 if mode == "offline" else 0.6,
                label=f"{model} {mode}",
            )
    ax.set(
        xscale="log",
        xlabel="training pieces (log scale)",
        ylabel="test accuracy (exact chord per beat)",
        title="Accuracy against training data",
    )
    _share_ticks(ax, results)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    _save(fig, path)


def plot_train_time(results: dict[str, Any], path: Path) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for model, points in curves(results).items():
        x = [p["pieces"] for p in points]
        ax.plot(x, [p["seconds"]["mean"] for p in points], "-o", color=COLORS.get(model), label=model)
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="training pieces (log scale)",
        ylabel="training seconds (log scale)",
        title=f"Training time ({results['machine']['training_device']})",
    )
    _share_ticks(ax, results)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    _save(fig, path)


def plot_cost(results: dict[str, Any], path: Path) -> None:
    plt = _pyplot()
    rows = results["cost"]
    labels = [f"{r['model']}\n{r['device']}" for r in rows]
    colors = [COLORS.get(r["model"]) for r in rows]
    x = np.arange(len(rows))
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    left.bar(x, [r["step_p50_ms"] for r in rows], color=colors, label="median")
    left.plot(x, [r["step_p99_ms"] for r in rows], "_", color="red", markersize=18, mew=2, label="p99")
    left.set(yscale="log", ylabel="ms per live step (log)", title="Live step latency, one thread")
    left.legend(fontsize=8)
    right.bar(x, [r["beats_per_s"] for r in rows], color=colors)
    right.set(yscale="log", ylabel="beats per second (log)", title="Offline throughput")
    for ax in (left, right):
        ax.set_xticks(x, labels, fontsize=8)
        ax.grid(alpha=0.3, axis="y", which="both")
    _save(fig, path)


def _share_ticks(ax, results: dict[str, Any]) -> None:
    """x ticks at each share's number of pieces, labelled with pieces and share."""
    shares = {p["pieces"]: p["fraction"] for points in curves(results).values() for p in points}
    ax.set_xticks(list(shares), [f"{n}\n{f:.0%}" for n, f in shares.items()], minor=False)
    ax.set_xticks([], minor=True)


def _save(fig, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    fig.clf()
    import matplotlib.pyplot as plt

    plt.close(fig)


def write_report(results: dict[str, Any], out_dir: str | Path) -> Path:
    """results.json, README.md and the three plots, into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    plot_accuracy(results, out / PLOTS["accuracy"])
    plot_train_time(results, out / PLOTS["train_time"])
    plot_cost(results, out / PLOTS["cost"])
    (out / "README.md").write_text(markdown(results))
    return out
