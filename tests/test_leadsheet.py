"""Lead sheets in ABC: chord symbols to the vocabulary, one chord per beat, pickups, metres, repeats."""

from __future__ import annotations

import numpy as np
import pytest

from accompanist import chords
from accompanist.data.leadsheet import beat_chords, read_abc_tune, split_abc, symbol_index
from accompanist.data.user import load_folder

C, G, D7 = chords.from_label("C:maj"), chords.from_label("G:maj"), chords.from_label("D:7")


def abc(body: str, metre: str = "4/4", key: str = "C", title: str = "Test") -> str:
    return f"X:1\nT:{title}\nM:{metre}\nL:1/8\nK:{key}\n{body}\n"


def read(text: str):
    sheet, report = read_abc_tune(text, "t/1", "Test")
    return sheet, report


@pytest.mark.parametrize(
    ("symbol", "label"),
    [
        ("G", "G:maj"),
        ("Em", "E:min"),
        ("D7", "D:7"),
        ("Cd", "C:dim"),
        ("Ca", "C:aug"),
        ("G/b", "G:maj"),
        ("D/f+", "D:maj"),
        ("E7b9", "E:7"),
        ("C6", "C:maj"),
        ("Dm6", "D:min"),
        ("(E7)", "E:7"),
        ("Bb", "Bb:maj"),
        ("Ebd", "Eb:dim"),
        ("F#m", "F#:min"),
        ("Bm7", "B:min7"),
        ("Gmaj7", "G:maj7"),
        ("Bm7b5", "B:hdim7"),
        ("E-7", "Eb:7"),  # music21's own spelling of a flat
    ],
)
def test_symbols_map_to_the_nearest_vocabulary_chord(symbol, label):
    assert symbol_index(symbol) == chords.from_label(label)


@pytest.mark.parametrize("symbol", ["", "N.C.", "H", "Gx9", "rit."])
def test_what_is_no_chord_symbol_maps_to_none(symbol):
    assert symbol_index(symbol) is None


def test_the_chord_sounding_longest_in_a_beat_wins_a_tie_goes_to_the_earlier():
    labels = beat_chords([(0.0, C), (1.5, G), (2.25, D7)], 4)
    assert list(labels) == [C, C, D7, D7]
    assert list(beat_chords([(0.5, G)], 2)) == [G, G]  # a chord beats no chord at half a beat
    assert list(beat_chords([(1.0, G)], 2)) == [chords.NO_CHORD, G]


def test_a_tune_with_chords_reads_into_beats_and_bars():
    sheet, report = read(abc('"C"c2 e2 "G/b"d2 B2|"C"c8|]'))
    assert list(sheet.chords) == [C, C, G, G, C, C, C, C]
    assert list(sheet.bar_pos) == [0, 1, 2, 3, 0, 1, 2, 3]
    assert sheet.pitch[0] == 72 and sheet.onset[0]
    assert report.symbols == 3 and not report.unmapped


def test_a_pickup_is_padded_to_a_whole_beat_so_bars_start_on_beats():
    sheet, _ = read(abc('G|"C"c2 e2 g2 e2|"G"d8|]'))
    # an eighth-note pickup: a rest, then G on the beat's last eighth; the first bar on beat 1
    assert list(sheet.bar_pos[:2]) == [3, 0]
    assert sheet.pitch[0] == -1 and sheet.pitch[2] == 67 and sheet.onset[2]
    assert sheet.chords[0] == chords.NO_CHORD and sheet.chords[1] == C


def test_six_eight_counts_three_quarter_beats_and_keeps_the_half_bar_change():
    sheet, _ = read(abc('"C"c2e "G"d2B|"C"c6|]', metre="6/8"))
    assert list(sheet.bar_pos) == [0, 1, 2, 0, 1, 2]
    assert list(sheet.chords) == [C, C, G, C, C, C]  # G from 1.5: the tie at beat 1 goes to C


def test_repeats_are_read_as_written():
    sheet, _ = read(abc('|:"C"c2 e2 g2 e2:|"G"d8|]'))
    assert len(sheet.bar_pos) == 8
    assert list(sheet.chords[:4]) == [C] * 4 and list(sheet.chords[4:]) == [G] * 4


def test_a_tune_without_chords_or_in_nine_eight_is_skipped_with_a_reason():
    sheet, report = read(abc("c2 e2 g2 e2|d8|]"))
    assert sheet is None and report.skipped["no chords"] == 1
    sheet, report = read(abc('"C"c2e c2e c2e|"G"d3 d3 d3|]', metre="9/8"))
    assert sheet is None and report.skipped["metre"] == 1


def test_split_abc_gives_every_tune_with_its_title():
    text = abc('"C"c8|]', title="One") + "\n" + abc('"G"d8|]', title="Two").replace("X:1", "X:7")
    assert [(n, t) for n, t, _ in split_abc(text)] == [("1", "One"), ("7", "Two")]


def test_a_folder_of_lead_sheets_reads_every_good_tune_and_says_one_line_for_a_bad_one(tmp_path, capsys):
    good = abc('"C"c2 e2 "G"d2 B2|"C"c8|]', title="Good")
    (tmp_path / "tunes.abc").write_text(good + "\n" + good.replace("X:1", "X:2"))
    (tmp_path / "broken.abc").write_text("X:1\nT:Broken\nM:4/4\nK:C\nc2 e2 d2 B2|\n")  # no chords
    pieces = load_folder(tmp_path)
    assert [p.id for p in pieces] == ["tunes.abc#1", "tunes.abc#2"]
    assert all(p.satb is None and p.style == "folk" for p in pieces)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "broken.abc" in err[0] and "no chords" in err[0]


def test_a_lead_sheet_piece_transposes_without_voices():
    sheet, _ = read(abc('"C"c2 e2 "G"d2 B2|]'))
    from accompanist.data.nottingham import to_piece

    up = to_piece(sheet).transpose(2)
    assert up.satb is None
    assert up.chords[0] == chords.from_label("D:maj")
    assert np.all(up.melody.pitch[up.melody.pitch >= 0] == sheet.pitch[sheet.pitch >= 0] + 2)
