"""One-file checkpoints: kind, config, vocabulary, weights and training metadata.

A checkpoint holds only plain values (dict, list, str, int, float, bool, None) and tensors,
so ``torch.load(path, weights_only=True)`` reads it and a stranger's file cannot run code.
``torch.save`` writes it: a zip holding ``data.pkl`` and each tensor's storage in ``data/N``.

Reading needs no torch (``accompanist.torch_zip``); a checkpoint is checked against the schema
every family shares (``check_payload``), and families check their own part with ``check_config``,
``check_array`` and ``check_indices``.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from pathlib import Path
from typing import Any

import numpy as np

from accompanist import chords
from accompanist.errors import CheckpointError
from accompanist.torch_zip import read_torch_file

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
    from accompanist.files import write_atomic

    # whether an existing file may be replaced is the caller's rule (`train` checks --out first)
    write_atomic(path, lambda f: torch.save(payload, f), overwrite=True, mkdir=True)


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read and check a checkpoint; raise CheckpointError with one clear line if it is bad."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    payload = read_torch_file(path)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not an Accompanist checkpoint")
    if payload.get("vocabulary") != list(chords.LABELS):
        raise CheckpointError(f"{path} was saved with another chord vocabulary")
    check_payload(payload, path)
    return payload


def check_payload(payload: dict[str, Any], path: str | Path) -> None:
    """The parts every family's checkpoint shares: version, kind, state and meta of the right types."""
    version, kind = payload.get("version"), payload.get("kind")
    if type(version) is not int or version != VERSION:
        problem = f"version {version!r}; this Accompanist reads {VERSION}"
    elif not isinstance(kind, str) or not kind:
        problem = f"'kind' must name a model family, not {_shown(kind)}"
    elif not isinstance(payload.get("state"), dict):
        problem = f"'state' must be a dict, not {_shown(payload.get('state'))}"
    elif not isinstance(payload.get("meta", {}), dict):
        problem = f"'meta' must be a dict, not {_shown(payload.get('meta'))}"
    else:
        return
    raise CheckpointError(f"checkpoint {path}: {problem}")


def check_config(config_class: type, value: Any, where: str = "config") -> Any:
    """A family's config dataclass built from a checkpoint's dict, each field of its annotated type.

    Raises ValueError naming the first unknown field or wrong type (an int may stand for a float;
    a bool never for a number); numbers must be finite. Ranges are the family's to check.
    """
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a dict, not {_shown(value)}")
    hints = typing.get_type_hints(config_class)
    names = {f.name for f in dataclasses.fields(config_class)}
    for key, item in value.items():
        if key not in names:
            raise ValueError(f"{where} has an unknown setting {key!r}")
        if not _fits(item, hints.get(key, Any)):
            raise ValueError(f"{where}.{key} must be {_type_name(hints[key])}, not {_shown(item)}")
    return config_class(**value)


def _fits(item: Any, hint: Any) -> bool:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return any(_fits(item, arg) for arg in typing.get_args(hint))
    hint = typing.get_origin(hint) or hint
    if hint is float:
        return type(item) in (int, float) and math.isfinite(item)
    if hint in (int, str, bool, type(None)):
        return type(item) is hint
    return hint is Any or not isinstance(hint, type) or isinstance(item, hint)


def _type_name(hint: Any) -> str:
    return getattr(hint, "__name__", str(hint))


def check_array(value: Any, where: str, shape: tuple[int | None, ...], kinds: str = "f") -> np.ndarray:
    """A checkpoint's tensor (or Array) as a numpy array of ``shape`` (None: any length) whose dtype
    kind is one of ``kinds`` (numpy's codes: f float, i signed int, u unsigned, b bool); finite."""
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    if not isinstance(value, np.ndarray):
        raise ValueError(f"{where} must be a tensor, not {_shown(value)}")
    if value.dtype.kind not in kinds:
        raise ValueError(f"{where} holds {value.dtype}, not {kinds!r} numbers")
    if len(value.shape) != len(shape) or any(n is not None and n != m for n, m in zip(shape, value.shape)):
        want = "x".join("n" if n is None else str(n) for n in shape)
        raise ValueError(f"{where} has shape {tuple(value.shape)}, not {want}")
    if value.dtype.kind == "f" and not np.isfinite(value).all():
        raise ValueError(f"{where} holds NaN or infinite numbers")
    return np.asarray(value)


def check_indices(value: np.ndarray, where: str, bounds: tuple[int, ...]) -> None:
    """Rows of index array ``value`` (one row per dimension) lie in 0 .. bound - 1 of their dimension."""
    if len(value) != len(bounds):
        raise ValueError(f"{where} indexes {len(value)} dimensions, not {len(bounds)}")
    for axis, (row, bound) in enumerate(zip(value, bounds)):
        if row.size and (row.min() < 0 or row.max() >= bound):
            raise ValueError(f"{where} row {axis}: indices {row.min()}..{row.max()} outside 0..{bound - 1}")


def _shown(value: Any) -> str:
    """A value as an error line shows it: its type, and itself if short."""
    text = repr(value)
    return f"{type(value).__name__} {text}" if len(text) <= 40 else type(value).__name__
