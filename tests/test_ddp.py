"""Training under torchrun: two CPU processes (gloo) train one model, gradients averaged over both."""

import os
import signal
import subprocess
import sys

import pytest
import torch
from test_user_data import write_song

from accompanist import harmonizers
from accompanist.melody import Melody

SETS = {
    "lstm": ["hidden=16", "embed_dim=16", "pitch_dim=8", "shifts=2", "batch_size=2"],
    "gan": [
        "encoder_options=hidden=16,embed_dim=16,pitch_dim=8,epochs=1,batch_size=2,shifts=2",
        "code_dim=4",
        "code_hidden=8",
        "pitch_dim=8",
        "critic_hidden=8",
        "window=8",
        "shifts=2",
        "batch_size=2",
        "threads=1",
    ],
}


@pytest.mark.parametrize("family", sorted(SETS))
def test_torchrun_with_two_cpu_processes(tmp_path, family):
    data = tmp_path / "songs"
    data.mkdir()
    for i in range(6):
        write_song(data / f"song{i}.mid", transpose=i)
    out = tmp_path / "ddp.pt"
    sets = ["epochs=2", *SETS[family]]
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    command += ["-m", "accompanist", "train", family, "--data", str(data), "--out", str(out), "--quiet"]
    command += ["--device", "cpu"] + [x for s in sets for x in ("--set", s)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # torchrun's workers too
    assert proc.returncode == 0, err[-2000:]
    meta = torch.load(out, weights_only=True)["meta"]
    assert meta["world_size"] == 2
    melody = Melody.from_notes([(b, 1.0, 60 + b) for b in range(8)])
    assert len(harmonizers.load(str(out)).harmonize(melody)) == 8
