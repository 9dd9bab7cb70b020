"""`accompanist harmonize`: backing chords for MIDI files, as a harmony track, lead sheet and chord file."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from accompanist import chords, harmonizers, pace
from accompanist.chord_files import FORMATS, chords_text
from accompanist.commands import sampling
from accompanist.data.corpora import DEFAULT_STYLE, STYLES
from accompanist.devices import CHOICES
from accompanist.errors import AccompanistError, OutputError
from accompanist.files import check_output, write_together
from accompanist.harmonizers.base import Harmonizer
from accompanist.harmony import basses, beat_voicings, held_chords
from accompanist.lead_sheet import lead_sheet, sheet_symbols
from accompanist.midi.melody import melody_notes, to_melody
from accompanist.midi.read import read_midi
from accompanist.midi.write import HARMONY_PROGRAM, harmonized_midi
from accompanist.pace import CHANGES
from accompanist.voicing import VOICINGS

SUFFIX = ".harmonized.mid"
MIDI_SUFFIXES = (".mid", ".midi")

EPILOG = f"""\
output:
  Each IN.mid gives IN{SUFFIX} beside it (or in --out-dir): the input's tracks
  unchanged, plus one harmony track on the first MIDI channel the input leaves free (never
  channel 10, the drums), General MIDI program {HARMONY_PROGRAM} (strings), one held chord per
  change of voicing. An existing file is replaced only with --force (an input, a device or a
  pipe never); a missing folder is an error unless --mkdir (an --out-dir or --chords folder
  may be created itself). A file's MIDI and chord file are written whole, together, or not at all.
  A folder gives its *.mid and *.midi files, not those ending in {SUFFIX}.
  The chords are printed as a lead sheet: the key, bar numbers, a chord symbol per beat
  spelled for the key (G7, F#dim, Bbmaj7; C/E where the bass of a satb, open or bass
  voicing is not the root), '/' where it goes on.

melody:
  The melody is the top line of one track and channel: the one --melody-track/--melody-channel
  name, else the mostly monophonic part with the highest mean pitch (drum channel 10 left out).

