"""The latency floor: a client that answers each note at once with a fixed chord, no queue, no model.

Run as its own process, as ``accompanist live`` is, so that the bench compares like with like:
``python -m accompanist.live.floor IN OUT [--api jack]``. It answers in the input callback, with
the player's velocity, alternating two chords so that each answer begins with a note-on.
"""

from __future__ import annotations

import argparse
import signal
import sys

import mido

from accompanist.live.notes import SoundingNotes
from accompanist.live.ports import open_input, open_output
from accompanist.live.terminal import READY, shielded, stop_signals

CHORDS = ((60, 64, 67), (62, 66, 69))


def serve(api: str, in_query: str, out_query: str) -> None:
    """Answer until Ctrl-C or SIGTERM, then release every note."""
    inp = open_input(api, in_query)
    out = open_output(api, out_query)
    notes = SoundingNotes(out)
    turn = [0]

    def answer(msg: mido.Message) -> None:
        if msg.type == "note_on" and msg.velocity > 0:
            old, new = CHORDS[turn[0]], CHORDS[1 - turn[0]]
            notes.change(0, old, new, msg.velocity)
            turn[0] = 1 - turn[0]

    try:
        with stop_signals():
            inp.set_callback(answer)
            print(f"floor: listening. {READY}", file=sys.stderr, flush=True)
            while True:
                signal.pause()  # never wakes holding the GIL that the answering callback needs
    except KeyboardInterrupt:
        pass
    finally:
        with shielded():
            inp.close()
            notes.panic()
            out.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m accompanist.live.floor", description=__doc__)
    parser.add_argument("in_port", metavar="IN")
    parser.add_argument("out_port", metavar="OUT")
    parser.add_argument("--api", default="jack")
    args = parser.parse_args(argv)
    serve(args.api, args.in_port, args.out_port)


if __name__ == "__main__":
    main()
