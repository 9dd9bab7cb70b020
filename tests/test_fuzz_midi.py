"""`accompanist harmonize` against corrupt and mutated MIDI files (tests/midi_mutations.py), in process.

Every case ends with exit 0 or 2; a failure is one line on stderr, never a traceback; no case takes
more than a few seconds. Then the cases the trust issue (12) found by name. The 4,000-case run that
also measures memory is scripts/fuzz_midi.py.
"""

import random
import time
import tracemalloc
from pathlib import Path

import mido
import pytest
from midi_mutations import GOOD, big_text, cases, flood, splice, vlq

from accompanist.cli import main
from accompanist.midi import melody, read

SEED, N_CASES = 12, 300
MAX_SECONDS = 5.0
CASES = list(cases(SEED, N_CASES))
KEY_GARBAGE = b"\x00\xff\x59\x02\x40\x07"  # 64 sharps, mode 7: mido raises KeySignatureError
ODE = Path(__file__).parent.parent / "midi_samples" / "ode-to-joy.mid"


def harmonize(source: Path, out: Path, capsys, *more: str) -> tuple[int, str, float]:
    """Exit status, stderr and seconds of one in-process run with the shipped markov model."""
    start = time.perf_counter()
    code = main(
        ["harmonize", str(source), "-o", str(out), "--force", "--model", "markov", "--device", "cpu", *more]
    )
    return code, capsys.readouterr().err, time.perf_counter() - start


def assert_one_line_or_none(code: int, err: str) -> None:
    assert "Traceback" not in err
    if code == 0:
        assert err == ""
    else:
        assert code == 2 and err.count("\n") == 1 and err.startswith("accompanist: error: ")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_mutated_file_is_harmonized_or_refused_in_one_line(case, tmp_path, capsys):
    source = tmp_path / "case.mid"
    source.write_bytes(case.data)
    code, err, seconds = harmonize(source, tmp_path / "out.mid", capsys)
    assert_one_line_or_none(code, err)
    assert seconds < MAX_SECONDS
    if code == 0:
        assert mido.MidiFile(tmp_path / "out.mid").tracks
    else:
        assert not (tmp_path / "out.mid").exists()


def test_the_mutations_cover_every_outcome():
    names = {c.name.split("-")[1] for c in CASES}
    assert {
        "truncate",
        "flip_bits",
        "long_vlq",
        "key_signature",
        "chunk_length",
        "flood",
        "big_text",
    } <= names


def mutated(tmp_path: Path, events: bytes, name: str = "bad.mid") -> Path:
    path = tmp_path / name
    path.write_bytes(splice(ODE.read_bytes(), random.Random(0), events))
    return path


def test_a_key_signature_mido_cannot_decode(tmp_path, capsys):
    code, err, _ = harmonize(mutated(tmp_path, KEY_GARBAGE), tmp_path / "out.mid", capsys)
    assert (
        code == 2 and "bad.mid: corrupt key signature (Could not decode key with 64 sharps and mode 7)" in err
    )
    assert_one_line_or_none(code, err)


def test_a_bad_key_signature_does_not_stop_a_batch(tmp_path, capsys):
    for i in range(10):
        if i == 5:
            mutated(tmp_path, KEY_GARBAGE, f"{i}.mid")
        else:
            (tmp_path / f"{i}.mid").write_bytes(ODE.read_bytes())
    assert main(["harmonize", str(tmp_path), "--model", "markov", "--device", "cpu"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].endswith("5.mid: corrupt key signature (Could not decode key with 64 sharps and mode 7)")
    assert err[1:] == ["accompanist: 1 of 10 files failed"]
    assert len(list(tmp_path.glob("*.harmonized.mid"))) == 9


@pytest.mark.parametrize(
    "events, what",
    [
        (b"\xff" * 200 + b"\x7f\xff\x51\x03\x07\xa1\x20", "a delta time"),  # a tempo 10^420 ticks on
        (b"\xff" * 4 + b"\x7f\x90\x3c\x40", "a delta time"),
        (b"\x00\xff\x01" + b"\xff" * 10 + b"\x7fx", "a meta event length"),
    ],
)
def test_a_variable_length_number_over_4_bytes(events, what, tmp_path, capsys):
    code, err, _ = harmonize(mutated(tmp_path, events), tmp_path / "out.mid", capsys)
    assert code == 2 and f"{what} longer than 4 bytes" in err
    assert_one_line_or_none(code, err)


def refused_fast(path: Path, capsys, message: str) -> None:
    """Refused in one line within a second, with little memory (not the file's worth of messages).

    Time and memory are two runs: tracemalloc slows Python code down several times.
    """
    argv = ["harmonize", str(path), "-o", str(path.with_suffix(".out.mid")), "--model", "markov"]
    start = time.perf_counter()
    code = main(argv)
    seconds = time.perf_counter() - start
    err = capsys.readouterr().err
    assert code == 2 and message in err
    assert_one_line_or_none(code, err)
    tracemalloc.start()
    try:
        assert main(argv) == 2
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seconds < 1.0 and peak < 100 * 2**20


def test_a_flood_of_events_is_refused_on_its_bytes(tmp_path, capsys):
    path = tmp_path / "flood.mid"
    path.write_bytes(flood(ODE.read_bytes(), random.Random(0)))  # 200,001 note-ons
    refused_fast(path, capsys, f"more than {read.MAX_EVENTS} events")


def test_an_8_mib_file_of_events_is_refused_on_its_bytes(tmp_path, capsys):
    path = tmp_path / "big.mid"
    path.write_bytes(splice(ODE.read_bytes(), random.Random(0), b"\x00\x90\x3c\x40" * (2 * 2**20 - 100)))
    assert path.stat().st_size <= read.MAX_FILE_BYTES
    refused_fast(path, capsys, "events")


def test_a_megabyte_long_variable_length_number_is_refused_at_once(tmp_path, capsys):
    path = mutated(tmp_path, b"\xff" * 2**20 + b"\x7f\x90\x3c\x40")
    refused_fast(path, capsys, "a delta time longer than 4 bytes")


def test_big_meta_data_is_refused_on_its_bytes(tmp_path, capsys):
    path = tmp_path / "text.mid"
    path.write_bytes(big_text(ODE.read_bytes(), random.Random(0)))
    refused_fast(path, capsys, "bytes of meta and SysEx data")


def test_a_gap_past_the_beat_limit_is_refused_before_harmonizing(tmp_path, capsys):
    tpb = mido.MidiFile(ODE).ticks_per_beat
    gap = b"\x00\x90\x3c\x40" + vlq(tpb * (melody.MAX_BEATS + 10)) + b"\x80\x3c\x40"
    code, err, seconds = harmonize(mutated(tmp_path, gap), tmp_path / "out.mid", capsys)
    assert code == 2 and f"beats long, over {melody.MAX_BEATS}" in err and seconds < 1.0


def test_a_good_file_still_harmonizes_after_all_this(tmp_path, capsys):
    code, err, _ = harmonize(GOOD[0], tmp_path / "out.mid", capsys)
    assert (code, err) == (0, "")
