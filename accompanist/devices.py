"""`--device auto|cpu|cuda` resolved to a torch device name."""

from __future__ import annotations

from accompanist.errors import AccompanistError

CHOICES = ("auto", "cpu", "cuda")


def resolve_device(name: str = "auto") -> str:
    """'auto' picks CUDA when a GPU is present, else the CPU; 'cuda' without a GPU is an error.

    Only 'auto' and 'cuda' import torch (a second and more), to ask it about the GPU.
    """
    if name not in CHOICES:
        raise AccompanistError(f"unknown device {name!r}; choose from {', '.join(CHOICES)}")
    if name == "cpu":
        return name
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if not torch.cuda.is_available():
        raise AccompanistError("--device cuda asked for, but torch sees no CUDA GPU here")
    return name
