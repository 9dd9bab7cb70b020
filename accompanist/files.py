"""Output files: what may be written, and writing whole files (or several together) or nothing.

Every output of Accompanist goes through here, so one rule holds everywhere: an existing file
is replaced only when the caller says so (``overwrite``, the CLI's ``--force``); a device, pipe,
folder or other special file is never an output; a missing folder is created only with
``mkdir``. Data goes to a temporary file beside its target, which is renamed over the target once
complete, so a crash leaves the old file or none, never half of one, and no temporary file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO

from accompanist.errors import OutputError

Data = bytes | Callable[[BinaryIO], None]  # the bytes, or a function that writes them to a file


def check_output(path: str | Path, overwrite: bool = False, mkdir: bool = False) -> None:
    """Raise OutputError, one line, if ``path`` may not be written with these permissions."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None if not os.path.lexists(path) else stat.S_IFREG  # a dangling link is a file name
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputError(f"{path} is a folder; name a file")
    if mode is not None and not stat.S_ISREG(mode):
        raise OutputError(f"{path} is not a regular file (a device or pipe); it is never an output")
    if mode is not None and not overwrite:
        raise OutputError(f"{path} exists; --force replaces it")
    folder = path.parent
    if not folder.is_dir() and not mkdir:
        raise OutputError(f"no folder {folder} for {path.name} (--mkdir creates it)")
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {path}: the folder {folder} is not writable")


def probe_folder(folder: str | Path) -> None:
    """OutputError unless a file can really be made in ``folder`` (where permissions do not tell:
    a read-only disk, a kernel folder, root); for outputs that come at the end of a long job."""
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".accompanist-probe-"):
            pass
    except OSError as exc:
        raise OutputError(f"cannot write in {folder}: {exc.strerror or exc}") from None


def write_atomic(path: str | Path, data: Data, overwrite: bool = False, mkdir: bool = False) -> None:
    """Write one file whole or not at all; OutputError (one line) if it may not or cannot be."""
    write_together({Path(path): data}, overwrite, mkdir)


def write_together(files: Mapping[Path, Data], overwrite: bool = False, mkdir: bool = False) -> None:
    """Write several files as one: every one is complete before any is renamed into place.

    If a rename fails, the files already renamed are removed again (a file that ``overwrite``
    replaced is not brought back), so no job is left half written.
    """
    for path in files:
        check_output(path, overwrite, mkdir)
    staged: list[tuple[str, Path]] = []
    placed: list[Path] = []
    current = next(iter(files), None)
    try:
        for current, data in files.items():
            staged.append((_stage(current, data, mkdir), current))
        for tmp, current in staged:
            check_output(current, overwrite)  # again: it may have appeared while the data was made
            os.replace(tmp, current)
            placed.append(current)
    except BaseException as exc:
        for path in placed:
            path.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {current}: {exc.strerror or exc}") from None
        raise
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)


def _stage(path: Path, data: Data, mkdir: bool) -> str:
    """Write ``data`` to a new temporary file beside ``path``, with a normal file's mode."""
    if mkdir:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; the result follows the umask
            if isinstance(data, bytes):
                f.write(data)
            else:
                data(f)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