chord files:
  --chords X.lab writes 'start<TAB>end<TAB>label' lines in seconds (the file's tempo map);
  --chords X.json the same with beats, the key and each chord's symbol too. With several
  inputs --chords must be a folder (an existing one, or a path ending in '/'): each input gets
  <name>.lab (or .json, --chords-format).

exit status:
  0 when every file was harmonized; 2 when any failed (each failure is one line on stderr and
  the other files are still done) or the command itself could not run.
"""


@dataclass(frozen=True)
class Job:
    """One input file and where its outputs go."""

    source: Path
    output: Path
    chords: Path | None


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "harmonize",
        help="harmonize MIDI files: add a harmony track, print and save the chords",
        description="Harmonize melodies in MIDI files: one chord per beat, voiced on a harmony track.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("inputs", nargs="+", type=Path, metavar="IN", help="MIDI files, or folders of them")
    out = p.add_mutually_exclusive_group()
    out.add_argument("-o", "--output", type=Path, metavar="OUT.mid", help="the output file (one input only)")
    out.add_argument("--out-dir", type=Path, metavar="DIR", help=f"write IN{SUFFIX} files into DIR")
    p.add_argument("--model", default="lstm", help="lstm, markov, gan or a checkpoint path (default: lstm)")
    p.add_argument("--chords", metavar="OUT.lab|OUT.json|DIR", help="also write the chords")
    p.add_argument("--chords-format", choices=FORMATS, default="lab", help="format in a --chords folder")
    p.add_argument("--force", action="store_true", help="replace output files that exist")
    p.add_argument("--mkdir", action="store_true", help="create missing output folders")
    p.add_argument(
        "--style", choices=STYLES, default=DEFAULT_STYLE, help=f"harmonic idiom (default: {DEFAULT_STYLE})"
    )
    p.add_argument(
        "--voicing", choices=VOICINGS, default="block", help="how chords are laid out (default: block)"
    )
    p.add_argument(
        "--changes",
        choices=CHANGES,
        default="auto",
        help="where chords may change (default: auto, the style's pace)",
    )
    p.add_argument("--seed", type=int, help="random seed for generative models")
    sampling.add_option(p)
    p.add_argument(
        "--device",
        choices=CHOICES,
        default="auto",
        help="cpu: numpy, no torch; cuda: the offline nets on the GPU, in torch; auto (default): the CPU",
    )
    p.add_argument("--melody-track", type=int, metavar="N", help="melody from track N (counting from 0)")
    p.add_argument(
        "--melody-channel", type=_channel, metavar="N", help="take the melody from channel N (1-16)"
    )
    p.add_argument("--causal", action="store_true", help="chords and voicing as live play would give them")
    p.set_defaults(func=run)


def _channel(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 16:
        raise argparse.ArgumentTypeError(f"a MIDI channel is a number from 1 to 16, not {text!r}")
    return int(text) - 1


def run(args: argparse.Namespace) -> int:
    jobs = plan(args)
    from tqdm import tqdm

    model = harmonizers.load(args.model, device=args.device)  # 'auto' probes the GPU only for torch families
    model.use_style(args.style)
    sampling.apply({args.model: model}, args.temperature)
    failed = 0
    for job in tqdm(jobs, desc="harmonizing", unit="file", disable=True if len(jobs) < 2 else None):
        try:
            tqdm.write(harmonize_file(job, model, args))
        except AccompanistError as exc:
            failed += 1
            tqdm.write(f"accompanist: error: {exc}", file=sys.stderr)
    if failed and len(jobs) > 1:
        tqdm.write(f"accompanist: {failed} of {len(jobs)} files failed", file=sys.stderr)
    return 2 if failed else 0


def harmonize_file(job: Job, model: Harmonizer, args: argparse.Namespace) -> str:
    """Harmonize one file, write its outputs, and return the report to print."""
    score = read_midi(job.source)
    melody = to_melody(score, melody_notes(score, args.melody_track, args.melody_channel))
    indices = pace.predict(model, melody, causal=args.causal, seed=args.seed, changes=args.changes)
    voicings = beat_voicings(indices, melody, args.voicing, args.causal)
    files = {job.output: harmonized_midi(score, held_chords(voicings))}
    symbols, key = sheet_symbols(indices, melody, basses(voicings, args.voicing))
    if job.chords is not None:
        labels = [chords.to_label(int(i)) for i in indices]  # the .lab / .json vocabulary
        text = chords_text(job.chords, labels, score.tempo, str(job.source), args.model, symbols, key.name)
        files[job.chords] = text.encode("utf-8")
    write_together(files, overwrite=args.force, mkdir=True)  # plan() checked which folders may be made
    written = " and ".join(map(str, files))
    how = f"{args.style}, {args.voicing}"
    header = f"{job.source}: {len(indices)} beats harmonized by {args.model} ({how}) -> {written}"
    return f"{header}\nkey {key.name}\n{lead_sheet(symbols, melody.bar_pos)}"


def plan(args: argparse.Namespace) -> list[Job]:
    """Inputs and their output paths; refuses outputs that would overwrite an input or each other."""
    sources = find_inputs(args.inputs)
    if args.output is not None and len(sources) > 1:
        raise AccompanistError("-o names one output file; with several inputs use --out-dir")
    chords = None if args.chords is None else Path(args.chords)
    chords_dir = args.chords is not None and (chords.is_dir() or args.chords.endswith(("/", os.sep)))
    if chords is not None and not chords_dir and len(sources) > 1:
        raise AccompanistError(
            "with several inputs, --chords must be a folder (one that exists, or ending in '/')"
        )
    if chords is not None and not chords_dir and chords.suffix.lower() not in (".lab", ".json"):
        raise AccompanistError(f"--chords {args.chords}: a chord file must end in .lab or .json")
    jobs = []
    for source in sources:
        output = args.output or (args.out_dir or source.parent) / f"{source.stem}{SUFFIX}"
        chords_path = chords / f"{source.stem}.{args.chords_format}" if chords_dir else chords
        jobs.append(Job(source, output, chords_path))
    _check_outputs(jobs, args.force, args.mkdir, [args.out_dir, chords if chords_dir else None])
    return jobs


def find_inputs(paths: list[Path]) -> list[Path]:
    """Files as given and the MIDI files of folders (sorted, earlier outputs left out), once each."""
    found: dict[Path, Path] = {}
    for path in paths:
        if path.is_dir():
            files = sorted(
                f
                for f in path.iterdir()
                if f.suffix.lower() in MIDI_SUFFIXES and not f.name.endswith(SUFFIX) and f.is_file()
            )
            if not files:
                raise AccompanistError(f"{path}: no MIDI files (*.mid, *.midi) in this folder")
        else:
            files = [path]
        for f in files:
            found.setdefault(f.resolve(), f)
    return list(found.values())


def _check_outputs(jobs: list[Job], force: bool, mkdir: bool, folders: list[Path | None]) -> None:
    """Refuse outputs that are inputs, clash, exist (without ``force``) or lack a folder.

    ``folders`` (the --out-dir and --chords folder) may be created themselves, in an existing
    folder; other missing folders only with ``mkdir``.
    """
    inputs = {job.source.resolve() for job in jobs}
    outputs = [p for job in jobs for p in (job.output, job.chords) if p is not None]
    seen: set[Path] = set()
    for path in outputs:
        resolved = path.resolve()
        if resolved in inputs:
            raise AccompanistError(f"refusing to overwrite the input file {path}")
        if resolved in seen:
            raise AccompanistError(f"two outputs would both be written to {path}")
        seen.add(resolved)
    not_folder = next((f for f in folders if f is not None and f.exists() and not f.is_dir()), None)
    if not_folder is not None:
        raise OutputError(f"{not_folder} is not a folder")
    creatable = {f for f in folders if f is not None and f.parent.is_dir()}
    for path in outputs:
        check_output(path, overwrite=True, mkdir=mkdir or path.parent in creatable)
    existing = [p for p in outputs if os.path.lexists(p)]
    if existing and not force:
        more = f" (and {len(existing) - 1} more outputs)" if len(existing) > 1 else ""
        raise OutputError(f"{existing[0]} exists{more}; --force replaces {'them' if more else 'it'}")
