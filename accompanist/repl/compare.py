"""``compare``: every model family on the current melody, chords side by side, with per-melody metrics.

The chords are a table with one row per beat, in chord symbols spelled for the key of the
melody (``accompanist.chord_symbols``; a slash names the bass of a voicing that has one), ``/``
where a model holds its chord, and ``(held)`` at the end of a row where every model holds it;
the melody note at the beat in the second column. Under it, the metrics
of ``accompanist.metrics`` that need no reference chords (Yeh et al.'s six and note-in-chord),
one row per model.
"""

from __future__ import annotations

import numpy as np

from accompanist import chord_symbols, harmonizers, metrics
from accompanist.errors import AccompanistError
from accompanist.harmony import basses, beat_voicings
from accompanist.melody import STEPS_PER_BEAT, Melody
from accompanist.repl.parse import note_name
from accompanist.repl.session import Session

METRICS = ("note_in_chord", "ctnctr", "pcs", "mctd", "che", "cc", "ctd")
HELD = "/"
ALL_HELD = "(held)"


def compare_models(session: Session) -> tuple[dict[str, list[int]], dict[str, str]]:
    """Chords (vocabulary indices) per model (every installed family, and the current model), and
    why any was skipped."""
    names = list(dict.fromkeys([*harmonizers.available(), session.model_name]))
    results: dict[str, list[int]] = {}
    skipped: dict[str, str] = {}
    for name in names:
        try:
            results[name] = session.harmonize(name).indices
        except (AccompanistError, ImportError) as exc:  # no checkpoint, or a family not installed
            skipped[name] = str(exc)
    return results, skipped


def chord_table(
    melody: Melody, results: dict[str, list[int]], voicing: str = "block", causal: bool = False
) -> str:
    """A row per beat: bar.beat, melody note, each model's chord symbol (``/`` where it goes on),
    and ``(held)`` where no model changes chord."""
    symbols = _symbols(melody, results, voicing, causal)
    header = ["beat", "melody", *results, ""]
    rows = []
    for beat in range(melody.n_beats):
        changed = [beat == 0 or cells[beat] != cells[beat - 1] for cells in symbols]
        cells = [c[beat] if new else HELD for c, new in zip(symbols, changed, strict=True)]
        note = note_name(int(melody.pitch[beat * STEPS_PER_BEAT]))
        rows.append([_position(melody, beat), note, *cells, "" if any(changed) else ALL_HELD])
    return _table(header, rows)


def _symbols(melody: Melody, results: dict[str, list[int]], voicing: str, causal: bool) -> list[list[str]]:
    """Each model's chord symbols, all in one key: the melody's under every model's chords."""
    every = [i for indices in results.values() for i in indices]
    key = chord_symbols.estimate_key(np.tile(melody.pitch, len(results)), every)
    out = []
    for indices in results.values():
        bass = basses(beat_voicings(indices, melody, voicing, causal), voicing)
        out.append(chord_symbols.symbols(indices, key, bass))
    return out


def _position(melody: Melody, beat: int) -> str:
    """``bar.beat`` counted from 1, bars starting at each downbeat."""
    bar = int((melody.bar_pos[: beat + 1] == 0).sum()) or 1
    return f"{bar}.{int(melody.bar_pos[beat]) + 1}"


def metrics_table(
    melody: Melody, results: dict[str, list[int]], keys: tuple[str, ...] = METRICS, first: str = "model"
) -> str:
    """One row per model (or what ``first`` names): the reference-free metrics ``keys`` of its chords
    on this melody (3 decimals)."""
    rows = []
    for name, indices in results.items():
        scores = metrics.piece_metrics(melody, np.array(indices))
        rows.append([name, *(_cell(scores[key]) for key in keys)])
    return _table([first, *keys], rows)


def _cell(tally: metrics.Tally) -> str:
    return f"{tally.value:.3f}" if tally.weight > 0 else "-"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in lines)


def compare(session: Session) -> str:
    """The text ``compare`` prints."""
    melody = session.require_melody()
    results, skipped = compare_models(session)
    if not results:
        raise AccompanistError("no model could run: " + "; ".join(f"{k}: {v}" for k, v in skipped.items()))
    table = chord_table(melody, results, session.voicing, session.causal)
    parts = [table, "", metrics_table(melody, results)]
    parts += [f"skipped {name}: {why}" for name, why in skipped.items()]
    return "\n".join(parts)
