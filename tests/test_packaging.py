"""What an install carries: every package, its data files, the shipped checkpoints (accompanist.models)."""

import shutil
import subprocess
import sys
import zipfile
from fnmatch import fnmatch
from pathlib import Path

import pytest

from accompanist import harmonizers

ROOT = Path(__file__).parent.parent
tomllib = pytest.importorskip("tomllib")  # Python 3.11+
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def source_packages() -> set[str]:
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "accompanist").rglob("__init__.py")}
    return found | {"accompanist.models"}


def test_every_package_is_listed_and_the_models_folder_is_accompanist_models():
    assert set(SETUPTOOLS["packages"]) == source_packages()
    assert SETUPTOOLS["package-dir"] == {"accompanist.models": "models"}
    assert SETUPTOOLS["package-data"]["accompanist.models"] == ["*.pt"]


def test_the_shipped_checkpoints_are_found_where_they_are_installed():
    shipped = sorted(p.name for p in (ROOT / "models").glob("*.pt"))
    assert {"markov.pt", "lstm.pt", "gan.pt"} <= set(shipped)
    for name in shipped:
        assert harmonizers.default_checkpoint(name.removesuffix(".pt")).is_file()


def test_a_built_wheel_holds_every_module_data_file_and_checkpoint(tmp_path):
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    for name in ("accompanist", "models"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        "dist",
        ".",
    ]
    subprocess.run(command, cwd=tmp_path, check=True, capture_output=True, timeout=300)
    (wheel,) = (tmp_path / "dist").glob("accompanist-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {str(p.relative_to(ROOT)) for p in (ROOT / "accompanist").rglob("*.py")}
    expected |= {str(p.relative_to(ROOT)) for p in (ROOT / "accompanist").rglob("*.json")}
    expected |= {
        f"accompanist/models/{p.name}" for p in (ROOT / "models").glob("*") if fnmatch(p.name, "*.p[ty]")
    }
    assert expected <= names
