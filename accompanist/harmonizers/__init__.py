"""The registry of harmonizer families, extended by other packages through entry points.

A family is a ``Harmonizer`` subclass. Accompanist's own families and any installed package's
are listed in the entry-point group ``accompanist.harmonizers`` (name = family, value =
``module:Class``), so a new family appears in ``--model``, ``eval`` and ``live`` once installed.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path

from accompanist.checkpoint import load_checkpoint
from accompanist.errors import CheckpointError, UnknownModelError
from accompanist.harmonizers.base import Harmonizer

GROUP = "accompanist.harmonizers"
BUILTIN = {
    "markov": "accompanist.harmonizers.markov:MarkovHarmonizer",
    "lstm": "accompanist.harmonizers.lstm:LSTMHarmonizer",
    "gan": "accompanist.harmonizers.gan:GANHarmonizer",
    "ensemble": "accompanist.harmonizers.ensemble:EnsembleHarmonizer",
}
MODELS_DIR = Path(__file__).resolve().parent.parent.parent / "models"

_extra: dict[str, type[Harmonizer]] = {}


def _spec_to_class(spec: str) -> type[Harmonizer]:
    module, _, attr = spec.partition(":")
    return getattr(import_module(module), attr)


def available() -> list[str]:
    """Names of every family: the built-in ones, then installed plug-ins, sorted."""
    names = {ep.name for ep in entry_points(group=GROUP)} | set(_extra)
    builtin = [n for n in BUILTIN if _builtin_present(n)]
    return builtin + sorted(names - set(BUILTIN))


def _builtin_present(name: str) -> bool:
    module = BUILTIN[name].partition(":")[0]
    return (Path(__file__).parent / f"{module.rsplit('.', 1)[1]}.py").exists()


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
    if name in BUILTIN and _builtin_present(name):
        return _spec_to_class(BUILTIN[name])
    raise UnknownModelError(f"unknown model {name!r}; installed families: {', '.join(available())}")


def default_checkpoint(name: str) -> Path:
    """Where the shipped checkpoint of a family lives."""
    return MODELS_DIR / f"{name}.pt"


def load(model: str, device: str = "cpu") -> Harmonizer:
    """Load a harmonizer from a family name (its shipped checkpoint) or a checkpoint path."""
    path = Path(model)
    looks_like_path = path.suffix == ".pt" or "/" in model or path.exists()
    if not looks_like_path:
        cls = family(model)
        ckpt = getattr(cls, "default_checkpoint", None)
        path = Path(ckpt()) if ckpt else default_checkpoint(model)
        if not path.is_file() and hasattr(cls, "untrained"):
            return cls.untrained()
    payload = load_checkpoint(path)
    cls = family(payload["kind"])
    try:
        model_ = cls.from_state(payload["state"], device=device)
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise CheckpointError(f"checkpoint {path} does not fit family {payload['kind']!r}: {exc}") from None
    model_.meta = payload.get("meta", {})
    return model_
