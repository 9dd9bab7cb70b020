"""Melodies without chords, for pretraining: folk songs of the Essen collection in music21's corpus.

music21 ships the Essen collection as 31 ABC files holding about 8,500 tunes. They are split at
their ``X:`` headers, ``limit`` of them are taken evenly spread over the whole collection, and
parsed on every core (about 30 ms a tune) onto the chorales' 16th grid, bar positions and
pickups included (``accompanist.data.chorales``). The melodies are cached as one ``.npz`` beside
the chorale cache (``$ACCOMPANIST_CACHE``), keyed by the limit and music21's version.
"""

from __future__ import annotations

import os
import re
import time
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from accompanist.data import cache_dir
from accompanist.errors import DataError
from accompanist.melody import STEPS_PER_BEAT, Melody

LIMIT = 3000
CACHE_VERSION = 1
MAX_BEATS = 400


def tune_texts() -> list[str]:
    """Every tune of the Essen collection as its own ABC text, in corpus order."""
    from music21 import corpus

    texts = []
    for path in sorted(corpus.getComposer("essenFolksong")):
        abc = Path(path).read_text(encoding="latin-1")
        texts += [t for t in re.split(r"(?m)^(?=X:)", abc) if t.startswith("X:")]
    return texts


def parse_tune(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(pitch, onset, bar_pos) of one ABC tune on the 16th grid; None if it cannot be used."""
    from music21 import converter

    from accompanist.data.chorales import _bar_positions, _grid, _notes

    try:
        part = converter.parse(text, format="abc").parts[0]
        notes = _notes(part)
    except Exception:  # music21 raises many kinds of errors on odd ABC; such a tune is skipped
        return None
    if len(notes) < 8:
        return None
    n_beats = int(np.ceil(max(on + dur for on, dur, _ in notes) - 1e-6))
    if n_beats > MAX_BEATS:
        return None
    pitch, onset = _grid(notes, n_beats * STEPS_PER_BEAT)
    return pitch, onset, _bar_positions(part, n_beats)


def _cache_file(limit: int) -> Path:
    import music21

    return cache_dir() / f"folk-v{CACHE_VERSION}-{limit}-m21-{music21.__version__}.npz"


def _save(path: Path, melodies: list[Melody]) -> None:
    from accompanist.files import write_atomic

    arrays = {
        "pitch": np.concatenate([m.pitch for m in melodies]),
        "onset": np.concatenate([m.onset for m in melodies]),
        "bar_pos": np.concatenate([m.bar_pos for m in melodies]),
        "beats": np.array([m.n_beats for m in melodies]),
    }
    write_atomic(path, lambda f: np.savez_compressed(f, **arrays), overwrite=True, mkdir=True)


def _load(path: Path) -> list[Melody]:
    with np.load(path) as z:
        pitch, onset, bar, beats = z["pitch"], z["onset"], z["bar_pos"], z["beats"]
    ends = np.cumsum(beats)
    return [
        Melody(pitch[4 * (e - n) : 4 * e], onset[4 * (e - n) : 4 * e], bar[e - n : e])
        for n, e in zip(beats, ends)
    ]


def load_folk(limit: int = LIMIT, progress: bool = True) -> list[Melody]:
    """Up to ``limit`` folk melodies (fewer where a tune cannot be parsed), from the cache or built once."""
    path = _cache_file(limit)
    if path.is_file():
        return _load(path)
    from tqdm import tqdm

    start = time.perf_counter()
    texts = tune_texts()
    picks = np.unique(np.linspace(0, len(texts) - 1, min(limit, len(texts))).round().astype(int))
    chosen = [texts[i] for i in picks]
    with get_context("spawn").Pool(os.cpu_count() or 1) as pool:
        it = pool.imap(parse_tune, chosen, chunksize=16)
        parsed = list(
            tqdm(it, total=len(chosen), desc="parsing folk songs", disable=not progress, leave=False)
        )
    melodies = [Melody(*p) for p in parsed if p is not None]
    if not melodies:
        raise DataError("no folk melody could be parsed from music21's essenFolksong corpus")
    _save(path, melodies)
    if progress:
        print(f"parsed {len(melodies)} folk melodies in {time.perf_counter() - start:.1f} s", flush=True)
    return melodies
