"""A user's own training data: a folder of MIDI files with accompaniment, or of lead sheets.

Lead sheets are ABC files (one or more tunes each, ``X:`` blocks) and MusicXML files
(``.xml``, ``.musicxml``, ``.mxl``) with chord symbols, read by ``accompanist.data.leadsheet``
like the Nottingham tunes: a melody and one chord per beat, no voices.

The melody is the part that ``accompanist.midi.melody.melody_notes`` picks (the most melodic
track and channel); every other note outside the drum channel is the accompaniment. Chords
come from the accompaniment on the 16th grid of the melody's beats, labelled like the chorales
(``accompanist.labeling.label_voices``, the lowest sounding note as the bass). Files that
cannot be read, or that have no accompaniment, are skipped with a line on stderr.
``split_folder`` puts about 10% of the files, chosen by a hash of their names, in validation.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

from accompanist.data import Piece
from accompanist.errors import DataError, MidiFileError
from accompanist.labeling import label_voices
from accompanist.melody import REST, STEPS_PER_BEAT
from accompanist.midi.melody import melody_notes, to_melody
from accompanist.midi.read import DRUM_CHANNEL, Note, Score, read_midi

MAX_VOICES = 8
VALIDATION_SHARE = 0.1
SUFFIXES = (".mid", ".midi")
LEAD_SHEET_SUFFIXES = (".abc", ".xml", ".musicxml", ".mxl")


def load_folder(folder: str | Path) -> list[Piece]:
    """Every usable MIDI file and lead sheet under ``folder`` (recursively), in path order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"--data {folder}: no such folder")
    suffixes = SUFFIXES + LEAD_SHEET_SUFFIXES
    paths = sorted(p for p in folder.rglob("*") if p.suffix.lower() in suffixes and p.is_file())
    pieces = []
    for path in paths:
        piece_id = path.relative_to(folder).as_posix()
        try:
            if path.suffix.lower() in SUFFIXES:
                pieces.append(read_piece(path, piece_id))
            else:
                pieces += read_lead_sheets(path, piece_id)
        except (MidiFileError, DataError) as exc:
            print(f"accompanist: skipping {exc}", file=sys.stderr)
    if not pieces:
        raise DataError(
            f"--data {folder}: no MIDI file with an accompaniment and no lead sheet with chords there"
        )
    return pieces


def read_lead_sheets(path: Path, piece_id: str) -> list[Piece]:
    """The tunes of one ABC or MusicXML file that have a melody and chord symbols."""
    from accompanist.data.leadsheet import ReadReport, read_abc_tune, read_score, split_abc

    report = ReadReport()
    if path.suffix.lower() == ".abc":
        tunes = split_abc(path.read_text(encoding="latin-1")) or [
            ("1", path.stem, path.read_text(encoding="latin-1"))
        ]
        sheets = []
        for number, title, text in tunes:
            sheet, part = read_abc_tune(text, f"{piece_id}#{number}", title or path.stem)
            report.merge(part)
            sheets.append(sheet)
    else:
        from music21 import converter

        try:
            score = converter.parse(str(path))
        except Exception as exc:  # music21 raises many kinds of errors on a broken file
            raise DataError(f"{path}: not a readable MusicXML file ({type(exc).__name__})") from None
        sheets = [read_score(score, piece_id, path.stem, report)]
    found = [
        Piece(s.id, s.title or s.id, s.melody(), s.chords, None, "folk") for s in sheets if s is not None
    ]
    if not found:
        raise DataError(f"{path}: no tune with a melody and chord symbols ({report.summary()})")
    return found


def read_piece(path: Path, piece_id: str) -> Piece:
    """One file as melody, chord per beat (from the accompaniment) and S/A/T/B pitches per beat."""
    score = read_midi(path)
    line = melody_notes(score)
    melody = to_melody(score, line)
    part = (line[0].track, line[0].channel)
    backing = [n for n in score.notes if (n.track, n.channel) != part and n.channel != DRUM_CHANNEL]
    if not backing:
        raise MidiFileError(f"{path}: no accompaniment besides the melody")
    voices = accompaniment_grid(score, backing, melody.n_beats * STEPS_PER_BEAT)
    first = voices[:, ::STEPS_PER_BEAT]
    satb = np.stack([melody.pitch[::STEPS_PER_BEAT], first[0], first[1], first[-1]], axis=1)
    return Piece(piece_id, Path(piece_id).stem, melody, label_voices(voices), satb.astype(np.int16))


def accompaniment_grid(score: Score, notes: list[Note], n_steps: int) -> np.ndarray:
    """(MAX_VOICES, n_steps) pitches: upper notes highest first, the lowest note in the last row."""
    sounding: list[set[int]] = [set() for _ in range(n_steps)]
    for n in notes:
        a = int(round(score.tempo.beats(n.start) * STEPS_PER_BEAT))
        b = max(a + 1, int(round(score.tempo.beats(n.end) * STEPS_PER_BEAT)))
        for step in range(a, min(b, n_steps)):
            sounding[step].add(n.pitch)
    grid = np.full((MAX_VOICES, n_steps), REST, dtype=np.int16)
    for step, pitches in enumerate(sounding):
        if pitches:
            ordered = sorted(pitches, reverse=True)
            upper = ordered[:-1][: MAX_VOICES - 1]
            grid[: len(upper), step] = upper
            grid[-1, step] = ordered[-1]
    return grid


def split_folder(pieces: list[Piece]) -> dict[str, list[Piece]]:
    """About 10% of the pieces (at least one, by a hash of the id) in validation, the rest in train.

    A user's folder has no test part: ``accompanist eval`` scores on the chorales. A folder of
    one file trains and validates on it.
    """
    if len(pieces) == 1:
        return {"train": list(pieces), "validation": list(pieces), "test": []}
    ranked = sorted(pieces, key=lambda p: hashlib.sha1(p.id.encode()).hexdigest())
    n_valid = max(1, round(VALIDATION_SHARE * len(pieces)))
    valid = {p.id for p in ranked[:n_valid]}
    return {
        "train": [p for p in pieces if p.id not in valid],
        "validation": [p for p in pieces if p.id in valid],
        "test": [],
    }
