"""The Nottingham folk lead sheets: 908 ABC tunes with chord symbols, read from outside the repository.

The files are GPL-3 data that Accompanist reads where they lie and never copies: the folder
named by ``$ACCOMPANIST_NOTTINGHAM``, else ``shared/data/nottingham`` beside the checkout
(``../shared/data/nottingham`` seen from the repository root or from the working folder). Each
tune (an ``X:`` block) is read by ``accompanist.data.leadsheet`` on every core (about 30 s
cold) and cached under ``$ACCOMPANIST_CACHE`` as one ``.npz``, keyed by a digest of the files,
so later runs take a fraction of a second. A piece's id is ``FILE/X`` (``jigs/12``).

The split is grouped by tune (``python -m accompanist.data.nottingham --split`` rebuilds it):
two tunes are the same tune when their titles agree once normalised (case, punctuation, a
leading "the", version numbers and bracketed notes dropped), or when their melodies, as
interval sequences with repeated notes merged, agree over the first 16 intervals within an
edit distance of 2 (the same melody in another key or version). Groups are connected
components; whole groups go to train/validation/test (80/10/10 of tunes) by a hash of their
ids, as for the chorales. ``nottingham_split.json`` beside this module holds ids only.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

import numpy as np

from accompanist.data import Piece, cache_dir
from accompanist.data.leadsheet import LeadSheet, ReadReport, read_abc_tune, split_abc
from accompanist.data.split import components, contour, edit_distance, make_split
from accompanist.errors import DataError
from accompanist.files import write_atomic

SPLIT_FILE = Path(__file__).with_name("nottingham_split.json")
CACHE_VERSION = 1
PREFIX = 16
MAX_EDITS = 2
ENV = "ACCOMPANIST_NOTTINGHAM"


def data_dir() -> Path | None:
    """The folder of Nottingham ABC files, or None where there is none."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    repo = Path(__file__).resolve().parents[2]
    for base in (repo, Path.cwd()):
        candidate = base.parent / "shared" / "data" / "nottingham"
        if candidate.is_dir() and any(candidate.glob("*.abc")):
            return candidate
    return None


def require_dir() -> Path:
    folder = data_dir()
    if folder is None or not folder.is_dir():
        raise DataError(
            "the Nottingham lead sheets are not here: put jukedeck/nottingham-dataset's ABC_cleaned "
            f"files in ../shared/data/nottingham or set ${ENV} (or use --corpus chorales)"
        )
    return folder


def tune_jobs(folder: Path) -> list[tuple[str, str, str]]:
    """(ABC text, piece id, title) of every tune, in file and tune order."""
    jobs = []
    for path in sorted(folder.glob("*.abc")):
        for number, title, text in split_abc(path.read_text(encoding="latin-1")):
            jobs.append((text, f"{path.stem}/{number}", title))
    return jobs


