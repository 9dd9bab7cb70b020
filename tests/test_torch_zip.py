"""The torch-free checkpoint reader: what torch.load gives, and nothing a stranger's pickle asks for."""

import os
import subprocess
import sys
import zipfile
from collections import OrderedDict
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch

from accompanist.errors import CheckpointError
from accompanist.torch_zip import Array, as_tensors, read_torch_file

MODELS = Path(__file__).parent.parent / "models"


def assert_same(ours, reference, where="payload"):
    """Equal trees: an Array for each tensor (same dtype, shape, values); all else equal, of one type."""
    if isinstance(reference, torch.Tensor):
        assert isinstance(ours, Array), where
        expected = reference.numpy()
        assert (ours.dtype, ours.shape) == (expected.dtype, expected.shape), where
        assert np.array_equal(ours, expected), where
        return
    assert type(ours) is type(reference), where
    if isinstance(reference, dict):
        assert list(ours) == list(reference), where
        for key in reference:
            assert_same(ours[key], reference[key], f"{where}/{key}")
    elif isinstance(reference, (list, tuple)):
        assert len(ours) == len(reference), where
        for i, (a, b) in enumerate(zip(ours, reference)):
            assert_same(a, b, f"{where}[{i}]")
    else:
        assert ours == reference, where


@pytest.mark.parametrize("path", sorted(MODELS.glob("*.pt")), ids=lambda p: p.name)
def test_every_shipped_checkpoint_reads_as_torch_load_reads_it(path):
    assert_same(read_torch_file(path), torch.load(path, map_location="cpu", weights_only=True))


def test_tensors_of_every_dtype_layout_and_sharing_read_back(tmp_path):
    base = torch.arange(24, dtype=torch.float64).reshape(4, 6)
    payload = {
        "dtypes": [torch.tensor([1, -2, 3], dtype=d) for d in (torch.float32, torch.float16, torch.int64)]
        + [torch.tensor([1, 0, 3], dtype=d) for d in (torch.int32, torch.int16, torch.int8, torch.uint8)]
        + [torch.tensor([True, False])],
        "transposed": base.T,
        "slice": base[1:3, ::2],
        "shared": (base, base[2]),
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 3),
        "expanded": torch.tensor([1.0, 2.0]).expand(3, 2),
        "ordered": OrderedDict(w=torch.ones(2), b=torch.zeros(1)),
        "plain": {"n": 3, "x": 0.5, "s": "a", "t": True, "none": None, "b": b"\x00", "nested": [[1, (2,)]]},
    }
    torch.save(payload, tmp_path / "t.pt")
    assert_same(read_torch_file(tmp_path / "t.pt"), torch.load(tmp_path / "t.pt", weights_only=True))


def test_arrays_answer_numpy_and_become_tensors(tmp_path):
    torch.save({"w": torch.arange(6.0).reshape(2, 3)}, tmp_path / "t.pt")
    w = read_torch_file(tmp_path / "t.pt")["w"]
    assert type(w.numpy()) is np.ndarray and np.array_equal(w.numpy(), np.arange(6.0).reshape(2, 3))
    tensors = as_tensors({"w": w, "list": [w], "n": 1})
    assert torch.equal(tensors["w"], torch.arange(6.0).reshape(2, 3)) and tensors["n"] == 1
    assert isinstance(tensors["list"][0], torch.Tensor)


class Exploit:
    """Unpickled by a plain pickle, it would create the file ``marker``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def rewrite_pickle(path, data):
    """The same torch.save zip with its data.pkl replaced."""
    with zipfile.ZipFile(path) as old:
        entries = {name: old.read(name) for name in old.namelist()}
    name = next(n for n in entries if n.endswith("data.pkl"))
    entries[name] = data
    with zipfile.ZipFile(path, "w") as new:
        for key, value in entries.items():
            new.writestr(key, value)


@pytest.mark.parametrize(
    "payload",
    [
        lambda marker: {"x": Exploit(marker)},
        lambda marker: {"x": Fraction(1, 3)},
        lambda marker: {"x": torch.ones(2, dtype=torch.bfloat16)},
        lambda marker: {"x": torch.nn.Linear(2, 2)},
    ],
    ids=["reduce-to-os-system", "a-class", "bfloat16", "a-module"],
)
def test_anything_but_plain_values_and_dense_tensors_is_refused(tmp_path, payload):
    path, marker = tmp_path / "bad.pt", tmp_path / "pwned"
    torch.save(payload(marker), path)
    with pytest.raises(CheckpointError) as err:
        read_torch_file(path)
    assert "\n" not in str(err.value)
    assert not marker.exists()


def test_a_hostile_pickle_runs_nothing(tmp_path):
    path, marker = tmp_path / "bad.pt", tmp_path / "pwned"
    torch.save({"x": torch.ones(1)}, path)
    hostile = b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR."
    rewrite_pickle(path, hostile)
    with pytest.raises(CheckpointError, match="os.system is not allowed"):
        read_torch_file(path)
    assert not marker.exists()


@pytest.mark.parametrize(
    "pickled",
    [
        # a storage whose file holds fewer numbers than it claims
        b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\n"
        b"X\x01\x00\x00\x000X\x03\x00\x00\x00cpuM\xe8\x03tQK\x00K\x02\x85K\x01\x85\x89ccollections\n"
        b"OrderedDict\n)RtR.",
        # a tensor reaching past its storage
        b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\n"
        b"X\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x01tQK\x00K\x09\x85K\x01\x85\x89ccollections\n"
        b"OrderedDict\n)RtR.",
        # BUILD on a storage type, to change what it reads as
        b"\x80\x02ctorch\nFloatStorage\n}X\x05\x00\x00\x00dtypeK\x01sb.",
        # a list that holds itself
        b"\x80\x02]q\x00h\x00a.",
    ],
    ids=["short-storage", "past-the-storage", "build-on-a-type", "cycle"],
)
def test_crafted_pickles_are_one_line_errors(tmp_path, pickled):
    path = tmp_path / "bad.pt"
    torch.save({"x": torch.ones(1)}, path)
    rewrite_pickle(path, pickled)
    with pytest.raises(CheckpointError) as err:
        read_torch_file(path)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_files_that_are_no_zip_are_refused(tmp_path, content):
    (tmp_path / "x.pt").write_bytes(content)
    with pytest.raises(CheckpointError):
        read_torch_file(tmp_path / "x.pt")


def test_the_legacy_format_is_refused(tmp_path):
    torch.save({"x": torch.ones(1)}, tmp_path / "old.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(CheckpointError, match="not a zip file"):
        read_torch_file(tmp_path / "old.pt")


def test_a_markov_checkpoint_loads_without_torch():
    code = (
        "import sys; from accompanist import harmonizers; m = harmonizers.load('markov'); "
        "print(type(m).__name__, 'torch' in sys.modules, 'scipy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["MarkovHarmonizer", "False", "False"]
