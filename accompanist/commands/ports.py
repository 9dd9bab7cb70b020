"""`accompanist ports`: the MIDI inputs and outputs of every backend python-rtmidi offers here."""

from __future__ import annotations

import argparse

from accompanist.errors import PortError
from accompanist.live.backends import APIS, compiled_apis, list_ports, no_backend_error


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "ports",
        help="list MIDI inputs and outputs",
        description="List the MIDI ports of each backend (ALSA, JACK, CoreMIDI, Windows MM) that works "
        "here. `accompanist live` uses the first backend listed as working unless --api says otherwise.",
    )
    p.add_argument("--api", choices=tuple(APIS), help="only this backend")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    default = None
    for api in [args.api] if args.api else compiled_apis():
        try:
            inputs, outputs = list_ports(api)
        except PortError as exc:
            if args.api:
                raise
            print(f"{api}: {exc}")
            continue
        default = default or api
        print(f"{api}{' (default)' if default == api and not args.api else ''}:")
        for title, names in (("inputs (play into accompanist)", inputs), ("outputs (it plays to)", outputs)):
            print(f"  {title}:")
            for name in names or ["(none)"]:
                print(f"    {name}")
    if default is None:
        raise no_backend_error()
    return 0