def _digest(folder: Path) -> str:
    h = hashlib.sha1()
    for path in sorted(folder.glob("*.abc")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def _cache_file(folder: Path) -> Path:
    import music21

    return cache_dir() / f"nottingham-v{CACHE_VERSION}-{_digest(folder)}-m21-{music21.__version__}.npz"


def _read_all(jobs: list[tuple[str, str, str]], progress: bool) -> tuple[list[LeadSheet], ReadReport]:
    from tqdm import tqdm

    method = "fork" if "fork" in get_all_start_methods() else "spawn"
    with get_context(method).Pool(os.cpu_count() or 1) as pool:
        it = pool.imap(_read_job, jobs, chunksize=8)
        results = list(
            tqdm(it, total=len(jobs), desc="reading lead sheets", disable=not progress, leave=False)
        )
    report = ReadReport()
    sheets = []
    for sheet, part in results:
        report.merge(part)
        if sheet is not None:
            sheets.append(sheet)
    return sheets, report


def _read_job(job: tuple[str, str, str]):
    return read_abc_tune(*job)


def _save(path: Path, sheets: list[LeadSheet], report: ReadReport) -> None:
    arrays = {
        "pitch": np.concatenate([s.pitch for s in sheets]),
        "onset": np.concatenate([s.onset for s in sheets]),
        "bar_pos": np.concatenate([s.bar_pos for s in sheets]),
        "chords": np.concatenate([s.chords for s in sheets]),
        "beats": np.array([len(s.bar_pos) for s in sheets]),
        "index": np.array(json.dumps({"ids": [s.id for s in sheets], "titles": [s.title for s in sheets]})),
        "report": np.array(report.summary()),
    }
    write_atomic(path, lambda f: np.savez_compressed(f, **arrays), overwrite=True, mkdir=True)


def _load(path: Path) -> list[LeadSheet]:
    with np.load(path) as z:
        index = json.loads(str(z["index"]))
        pitch, onset, bar, labels, beats = z["pitch"], z["onset"], z["bar_pos"], z["chords"], z["beats"]
    ends = np.cumsum(beats)
    return [
        LeadSheet(
            i, t, pitch[4 * (e - n) : 4 * e], onset[4 * (e - n) : 4 * e], bar[e - n : e], labels[e - n : e]
        )
        for i, t, n, e in zip(index["ids"], index["titles"], beats, ends)
    ]


def load_sheets(progress: bool = True) -> list[LeadSheet]:
    """Every usable tune, from the cache or read once (what was skipped is said in one line)."""
    folder = require_dir()
    path = _cache_file(folder)
    if path.is_file():
        return _load(path)
    start = time.perf_counter()
    sheets, report = _read_all(tune_jobs(folder), progress)
    if not sheets:
        raise DataError(f"no tune in {folder} could be read")
    _save(path, sheets, report)
    if progress:
        print(
            f"read {len(sheets)} Nottingham tunes in {time.perf_counter() - start:.1f} s; {report.summary()}",
            file=sys.stderr,
            flush=True,
        )
    return sheets


def to_piece(sheet: LeadSheet, tune: str = "") -> Piece:
    return Piece(sheet.id, tune or sheet.id, sheet.melody(), sheet.chords, None, "folk")


def load_nottingham(progress: bool = True) -> list[Piece]:
    """Every tune as a folk-style Piece; its ``tune`` is its group in the committed split."""
    tune_of = {i: g[0] for g in json.loads(SPLIT_FILE.read_text()).get("groups", []) for i in g}
    return [to_piece(s, tune_of.get(s.id, "")) for s in load_sheets(progress)]


def split_digest() -> str:
    return hashlib.sha1(SPLIT_FILE.read_bytes()).hexdigest()[:12]


# ---- the split ---------------------------------------------------------------------------------
def normal_title(title: str) -> str:
    """A title with case, punctuation, a leading "the", bracketed notes and version marks dropped."""
    t = re.sub(r"\(.*?\)|\[.*?\]", " ", title.lower())
    t = re.sub(r"\b(version|setting|no\.?|number)\b\s*\w*", " ", t)
    t = re.sub(r"\b(\d+|[ivx]+)\s*$", " ", re.sub(r"[^a-z0-9 ]+", " ", t).strip())
    t = re.sub(r"^(the|a)\s+", "", t.strip())
    return " ".join(t.split())


def tune_groups(sheets: list[LeadSheet]) -> list[list[str]]:
    """Tunes of the same normalised title or the same opening melody, grouped (``split.components``)."""
    return components([s.id for s in sheets], [*_same_title(sheets), *_same_opening(sheets)])


def _same_title(sheets: list[LeadSheet]) -> list[tuple[str, str]]:
    first: dict[str, str] = {}
    links = []
    for s in sheets:
        key = normal_title(s.title)
        if key:
            links.append((s.id, first.setdefault(key, s.id)))
    return links


def _same_opening(sheets: list[LeadSheet]) -> list[tuple[str, str]]:
    heads = [(s.id, contour(s.pitch)[:PREFIX]) for s in sheets]
    return [
        (a, b)
        for k, (a, ha) in enumerate(heads)
        for b, hb in heads[k + 1 :]
        if abs(len(ha) - len(hb)) <= MAX_EDITS and edit_distance(ha, hb) <= MAX_EDITS
    ]


def write_split() -> dict[str, int]:
    """Rebuild ``nottingham_split.json`` from the tunes; return the tune counts per part."""
    groups = tune_groups(load_sheets())
    split = make_split(groups)
    rule = __doc__.split("\n\n")[2].replace("\n", " ")
    doc = {**split, "groups": [g for g in groups if len(g) > 1], "rule": rule}
    SPLIT_FILE.write_text(json.dumps(doc, indent=1) + "\n")
    return {name: len(v) for name, v in split.items()}


if __name__ == "__main__":
    if "--split" in sys.argv:
        print(write_split())
    else:
        pieces = load_nottingham()
        print(f"{len(pieces)} tunes, {sum(p.melody.n_beats for p in pieces)} beats")
