"""Chord files: one span per chord, in seconds from the input's tempo map (.lab) and beats (.json).

A ``.lab`` file has one line per chord, ``start_seconds<TAB>end_seconds<TAB>label``, as mir_eval
reads it. A ``.json`` file holds ``{"source", "model", "ticks_per_beat", "key", "chords":
[{"start", "end", "start_beat", "end_beat", "label", "symbol"}]}``: ``key`` is the piece's key
(``"C major"``) and ``symbol`` the chord as a musician writes it in that key, with the bass of
the span's first beat (``"G7/B"``, ``accompanist.chord_symbols``). Spans are contiguous from
beat 0 to the end of the melody's last beat; repeated chords are merged into one span.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from accompanist.errors import AccompanistError
from accompanist.midi.read import TempoMap

FORMATS = ("lab", "json")


def chord_spans(labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start_beat, end_beat, label) of each run of equal labels, one label per beat."""
    spans: list[tuple[int, int, str]] = []
    for beat, label in enumerate(labels):
        if spans and spans[-1][2] == label:
            spans[-1] = (spans[-1][0], beat + 1, label)
        else:
            spans.append((beat, beat + 1, label))
    return spans


def lab_text(labels: Sequence[str], tempo: TempoMap) -> str:
    """The .lab file's text: seconds from the tempo map, six decimals."""
    return "".join(
        f"{tempo.beat_seconds(a):.6f}\t{tempo.beat_seconds(b):.6f}\t{label}\n"
        for a, b, label in chord_spans(labels)
    )


def json_text(
    labels: Sequence[str], tempo: TempoMap, source: str, model: str, symbols: Sequence[str], key: str
) -> str:
    """The .json file's text: each span in seconds and in beats, with its symbol (one per beat)."""
    spans = [
        {
            "start": round(tempo.beat_seconds(a), 6),
            "end": round(tempo.beat_seconds(b), 6),
            "start_beat": a,
            "end_beat": b,
            "label": label,
            "symbol": symbols[a],
        }
        for a, b, label in chord_spans(labels)
    ]
    doc = {"source": source, "model": model, "ticks_per_beat": tempo.ticks_per_beat, "key": key}
    return json.dumps(doc | {"chords": spans}, indent=1) + "\n"


def chords_text(
    path: str | Path,
    labels: Sequence[str],
    tempo: TempoMap,
    source: str,
    model: str,
    symbols: Sequence[str],
    key: str,
) -> str:
    """The text of a .lab or .json chord file, by the suffix of ``path`` (.lab keeps labels only)."""
    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise AccompanistError(f"chord file {path} must end in .lab or .json")
    if kind == "lab":
        return lab_text(labels, tempo)
    return json_text(labels, tempo, source, model, symbols, key)
