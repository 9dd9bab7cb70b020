"""Reading what ``torch.save`` wrote, without torch: a zip of ``data.pkl`` and tensor storages.

Importing torch costs a second and more, and a markov checkpoint needs none of it. The pickle is
read by a restricted unpickler that allows only what ``torch.save`` writes for plain values and
dense tensors (``torch._utils._rebuild_tensor_v2``, the storage types, ``OrderedDict``); each
tensor comes back as an ``Array``, a numpy array that also answers ``.numpy()`` as a tensor
does. Anything else is a ``CheckpointError``: a stranger's file cannot run code or reach past
its storages. ``as_tensors`` turns the Arrays into torch tensors for families that use torch.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from accompanist.errors import CheckpointError

MAX_PICKLE_BYTES = 64 << 20  # data.pkl holds names and numbers; the weights are beside it
MAX_DEPTH = 64  # nesting of dicts and lists in a checkpoint (a cycle would be endless)
STORAGE_DTYPES = {
    "DoubleStorage": np.float64,
    "FloatStorage": np.float32,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}
PLAIN = (str, bytes, int, float, bool, type(None))


class Array(np.ndarray):
    """A tensor read from a checkpoint: a numpy array whose ``.numpy()`` answers as a tensor's does."""

    def numpy(self) -> np.ndarray:
        return self.view(np.ndarray)


class _Sealed:
    """What a checkpoint's pickle may name: never changed by it (BUILD), never called unless meant."""

    __slots__ = ()

    def __setstate__(self, state: Any) -> None:
        raise pickle.UnpicklingError("a checkpoint may not set state on its tensors")


class _StorageType(_Sealed):
    __slots__ = ("dtype",)

    def __init__(self, dtype: type) -> None:
        object.__setattr__(self, "dtype", np.dtype(dtype))


class _Storage(_Sealed):
    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        object.__setattr__(self, "array", array)


class _Tensor(_Sealed):
    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        object.__setattr__(self, "array", array)


class _RebuildTensor(_Sealed):
    """``torch._utils._rebuild_tensor_v2`` for dense tensors: a strided view of a storage, copied."""

    def __call__(self, storage, offset, size, stride, requires_grad, hooks, metadata=None) -> _Tensor:
        if not isinstance(storage, _Storage) or not isinstance(size, tuple) or not isinstance(stride, tuple):
            raise pickle.UnpicklingError("a tensor without a storage, size and stride")
        numbers = (offset, *size, *stride)
        if any(type(n) is not int or n < 0 for n in numbers) or len(size) != len(stride):
            raise pickle.UnpicklingError("a tensor with a bad offset, size or stride")
        if hooks or metadata or type(requires_grad) is not bool:
            raise pickle.UnpicklingError("a tensor with hooks or metadata")
        base = storage.array
        if 0 in size:
            return _Tensor(np.zeros(size, base.dtype))
        if offset + sum((n - 1) * s for n, s in zip(size, stride)) >= len(base):
            raise pickle.UnpicklingError("a tensor reaching past its storage")
        item = base.itemsize
        view = np.lib.stride_tricks.as_strided(base[offset:], size, [s * item for s in stride])
        return _Tensor(np.array(view))


class _Encode(_Sealed):
    """``_codecs.encode(text, 'latin1')``: how protocol 2 pickles bytes."""

    def __call__(self, text: str, encoding: str) -> bytes:
        if not isinstance(text, str) or encoding != "latin1":
            raise pickle.UnpicklingError("_codecs.encode with other than latin1 text")
        return text.encode("latin1")


_REBUILD = _RebuildTensor()
_ENCODE = _Encode()
_STORAGE_TYPES = {name: _StorageType(dtype) for name, dtype in STORAGE_DTYPES.items()}


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, archive: zipfile.ZipFile, prefix: str, byteorder: str) -> None:
        super().__init__(io.BytesIO(data))
        self.archive, self.prefix, self.byteorder = archive, prefix, byteorder
        self.storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _REBUILD
        if module == "torch" and name in _STORAGE_TYPES:
            return _STORAGE_TYPES[name]
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        if (module, name) == ("_codecs", "encode"):
            return _ENCODE
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a checkpoint")

    def persistent_load(self, pid: Any) -> _Storage:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError("an unknown persistent id")
        _, kind, key, _location, numel = pid
        if not isinstance(kind, _StorageType) or not isinstance(key, str) or type(numel) is not int:
            raise pickle.UnpicklingError("a storage of an unknown kind")
        if key not in self.storages:
            info = self.archive.getinfo(f"{self.prefix}data/{key}")
            if info.file_size != numel * kind.dtype.itemsize:
                raise pickle.UnpicklingError(f"storage {key} does not hold {numel} numbers")
            dtype = kind.dtype.newbyteorder("<" if self.byteorder == "little" else ">")
            array = np.frombuffer(self.archive.read(info), dtype).astype(kind.dtype)
            self.storages[key] = _Storage(array)
        return self.storages[key]


def read_torch_file(path: str | Path) -> Any:
    """What ``torch.load(path, weights_only=True)`` gives for a file of plain values and dense
    tensors, with ``Array`` for each tensor; CheckpointError for anything else."""
    try:
        with zipfile.ZipFile(path) as archive:
            pickles = [n for n in archive.namelist() if n.endswith("data.pkl") and n.count("/") == 1]
            if len(pickles) != 1:
                raise CheckpointError(f"{path} is not a checkpoint written by torch.save")
            prefix = pickles[0][: -len("data.pkl")]
            if archive.getinfo(pickles[0]).file_size > MAX_PICKLE_BYTES:
                raise CheckpointError(f"{path}: its data.pkl is over {MAX_PICKLE_BYTES >> 20} MiB")
            names = set(archive.namelist())
            byteorder = (
                archive.read(f"{prefix}byteorder").decode() if f"{prefix}byteorder" in names else "little"
            )
            raw = _Unpickler(archive.read(pickles[0]), archive, prefix, byteorder).load()
        return _plain(raw, 0)
    except CheckpointError:
        raise
    except zipfile.BadZipFile:
        raise CheckpointError(f"{path} is not a checkpoint: not a zip file as torch.save writes") from None
    except Exception as exc:  # a hostile file can fail in any of zipfile, pickle and numpy
        raise CheckpointError(f"corrupt or unreadable checkpoint {path}: {_reason(exc)}") from None


def _plain(obj: Any, depth: int) -> Any:
    """The unpickled tree with each tensor as an Array; only plain values, dicts, lists, tuples."""
    if depth > MAX_DEPTH:
        raise pickle.UnpicklingError(f"nested more than {MAX_DEPTH} deep")
    if type(obj) in PLAIN:
        return obj
    if isinstance(obj, _Tensor):
        return obj.array.view(Array)
    if type(obj) in (dict, OrderedDict):
        items = [(_plain(k, depth + 1), _plain(v, depth + 1)) for k, v in obj.items()]
        return type(obj)(items)
    if type(obj) in (list, tuple):
        return type(obj)(_plain(v, depth + 1) for v in obj)
    raise pickle.UnpicklingError(f"a {type(obj).__name__} where plain values and tensors belong")


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text[:120]}" if text else type(exc).__name__


def as_tensors(obj: Any) -> Any:
    """The same tree with each Array as a torch tensor, for families that compute with torch."""
    import torch

    if isinstance(obj, Array):
        return torch.from_numpy(obj.view(np.ndarray))
    if type(obj) in (dict, OrderedDict):
        return type(obj)((k, as_tensors(v)) for k, v in obj.items())
    if type(obj) in (list, tuple):
        return type(obj)(as_tensors(v) for v in obj)
    return obj
