"""The mutation run: `accompanist harmonize` on thousands of corrupt and mutated MIDI files.

    python scripts/fuzz_midi.py [--cases 4000] [--seed 0] [--model markov] [--json out.json]

The cases are tests/midi_mutations.py's (the fuzz tests run a few hundred of them). Each runs in
a child forked from this process once it has harmonized one good file (imports and first-use
costs are paid once, not by every case), so that a hang can be killed (``--timeout``) and each
case's time and peak memory (the child's maximum resident set, from wait4) are its own. It
prints the counts (harmonized, refused, tracebacks, other failures, hangs, failures longer than
one line) with the slowest and biggest cases, and writes them as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import select
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from midi_mutations import GOOD, Case, cases  # noqa: E402

from accompanist import harmonizers  # noqa: E402
from accompanist.cli import main as accompanist_main  # noqa: E402


def warm_up(folder: Path, model: str) -> None:
    """Before any fork: harmonize one good file with markov, and import the family of ``model``.

    Children inherit what this imports and loads. It runs no torch computation: torch's thread
    pools do not survive a fork (a child would wait on them for ever).
    """
    with open(os.devnull, "w") as devnull:
        saved, sys.stdout = sys.stdout, devnull
        try:
            code = accompanist_main(
                ["harmonize", str(GOOD[0]), "-o", str(folder / "warm.mid"), "--model", "markov"]
            )
        finally:
            sys.stdout = saved
    if code != 0:
        raise SystemExit("a good file does not harmonize with markov; nothing to fuzz")
    if model in harmonizers.available():
        harmonizers.family(model)


def run_case(case: Case, folder: Path, model: str, timeout: float) -> dict:
    """One case in a forked child: its exit status, stderr, seconds and peak memory."""
    source, out = folder / "case.mid", folder / "case.out.mid"
    source.write_bytes(case.data)
    read, write = os.pipe()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        _child(write, read, ["harmonize", str(source), "-o", str(out), "--force", "--model", model])
    os.close(write)
    err, hung = _read_until(read, start + timeout)
    if hung:
        os.kill(pid, signal.SIGKILL)
    _, status, usage = os.wait4(pid, 0)
    return {
        "name": case.name,
        "code": os.waitstatus_to_exitcode(status),
        "hung": hung,
        "seconds": round(time.perf_counter() - start, 3),
        "max_rss_mb": round(usage.ru_maxrss / 1024, 1),  # kilobytes on Linux
        "stderr": err,
    }


def _child(write: int, read: int, argv: list[str]) -> None:
    """Run the command with stderr into the pipe and stdout discarded; never returns."""
    os.close(read)
    os.dup2(write, 2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    code = 1
    try:
        code = accompanist_main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _read_until(fd: int, deadline: float) -> tuple[str, bool]:
    """What the child writes to stderr until it closes it; hung if that takes past ``deadline``."""
    chunks = []
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            os.close(fd)
            return b"".join(chunks).decode(errors="replace"), True
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                os.close(fd)
                return b"".join(chunks).decode(errors="replace"), False
            chunks.append(chunk)


def summary(results: list[dict], baseline_mb: float) -> dict:
    """Counts and extremes of a run."""
    tracebacks = [r for r in results if "Traceback" in r["stderr"]]
    failed = [r for r in results if r["code"] != 0 and not r["hung"]]
    return {
        "cases": len(results),
        "harmonized": sum(r["code"] == 0 and not r["hung"] for r in results),
        "refused": sum(r["code"] == 2 and "Traceback" not in r["stderr"] for r in results),
        "tracebacks": len(tracebacks),
        "other_failures": sum(r["code"] not in (0, 2) and "Traceback" not in r["stderr"] for r in failed),
        "hangs": sum(r["hung"] for r in results),
        "longer_than_one_line": sum(r["stderr"].count("\n") > 1 for r in failed),
        "silent_success_with_stderr": sum(r["code"] == 0 and r["stderr"] != "" for r in results),
        "max_seconds": max((r["seconds"] for r in results), default=0.0),
        "max_rss_mb": max((r["max_rss_mb"] for r in results), default=0.0),
        "baseline_rss_mb": baseline_mb,
        "slowest": sorted(results, key=lambda r: -r["seconds"])[:5],
        "biggest": sorted(results, key=lambda r: -r["max_rss_mb"])[:5],
        "bad": [r for r in results if r in tracebacks or r["hung"] or r["code"] not in (0, 2)][:20],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", default="markov")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a case counts as a hang")
    parser.add_argument("--json", type=Path, help="write the summary here (default: stdout only)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="accompanist-fuzz-") as folder:
        warm_up(Path(folder), args.model)
        baseline = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        for i, case in enumerate(cases(args.seed, args.cases), 1):
            results.append(run_case(case, Path(folder), args.model, args.timeout))
            if i % 500 == 0:
                print(f"{i} cases", file=sys.stderr, flush=True)
    report = summary(results, baseline)
    report["command"] = " ".join(["python", "scripts/fuzz_midi.py", *sys.argv[1:]])
    keys = ("harmonized", "refused", "tracebacks", "other_failures", "hangs", "longer_than_one_line")
    print(
        f"{report['cases']} cases (seed {args.seed}, model {args.model}): "
        + ", ".join(f"{k} {report[k]}" for k in keys)
    )
    print(
        f"max {report['max_seconds']:.2f} s, max {report['max_rss_mb']:.0f} MB resident "
        f"(the process before any case: {baseline:.0f} MB)"
    )
    for r in report["slowest"][:3]:
        print(f"  slowest: {r['name']} {r['seconds']:.2f} s, {r['max_rss_mb']:.0f} MB, exit {r['code']}")
    for r in report["bad"]:
        print(f"  BAD: {r['name']} exit {r['code']}{' (hung)' if r['hung'] else ''}: {r['stderr'][-300:]!r}")
    text = json.dumps(report, indent=1)
    if args.json:
        args.json.write_text(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
