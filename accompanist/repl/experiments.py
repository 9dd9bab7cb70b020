"""Quick experiments from the prompt: train a family on a share of the chorales, score a model.

``train`` goes through ``accompanist.training.train_family``, as ``accompanist train`` does, and
makes the new model the session's current one under the name ``FAMILY@SUBSET`` (``markov@0.1``).
``evaluate_current`` runs ``accompanist.evaluate`` on the test split, offline (and causal if
asked), with Bach's own chords as the reference row.
"""

from __future__ import annotations

from pathlib import Path

from accompanist.config import parse_sets
from accompanist.files import check_output
from accompanist.repl.session import ReplError, Session


def trained_name(family: str, subset: float, seed: int) -> str:
    """``markov@0.1``, with ``s2`` added for a seed other than 0."""
    return f"{family}@{subset:g}" + (f"s{seed}" if seed else "")


def train(
    session: Session,
    family: str,
    subset: float,
    sets: list[str],
    seed: int = 0,
    save: str | None = None,
    corpora: tuple[str, ...] = ("chorales", "nottingham"),
) -> str:
    """Train ``family`` on ``subset`` of the corpora's training tunes; it becomes the current model."""
    from accompanist.training import train_family

    if not 0 < subset <= 1:
        raise ReplError("--subset is a share of the training chorales, more than 0 and at most 1")
    if save and Path(save).exists():
        raise ReplError(f"{save} exists; choose another file for --save")
    if save:
        check_output(save)  # before training: a folder, a pipe or a missing folder is refused too
    model = train_family(
        family,
        corpora=corpora,
        options=parse_sets(sets),
        fraction=subset,
        device=session.device,
        seed=seed,
        progress=True,
    )
    name = trained_name(family, subset, seed)
    session.use_model(name, model)
    meta = model.meta
    acc = meta["validation_accuracy"].get(session.style) or next(iter(meta["validation_accuracy"].values()))
    saved = ""
    if save:
        model.save(save)
        saved = f"; saved {save}"
    return (
        f"model {name}: {family} trained on {meta['train_pieces']} pieces in {meta['train_seconds']:.1f} s; "
        f"validation accuracy ({session.style}) offline {acc['offline']:.3f}, "
        f"causal {acc['causal']:.3f}{saved}"
    )


def evaluate_current(
    session: Session, limit: int | None = None, causal: bool = False, corpus: str = "chorales"
) -> str:
    """The current model's scores on a corpus's test split (the first ``limit`` pieces if given),
    in the session's style and pace."""
    from accompanist.data.corpora import load_pieces
    from accompanist.evaluate import evaluate, format_table

    if limit is not None and limit < 1:
        raise ReplError("--limit must be at least 1")
    pieces = load_pieces("test", limit, corpus)
    modes = ("offline", "causal") if causal else ("offline",)
    model = {session.model_name: session.get_model()}
    results = evaluate(
        model,
        pieces,
        modes=modes,
        corpus=corpus,
        style=session.style,
        changes=session.changes,
        progress=False,
    )
    return f"{len(pieces)} test pieces\n{format_table(results)}"
