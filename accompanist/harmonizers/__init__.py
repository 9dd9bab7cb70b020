"""The registry of harmonizer families, extended by other packages through entry points.

A family is a ``Harmonizer`` subclass. Accompanist's own families and any installed package's
are listed in the entry-point group ``accompanist.harmonizers`` (name = family, value =
``module:Class``), so a new family appears in ``--model``, ``eval`` and ``live`` once installed.
"""

from __future__ import annotations

import dataclasses
import sys
import typing
from importlib import import_module, resources
from importlib.metadata import entry_points
from pathlib import Path

from accompanist.checkpoint import check_config, load_checkpoint
from accompanist.devices import resolve_device
from accompanist.errors import CheckpointError, UnknownModelError
from accompanist.harmonizers.base import Harmonizer
from accompanist.torch_zip import as_tensors

GROUP = "accompanist.harmonizers"
BUILTIN = {
    "markov": "accompanist.harmonizers.markov:MarkovHarmonizer",
    "lstm": "accompanist.harmonizers.lstm:LSTMHarmonizer",
    "gan": "accompanist.harmonizers.gan:GANHarmonizer",
    "ensemble": "accompanist.harmonizers.ensemble:EnsembleHarmonizer",
}
try:  # installed (wheel, pip install ., pip install -e .): the package data accompanist.models
    MODELS_DIR = Path(str(resources.files("accompanist.models")))
except ModuleNotFoundError:  # a checkout run without installing it
    MODELS_DIR = Path(__file__).resolve().parent.parent.parent / "models"

_extra: dict[str, type[Harmonizer]] = {}


def _spec_to_class(spec: str) -> type[Harmonizer]:
    module, _, attr = spec.partition(":")
    return getattr(import_module(module), attr)


def available() -> list[str]:
    """Names of every family: the built-in ones, then installed plug-ins, sorted."""
    names = {ep.name for ep in entry_points(group=GROUP)} | set(_extra)
    return list(BUILTIN) + sorted(names - set(BUILTIN))


def register(cls: type[Harmonizer]) -> type[Harmonizer]:
    """Register a family at run time (tests; entry points are the way for packages)."""
    _extra[cls.family] = cls
    return cls


def family(name: str) -> type[Harmonizer]:
    """The Harmonizer class of a family name."""
    if name in _extra:
        return _extra[name]
    for ep in entry_points(group=GROUP):
        if ep.name == name:
            try:
                return ep.load()
            except (ImportError, AttributeError) as exc:
                message = f"model family {name!r} is installed but does not load: {exc}"
                raise UnknownModelError(message) from None
    if name in BUILTIN:
        return _spec_to_class(BUILTIN[name])
    raise UnknownModelError(f"unknown model {name!r}; installed families: {', '.join(available())}")


def default_checkpoint(name: str) -> Path:
    """Where the shipped checkpoint of a family lives."""
    return MODELS_DIR / f"{name}.pt"


def load(model: str, device: str = "cpu") -> Harmonizer:
    """Load a harmonizer from a family name (its shipped checkpoint) or a checkpoint path.

    By name, the checkpoint is the family's ``default_checkpoint()``, else ``models/<name>.pt``;
    where that file is missing, the family's ``untrained()`` model if it gives one.

    ``device`` 'auto' is resolved only for a family that uses torch (see ``build``).
    """
    if device != "auto":
        device = resolve_device(device)
    path = Path(model)
    looks_like_path = path.suffix == ".pt" or "/" in model or path.exists()
    if not looks_like_path:
        cls = family(model)
        path = Path(cls.default_checkpoint() or default_checkpoint(model))
        if not path.is_file():
            fallback = cls.untrained()
            if fallback is not None:
                return fallback
    payload = load_checkpoint(path)
    try:
        model_ = build(payload["kind"], payload["state"], device)
    except CheckpointError as exc:
        raise CheckpointError(f"checkpoint {path}: {exc}") from None
    model_.meta = payload.get("meta", {})
    return model_


# What a family's from_state raises on a state it cannot use: the checkpoint's fault, one line.
STATE_ERRORS = (KeyError, TypeError, ValueError, RuntimeError, IndexError, AttributeError)


def build(kind: str, state: dict, device: str = "cpu") -> Harmonizer:
    """A family's harmonizer from a checkpoint's state; CheckpointError (one line) if it does not fit.

    The state's tensors come as numpy ``Array``s (``accompanist.torch_zip``), or as torch tensors
    where torch is loaded, as it is once a family that computes with it has been imported.
    """
    if not isinstance(kind, str):
        raise CheckpointError(f"'kind' must name a model family, not a {type(kind).__name__}")
    try:
        cls = family(kind)
    except UnknownModelError:
        raise CheckpointError(f"no installed family {kind!r} (installed: {', '.join(available())})") from None
    if "torch" in sys.modules:
        state = as_tensors(state)
    if device == "auto":  # a family without torch (markov) runs on the CPU and needs no GPU probe
        device = resolve_device("auto") if "torch" in sys.modules else "cpu"
    try:
        config_class = _config_class(cls)
        if config_class is not None and "config" in state:
            check_config(config_class, state["config"])
        return cls.from_state(state, device=device)
    except STATE_ERRORS as exc:
        raise CheckpointError(f"it does not fit family {kind!r}: {state_error(exc)}") from None


def _config_class(cls: type[Harmonizer]) -> type | None:
    """The config dataclass a family's ``__init__(self, config: XConfig, ...)`` takes, if it says so."""
    try:
        hint = typing.get_type_hints(cls.__init__).get("config")
    except (NameError, TypeError, AttributeError):
        return None
    return hint if dataclasses.is_dataclass(hint) else None


def state_error(exc: BaseException) -> str:
    """One line for why a state does not fit; torch's load_state_dict lists every key on lines of its own."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    if not lines[0].startswith("Error(s) in loading state_dict"):
        plain = isinstance(exc, (ValueError, RuntimeError))  # their messages say what is wrong
        text = lines[0] if plain else f"{type(exc).__name__}: {lines[0]}"
        return text if len(text) <= 160 else text[:157] + "..."
    counts = {"missing": 0, "unexpected": 0, "of the wrong shape": 0}
    for line in lines[1:]:
        if line.startswith("Missing key(s)"):
            counts["missing"] += line.count('"') // 2
        elif line.startswith("Unexpected key(s)"):
            counts["unexpected"] += line.count('"') // 2
        elif line.startswith("size mismatch"):
            counts["of the wrong shape"] += 1
    found = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
    return f"its weights do not match the network ({found or 'see the state dict'})"
