"""Wall time of each command from process start to exit, and of `live` to its ready line.

    .venv/bin/python scripts/startup_bench.py [--runs 3] [--json FILE]

Each command runs ``--runs`` times as a new process (the way a user starts it); the table gives
the median and the range. ``live`` runs against a private JACK server (``jackd -d dummy``) with
its own virtual ports, for every family: seconds from launch until its ports appear in
``jack_lsp`` and until it prints its ready line; it is skipped where jackd is not installed.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from accompanist.live.jack import die_with_parent, have_jackd, jack_server
from accompanist.live.ports import IN_CLIENT, IN_PORT
from accompanist.live.terminal import READY

ROOT = Path(__file__).resolve().parent.parent
MELODY = ROOT / "midi_samples" / "ode-to-joy.mid"
FAMILIES = ("markov", "lstm", "gan")
ACCOMPANIST = [sys.executable, "-m", "accompanist"]


def commands(out_dir: Path) -> dict[str, list[str]]:
    """Name -> argv; each harmonize run writes a new file in ``out_dir`` (outputs are never replaced)."""
    runs = {
        f"harmonize --model {m}": ["harmonize", str(MELODY), "--model", m, "-o", "{out}"] for m in FAMILIES
    }
    runs |= {
        f"{c} --help".strip(): [*c.split(), "--help"] for c in ("", "harmonize", "live", "eval", "train")
    }
    return runs


def wall_time(argv: list[str], out_dir: Path) -> float:
    argv = [a.replace("{out}", tempfile.mktemp(suffix=".mid", dir=out_dir)) for a in argv]
    start = time.perf_counter()
    subprocess.run([*ACCOMPANIST, *argv], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def live_to_ready(family: str) -> dict[str, float]:
    """Seconds from launch until the input port is listed by jack_lsp, and until the ready line."""
    argv = [*ACCOMPANIST, "live", "--api", "jack", "--virtual", "--model", family]
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, preexec_fn=die_with_parent
    )
    ready = threading.Event()
    seen: dict[str, float] = {}
    lines: list[str] = []

    def read() -> None:
        for line in proc.stderr:
            lines.append(line.strip())
            if READY in line and not ready.is_set():
                seen["ready_s"] = time.perf_counter() - start
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    port = f"{IN_CLIENT}:{IN_PORT}"
    try:
        while not ready.is_set() and proc.poll() is None:
            listed = subprocess.run(["jack_lsp"], capture_output=True, text=True).stdout
            if "ports_s" not in seen and port in listed:
                seen["ports_s"] = time.perf_counter() - start
            ready.wait(0.01)
        if not ready.wait(60):
            raise RuntimeError(f"live --model {family} did not get ready: {' | '.join(lines[-3:])}")
        seen.setdefault("ports_s", seen["ready_s"])  # listed only after the ready line
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(20)
    return seen


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median_s": statistics.median(values),
        "min_s": min(values),
        "max_s": max(values),
        "n": len(values),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args()
    result: dict[str, dict] = {"commands": {}, "live": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for name, argv in commands(Path(tmp)).items():
            result["commands"][name] = summary([wall_time(argv, Path(tmp)) for _ in range(args.runs)])
    if have_jackd():
        with jack_server():
            for family in FAMILIES:
                runs = [live_to_ready(family) for _ in range(args.runs)]
                result["live"][family] = {k: summary([r[k] for r in runs]) for k in ("ports_s", "ready_s")}
    print(f"{'command':40} {'median s':>9} {'min-max s':>12}")
    for name, row in result["commands"].items():
        print(f"{'accompanist ' + name:40} {row['median_s']:9.2f} {row['min_s']:7.2f}-{row['max_s']:.2f}")
    for family, row in result["live"].items():
        ready, ports = row["ready_s"]["median_s"], row["ports_s"]["median_s"]
        print(f"{'accompanist live --model ' + family:40} {ready:9.2f} to ready; ports listed at {ports:.2f}")
    if not result["live"]:
        print("live: skipped (jackd not installed: apt-get install jackd2)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
