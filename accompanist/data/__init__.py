"""Training data: pieces of melody with one chord per beat; the Bach chorales, cached.

A ``Piece`` is what every corpus gives (``accompanist.data.corpora`` names them): the chorales
with their SATB voices, folk lead sheets (``accompanist.data.nottingham``) with a melody and
chords only, a user's folder. ``style`` is the idiom the piece teaches ("chorale" or "folk").

``load_chorales()`` parses music21's corpus once (on every core) and caches the result as one
``.npz`` file under ``$ACCOMPANIST_CACHE`` (default ``~/.cache/accompanist``), so later runs
take a second. ``split_pieces`` applies the committed melody-grouped split; ``augment`` adds
transposed copies.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, replace
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

import numpy as np

from accompanist import chords
from accompanist.errors import DataError
from accompanist.labeling import label_voices
from accompanist.melody import REST, Melody

CACHE_VERSION = 1


@dataclass(frozen=True)
class Piece:
    """One harmonized melody: melody, chord index per beat, S/A/T/B pitch per beat onset (None for
    a lead sheet, which has a melody and chords only) and the style it teaches."""

    id: str
    tune: str
    melody: Melody
    chords: np.ndarray
    satb: np.ndarray | None = None
    style: str = "chorale"

    def transpose(self, semitones: int) -> Piece:
        satb = None if self.satb is None else np.where(self.satb >= 0, self.satb + semitones, REST)
        return replace(
            self,
            melody=self.melody.transpose(semitones),
            chords=chords.transpose(self.chords, semitones).astype(np.int16),
            satb=None if satb is None else satb.astype(np.int16),
        )


def cache_dir() -> Path:
    return Path(os.environ.get("ACCOMPANIST_CACHE", Path.home() / ".cache" / "accompanist"))


def _cache_file() -> Path:
    import music21

    return cache_dir() / f"chorales-v{CACHE_VERSION}-m21-{music21.__version__}.npz"


def _to_piece(parsed, tune: str = "") -> Piece:
    melody = Melody(parsed.voices[0].copy(), parsed.onsets.copy(), parsed.bar_pos.copy())
    satb = parsed.voices[:, ::4].T.astype(np.int16)
    return Piece(parsed.id, tune or parsed.id, melody, label_voices(parsed.voices), satb)


def _parse_all(ids: list[str], progress: bool) -> list:
    from tqdm import tqdm

    from accompanist.data.chorales import parse_chorale

    # fork where there is one: spawn re-imports __main__, which fails for `python -` and REPLs
    method = "fork" if "fork" in get_all_start_methods() else "spawn"
    with get_context(method).Pool(os.cpu_count() or 1) as pool:
        it = pool.imap(parse_chorale, ids, chunksize=4)
        return list(tqdm(it, total=len(ids), desc="parsing chorales", disable=not progress, leave=False))


def _save_cache(path: Path, parsed: list) -> None:
    arrays = {}
    for i, p in enumerate(parsed):
        arrays[f"v{i}"], arrays[f"o{i}"], arrays[f"b{i}"] = p.voices, p.onsets, p.bar_pos
    arrays["ids"] = np.array(json.dumps([p.id for p in parsed]))
    from accompanist.files import write_atomic

    write_atomic(path, lambda f: np.savez_compressed(f, **arrays), overwrite=True, mkdir=True)


def _load_cache(path: Path) -> list:
    from accompanist.data.chorales import ParsedChorale

    with np.load(path) as z:
        ids = json.loads(str(z["ids"]))
        return [ParsedChorale(cid, z[f"v{i}"], z[f"o{i}"], z[f"b{i}"]) for i, cid in enumerate(ids)]


def load_parsed(progress: bool = True) -> list:
    """The parsed chorales (voices on the 16th grid), from the cache or built once."""
    path = _cache_file()
    if path.is_file():
        return _load_cache(path)
    from accompanist.data.chorales import chorale_ids

    start = time.perf_counter()
    try:
        parsed = _parse_all(chorale_ids(), progress)
    except Exception as exc:
        raise DataError(f"could not parse music21's chorale corpus: {exc}") from exc
    _save_cache(path, parsed)
    if progress:
        print(f"parsed {len(parsed)} chorales in {time.perf_counter() - start:.1f} s", flush=True)
    return parsed


def load_chorales(progress: bool = True, split: bool = True) -> list[Piece]:
    """Every chorale as a Piece; with ``split``, tunes come from the committed split file."""
    parsed = load_parsed(progress)
    tunes = _tune_of() if split else {}
    return [_to_piece(p, tunes.get(p.id, "")) for p in parsed]


def _tune_of() -> dict[str, str]:
    from accompanist.data.split import SPLIT_FILE

    groups = json.loads(SPLIT_FILE.read_text()).get("groups", [])
    return {cid: g[0] for g in groups for cid in g}


def load_split() -> dict[str, list[str]]:
    from accompanist.data import split

    return split.load_split()


def split_pieces(pieces: list[Piece]) -> dict[str, list[Piece]]:
    """Chorales by split part ("train", "validation", "test"), in the split file's order."""
    from accompanist.data.split import SPLIT_FILE

    return split_pieces_by(pieces, SPLIT_FILE)


def split_pieces_by(pieces: list[Piece], split_file: Path) -> dict[str, list[Piece]]:
    """Pieces by the parts of a committed split file, in its order (ids it lacks are left out)."""
    from accompanist.data import split

    by_id = {p.id: p for p in pieces}
    return {name: [by_id[i] for i in ids if i in by_id] for name, ids in split.load_split(split_file).items()}


def balance_styles(pieces: list[Piece], power: float) -> list[Piece]:
    """The pieces with each style's repeated ``round((most beats / its beats) ** power)`` times.

    ``power`` 0 keeps the corpora as they are (the folk tunes have four times the chorales'
    beats); 1 gives every style about as many beats per epoch; in between, a compromise.
    """
    beats: dict[str, int] = {}
    for p in pieces:
        beats[p.style] = beats.get(p.style, 0) + p.melody.n_beats
    most = max(beats.values(), default=0)
    repeats = {style: max(1, round((most / n) ** power)) for style, n in beats.items()}
    return [p for p in pieces for _ in range(repeats[p.style])]


def augment(pieces: list[Piece], semitones=range(-6, 6)) -> list[Piece]:
    """Each piece in every transposition given (0 keeps the original)."""
    return [p if s == 0 else p.transpose(s) for p in pieces for s in semitones]
