"""The shipped checkpoints (one ``FAMILY.pt`` each), installed as package data ``accompanist.models``.

pyproject.toml maps this folder to the package, so a wheel or ``pip install .`` carries the
files; ``accompanist.harmonizers.default_checkpoint`` finds them with importlib.resources.
"""
