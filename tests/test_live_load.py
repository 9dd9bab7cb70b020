"""The live bench's background load: busy processes that go away, and the JACK connection listing."""

import os

from accompanist.live import load


def test_busy_cores_run_while_inside_and_are_gone_after():
    # children from before (multiprocessing's resource tracker, once a training has spawned a
    # process in this session) are not the load's
    before = set(_children())
    with load.busy_cores(2) as count:
        children = set(_children()) - before
        assert count == 2 and len(children) >= 2
    assert not children & set(_children())


def _children() -> list[int]:
    path = f"/proc/{os.getpid()}/task/{os.getpid()}/children"
    with open(path) as f:
        return [int(pid) for pid in f.read().split()]


def test_jack_lsp_connections_are_read_per_port():
    listing = (
        "bench-listener:in\n   accompanist-out:chords\n"
        "bench-synth:midi_00\n"
        "system:playback_1\n   bench-synth:left\n"
    )
    assert load.connections(listing) == {
        "bench-listener:in": ["accompanist-out:chords"],
        "bench-synth:midi_00": [],
        "system:playback_1": ["bench-synth:left"],
    }


def test_without_fluidsynth_the_load_says_why_and_starts_nothing(monkeypatch):
    monkeypatch.setattr(load.shutil, "which", lambda name: None)
    with load.fluidsynth(48000) as missing:
        assert "fluidsynth" in missing
