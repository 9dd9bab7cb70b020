"""Other harmonizations of the same melody: ``again`` (a new seed), ``variants N`` and ``pick K``.

A generative model (the gan) gives another coherent harmonization for another seed; markov and
lstm give the same chords whatever the seed, and are told so in one line. Seeds are counted up
from the session's (0 when it has none), so every variant can be made again with ``seed N``.

``variants N`` shows the N harmonizations of seeds ``s .. s+N-1`` as a small score: one
lead-sheet row per variant under shared bar numbers (``accompanist.lead_sheet``), then one row
of metrics each (``accompanist.repl.compare``): PCS (consonance of melody against chord, -1..1),
note_in_chord, and cc (distinct chords). ``pick K`` keeps variant K as the current result (and
its seed as the session's), so that ``play`` and ``save`` use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from accompanist import chord_symbols
from accompanist.lead_sheet import LINE_WIDTH, bars
from accompanist.melody import Melody
from accompanist.repl.compare import metrics_table
from accompanist.repl.session import ReplError, Result, Session

AGAIN_TRIES = 4  # seeds `again` tries for chords other than the current ones
MAX_VARIANTS = 12
DEFAULT_VARIANTS = 4
METRICS = ("pcs", "note_in_chord", "cc")


@dataclass
class Variants:
    """The harmonizations ``variants`` made, and the session settings they were made under."""

    results: list[Result]
    settings: tuple


def _first_seed(seed: int | None) -> int:
    return 0 if seed is None else seed


def again(session: Session) -> Result | str:
    """The first of the next seeds whose chords differ from the current ones, kept as the result
    (its seed becomes the session's); or a line saying the model gives the same chords for each."""
    current = session.current_result()
    start = _first_seed(current.seed)
    for seed in range(start + 1, start + 1 + AGAIN_TRIES):
        result = session.harmonize_with(seed)
        if result.indices != current.indices:
            session.seed, session.result = seed, result
            return result
    return (
        f"{current.model} gives the same chords for seeds {start + 1}-{start + AGAIN_TRIES} as for "
        f"{start}: it does not vary with the seed"
    )


def make(session: Session, count: int) -> Variants:
    """``count`` harmonizations, seeds counted up from the session's; kept for ``pick``."""
    if not 1 <= count <= MAX_VARIANTS:
        raise ReplError(f"variants takes a number from 1 to {MAX_VARIANTS}")
    start = _first_seed(session.seed)
    results = [session.harmonize_with(seed) for seed in range(start, start + count)]
    session.variants = Variants(results, session.settings())
    return session.variants


def show(melody: Melody, variants: Variants) -> str:
    """The text ``variants`` prints: the rows of chords and of metrics, or one line if all agree."""
    results = variants.results
    first = results[0]
    mode = "causal" if first.causal else "offline"
    seeds = f"seeds {first.seed}-{results[-1].seed}"
    if len(results) > 1 and all(r.indices == first.indices for r in results):
        return (
            f"{first.model} gives the same chords for all {len(results)} {seeds}: it does not vary "
            "with the seed; `harmonize` shows them"
        )
    distinct = len({tuple(r.indices) for r in results})
    header = f"{first.model} ({mode}), {len(results)} variants ({seeds}), {distinct} distinct:"
    named = {f"{k} (seed {r.seed})": r.indices for k, r in enumerate(results, 1)}
    table = metrics_table(melody, named, METRICS, "variant")
    return "\n".join([header, rows(melody, results), "", table, "`pick K` keeps variant K for play and save"])


def rows(melody: Melody, results: list[Result]) -> str:
    """One lead-sheet row per variant in chord symbols (spelled in the first variant's key, no
    slash basses), numbered, the bars aligned and wrapped into systems."""
    indices = [r.indices for r in results]
    key = chord_symbols.estimate_key(melody.pitch, indices[0])
    no_bass = [None] * melody.n_beats
    cells = [bars(chord_symbols.symbols(i, key, no_bass), melody.bar_pos) for i in indices]
    width = max(len(c) for sheet in cells for bar in sheet for c in bar)
    texts = [[" ".join(c.ljust(width) for c in bar) for bar in sheet] for sheet in cells]
    number_width = len(str(len(results)))
    bar_width = max(len(t) for t in texts[0]) + 3
    per_line = max(1, (LINE_WIDTH - number_width - 4) // bar_width)
    lines = []
    for start in range(0, len(texts[0]), per_line):
        stop = min(start + per_line, len(texts[0]))
        lines.append(f"bars {start + 1}-{stop}" if stop > start + 1 else f"bar {start + 1}")
        lines += [f"{k:>{number_width}} | {' | '.join(t[start:stop])} |" for k, t in enumerate(texts, 1)]
    return "\n".join(lines)


def pick(session: Session, number: int) -> Result:
    """Keep variant ``number`` (from 1) as the result; its seed becomes the session's."""
    variants = session.variants
    if variants is None:
        raise ReplError("no variants yet: `variants N` makes some")
    if variants.settings != session.settings():
        raise ReplError("the variants were made under other settings (model, style, ...); `variants N` again")
    if not 1 <= number <= len(variants.results):
        raise ReplError(f"pick takes a variant number from 1 to {len(variants.results)}")
    result = variants.results[number - 1]
    session.seed, session.result = result.seed, result
    return result
