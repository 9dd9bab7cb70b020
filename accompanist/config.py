"""Component-owned dataclass configs, changed from the command line with ``--set key=value``."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from accompanist.errors import AccompanistError

C = TypeVar("C")


def _cast(value: str, kind: Any) -> Any:
    kind = kind if isinstance(kind, type) else type(kind)
    if kind is bool:
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"not a boolean: {value!r}")
    return kind(value)


def apply_overrides(config: C, overrides: dict[str, str]) -> C:
    """A copy of a dataclass config with fields replaced by ``key=value`` strings, cast to type."""
    fields = {f.name: f for f in dataclasses.fields(config)}
    changes = {}
    for key, value in overrides.items():
        if key not in fields:
            raise AccompanistError(f"unknown setting {key!r}; settings: {', '.join(fields)}")
        try:
            changes[key] = _cast(value, getattr(config, key))
        except ValueError as exc:
            raise AccompanistError(f"bad value for {key}: {exc}") from None
    return dataclasses.replace(config, **changes)


def parse_sets(pairs: list[str] | None) -> dict[str, str]:
    """['a=1', 'b=x'] -> {'a': '1', 'b': 'x'}."""
    out = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise AccompanistError(f"--set takes key=value, not {pair!r}")
        out[key.strip()] = value.strip()
    return out
