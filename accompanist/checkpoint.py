"""One-file checkpoints: kind, config, vocabulary, weights and training metadata.

A checkpoint holds only plain values (dict, list, str, int, float, bool, None) and tensors,
so ``torch.load(path, weights_only=True)`` reads it and a stranger's file cannot run code.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from accompanist import chords
from accompanist.errors import CheckpointError

FORMAT = "accompanist-checkpoint"
VERSION = 1


def save_checkpoint(path: str | Path, kind: str, state: dict[str, Any], meta: dict[str, Any]) -> None:
    """Write atomically: a crash leaves the old file or none, never half a file."""
    import torch

    payload = {
        "format": FORMAT,
        "version": VERSION,
        "kind": kind,
        "vocabulary": list(chords.LABELS),
        "state": state,
        "meta": meta,
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(payload, f)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read and check a checkpoint; raise CheckpointError with one clear line if it is bad."""
    import torch

    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise CheckpointError(f"corrupt or unreadable checkpoint {path}: {type(exc).__name__}") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not an Accompanist checkpoint")
    if payload.get("vocabulary") != list(chords.LABELS):
        raise CheckpointError(f"{path} was saved with another chord vocabulary")
    return payload
