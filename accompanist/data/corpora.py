"""The corpora Accompanist learns from and is scored on, by name: one shape, one split each.

=============  =======  ==========================================================  =========
name           style    what                                                        reference
=============  =======  ==========================================================  =========
``chorales``   chorale  Bach's chorales from music21 (melody, chords, SATB voices)  Bach
``nottingham`` folk     908 folk lead sheets in ABC, read from outside the repo     lead sheets
``DIR``        (given)  a user's folder: MIDI with accompaniment, ABC or MusicXML   the folder
=============  =======  ==========================================================  =========

``corpus(name)`` gives a ``Corpus``; ``parts()`` returns its train/validation/test pieces
(tune-grouped committed splits for the two named corpora; a hash split for a folder) and
``source`` describes it for a checkpoint's metadata. Every piece carries its corpus's style.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accompanist.errors import DataError

if TYPE_CHECKING:
    from accompanist.data import Piece

STYLES = ("chorale", "folk")
DEFAULT_STYLE = "folk"
NAMES = ("chorales", "nottingham")


def style_index(style: str) -> int:
    """The row of a style in the deep networks' style embedding (0 for one they do not know)."""
    return STYLES.index(style) if style in STYLES else 0


@dataclass(frozen=True)
class Corpus:
    name: str
    style: str
    reference: str  # whose chords the evaluation's human row scores
    load_parts: Callable[[bool], dict[str, list]]
    describe: Callable[[], dict[str, Any]]

    def parts(self, progress: bool = True) -> dict[str, list]:
        """{"train", "validation", "test"} -> pieces, each with this corpus's style."""
        parts = self.load_parts(progress)
        return {
            k: [p if p.style == self.style else replace(p, style=self.style) for p in v]
            for k, v in parts.items()
        }

    @property
    def source(self) -> dict[str, Any]:
        return {"corpus": self.name, "style": self.style, **self.describe()}


def _chorale_parts(progress: bool) -> dict[str, list]:
    from accompanist.data import load_chorales, split_pieces

    return split_pieces(load_chorales(progress))


def _chorale_source() -> dict[str, Any]:
    import hashlib

    from accompanist.data.split import SPLIT_FILE

    return {
        "data": "music21 Bach chorales",
        "split": f"split.json {hashlib.sha1(SPLIT_FILE.read_bytes()).hexdigest()[:12]}",
    }


def _nottingham_parts(progress: bool) -> dict[str, list]:
    from accompanist.data import split_pieces_by
    from accompanist.data.nottingham import SPLIT_FILE, load_nottingham

    return split_pieces_by(load_nottingham(progress), SPLIT_FILE)


def _nottingham_source() -> dict[str, Any]:
    from accompanist.data.nottingham import split_digest

    return {"data": "Nottingham folk lead sheets (ABC)", "split": f"nottingham_split.json {split_digest()}"}


def folder_corpus(folder: str | Path, style: str = DEFAULT_STYLE) -> Corpus:
    """A user's folder of MIDI files with accompaniment, or of ABC / MusicXML lead sheets."""
    folder = Path(folder)

    def parts(progress: bool) -> dict[str, list]:
        from accompanist.data.user import load_folder, split_folder

        return split_folder(load_folder(folder))

    def describe() -> dict[str, Any]:
        return {"data": f"user folder {folder.name}", "split": "90/10 by file name hash"}

    return Corpus(str(folder), style, f"the folder {folder.name}", parts, describe)


CORPORA = {
    "chorales": Corpus("chorales", "chorale", "Bach", _chorale_parts, _chorale_source),
    "nottingham": Corpus("nottingham", "folk", "lead sheets", _nottingham_parts, _nottingham_source),
}


def corpus(name: str) -> Corpus:
    """A corpus by name."""
    try:
        return CORPORA[name]
    except KeyError:
        raise DataError(f"unknown corpus {name!r}; choose from {', '.join(NAMES)} (or --data DIR)") from None


def style_of(name: str) -> str:
    return corpus(name).style


def load_pieces(split: str, limit: int | None = None, corpus_name: str = "chorales") -> list[Piece]:
    """The pieces of a split of a corpus, the first ``limit`` of them if given."""
    pieces = corpus(corpus_name).parts()[split][:limit]
    if not pieces:
        raise DataError(f"the {split} split of {corpus_name} holds no pieces")
    return pieces
