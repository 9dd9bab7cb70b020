"""Output files: refused when they exist, are special or lack a folder; written whole, together, or not."""

import os
import stat

import pytest

from accompanist import files
from accompanist.errors import OutputError
from accompanist.files import check_output, write_atomic, write_together


def test_a_new_file_is_written_with_the_umask_mode_and_no_temporary_file(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "a.mid", b"MThd")
    finally:
        os.umask(old)
    assert (tmp_path / "a.mid").read_bytes() == b"MThd"
    assert stat.S_IMODE((tmp_path / "a.mid").stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["a.mid"]


def test_a_writer_function_gets_the_open_file(tmp_path):
    write_atomic(tmp_path / "a.bin", lambda f: f.write(b"xyz"))
    assert (tmp_path / "a.bin").read_bytes() == b"xyz"


def test_an_existing_file_is_replaced_only_with_overwrite(tmp_path):
    path = tmp_path / "a.lab"
    path.write_text("old")
    with pytest.raises(OutputError, match=r"a.lab exists; --force replaces it"):
        write_atomic(path, b"new")
    assert path.read_text() == "old"
    write_atomic(path, b"new", overwrite=True)
    assert path.read_text() == "new"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_or_device_is_never_an_output(tmp_path):
    os.mkfifo(tmp_path / "pipe.mid")
    with pytest.raises(OutputError, match="not a regular file"):
        write_atomic(tmp_path / "pipe.mid", b"x", overwrite=True)
    with pytest.raises(OutputError, match="not a regular file"):
        check_output(os.devnull, overwrite=True)
    assert stat.S_ISFIFO(os.stat(tmp_path / "pipe.mid").st_mode)


def test_a_folder_is_never_an_output(tmp_path):
    with pytest.raises(OutputError, match="is a folder"):
        write_atomic(tmp_path, b"x", overwrite=True)


def test_a_missing_folder_is_made_only_with_mkdir(tmp_path):
    path = tmp_path / "new" / "sub" / "a.mid"
    with pytest.raises(OutputError, match=r"no folder .*sub for a.mid \(--mkdir creates it\)"):
        write_atomic(path, b"x")
    assert not (tmp_path / "new").exists()
    write_atomic(path, b"x", mkdir=True)
    assert path.read_bytes() == b"x"


def test_a_failed_write_leaves_nothing(tmp_path):
    def half_then_fail(f):
        f.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match=r"cannot write .*a.mid: No space left on device"):
        write_atomic(tmp_path / "a.mid", half_then_fail)
    assert os.listdir(tmp_path) == []


def test_files_written_together_all_appear_or_none(tmp_path, monkeypatch):
    a, b = tmp_path / "a.mid", tmp_path / "a.lab"

    def no_second(f):
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="a.lab: No space left"):
        write_together({a: b"midi", b: no_second})
    assert os.listdir(tmp_path) == []
    real_replace = os.replace

    def second_rename_fails(src, dst):
        if str(dst).endswith(".lab"):
            raise OSError(5, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", second_rename_fails)
    with pytest.raises(OutputError, match="a.lab: Input/output error"):
        write_together({a: b"midi", b: b"chords"})
    assert os.listdir(tmp_path) == []
    monkeypatch.setattr(files.os, "replace", real_replace)
    write_together({a: b"midi", b: b"chords"})
    assert a.read_bytes() == b"midi" and b.read_bytes() == b"chords"


def test_a_file_that_appears_while_the_data_is_made_is_not_replaced(tmp_path):
    path = tmp_path / "a.mid"

    def someone_else_writes_it(f):
        path.write_text("theirs")
        f.write(b"ours")

    with pytest.raises(OutputError, match="exists"):
        write_atomic(path, someone_else_writes_it)
    assert path.read_text() == "theirs" and os.listdir(tmp_path) == ["a.mid"]
