"""The train/validation/test split, grouped by melody so that no chorale tune is in two parts.

Bach harmonized many tunes more than once. Two chorales are the same tune when their soprano
lines, as interval sequences with repeated notes merged, agree: the first 12 intervals within
an edit distance of 2. Groups are the connected components of that relation. Each group is
placed by a hash of its sorted member ids (deterministic, independent of corpus order) into
train (80%), validation (10%) or test (10%) by cumulative share of chorales. The result is
committed as ``split.json`` beside this module; ``python -m accompanist.data.split`` rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np

SPLIT_FILE = Path(__file__).with_name("split.json")
SHARES = (("train", 0.8), ("validation", 0.1), ("test", 0.1))
PREFIX = 12
MAX_EDITS = 2


def contour(soprano: np.ndarray) -> tuple[int, ...]:
    """Intervals between successive distinct soprano notes (transposition invariant)."""
    notes = [int(p) for i, p in enumerate(soprano) if p >= 0 and (i == 0 or p != soprano[i - 1])]
    return tuple(b - a for a, b in zip(notes, notes[1:]))


def edit_distance(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


def components(ids: Iterable[str], links: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Connected components of the "same tune" links (union-find); sorted ids in sorted groups."""
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for i in parent:
        groups.setdefault(find(i), []).append(i)
    return sorted(sorted(g) for g in groups.values())


def tune_groups(contours: dict[str, tuple[int, ...]]) -> list[list[str]]:
    """Chorales whose soprano openings agree within ``MAX_EDITS``, grouped."""
    ids = sorted(contours)
    heads = {i: contours[i][:PREFIX] for i in ids}
    pairs = ((a, b) for k, a in enumerate(ids) for b in ids[k + 1 :])
    return components(ids, ((a, b) for a, b in pairs if edit_distance(heads[a], heads[b]) <= MAX_EDITS))


def make_split(groups: list[list[str]]) -> dict[str, list[str]]:
    """Assign whole groups to parts by hash order until each part's share is reached."""
    order = sorted(groups, key=lambda g: hashlib.sha1(",".join(g).encode()).hexdigest())
    total = sum(len(g) for g in groups)
    split: dict[str, list[str]] = {name: [] for name, _ in SHARES}
    done = 0
    for g in order:
        cumulative = 0.0
        for name, share in SHARES:
            cumulative += share
            if done < cumulative * total - 1e-9 or name == SHARES[-1][0]:
                split[name].extend(g)
                break
        done += len(g)
    return {k: sorted(v) for k, v in split.items()}


def load_split(path: Path = SPLIT_FILE) -> dict[str, list[str]]:
    data = json.loads(path.read_text())
    return {name: data[name] for name, _ in SHARES}


def write_split() -> dict[str, list[str]]:
    from accompanist.data import load_chorales

    pieces = load_chorales(split=False)
    groups = tune_groups({p.id: contour(p.melody.pitch) for p in pieces})
    split = make_split(groups)
    doc = {**split, "groups": [g for g in groups if len(g) > 1], "rule": __doc__.split("\n\n")[1]}
    SPLIT_FILE.write_text(json.dumps(doc, indent=1) + "\n")
    return split


if __name__ == "__main__":
    result = write_split()
    print({k: len(v) for k, v in result.items()})
