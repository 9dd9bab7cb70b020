"""Shared fixtures: the chorale split (parsed once per machine, then cached)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def chorales():
    """{'train': [...], 'validation': [...], 'test': [...]} Pieces of the committed split."""
    from accompanist.data import load_chorales, split_pieces

    return split_pieces(load_chorales(progress=False))
