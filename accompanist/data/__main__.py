"""`python -m accompanist.data [--rebuild]`: build (or load) the chorale cache and time it."""

from __future__ import annotations

import argparse
import json
import time

from accompanist.data import _cache_file, load_chorales, split_pieces


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m accompanist.data", description=__doc__)
    parser.add_argument("--rebuild", action="store_true", help="delete the cache first (a cold build)")
    args = parser.parse_args()
    if args.rebuild:
        _cache_file().unlink(missing_ok=True)
    cold = not _cache_file().is_file()
    start = time.perf_counter()
    parts = split_pieces(load_chorales(progress=False))
    seconds = time.perf_counter() - start
    sizes = {name: len(pieces) for name, pieces in parts.items()}
    beats = {name: int(sum(p.melody.n_beats for p in pieces)) for name, pieces in parts.items()}
    print(
        json.dumps(
            {
                "build": "cold" if cold else "warm",
                "seconds": round(seconds, 2),
                "chorales": sizes,
                "beats": beats,
            }
        )
    )


if __name__ == "__main__":
    main()
