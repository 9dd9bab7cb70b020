"""The voicer: chord tones, ranges, no crossing, under the melody, voice leading, SATB rules."""

import pytest

from accompanist.chords import from_label, pitch_classes
from accompanist.errors import AccompanistError, ChordError
from accompanist.voicing import VOICINGS, Voicer, style_spec, voice_sequence

PROGRESSION = [from_label(x) for x in "C:maj A:min F:maj D:min7 G:7 E:min A:7 D:min G:7 C:maj".split()]
SOPRANO = [72, 72, 72, 74, 71, 71, 73, 74, 74, 72]
I_IV_V_I = [from_label(x) for x in ("C:maj", "F:maj", "G:maj", "C:maj")]


def greedy(style, chords, melody):
    voicer = Voicer(style)
    return [voicer.voice(c, m) for c, m in zip(chords, melody, strict=True)]


def both(style, chords, melody):
    return {"voice": greedy(style, chords, melody), "voice_sequence": voice_sequence(chords, melody, style)}


def consecutive_perfect(before, after):
    """Voice pairs (i, j) moving in fifths or octaves (unisons) into the same interval again."""
    found = []
    for i in range(len(before)):
        for j in range(i + 1, len(before)):
            was, now = (before[j] - before[i]) % 12, (after[j] - after[i]) % 12
            if was == now and now in (0, 7) and before[i] != after[i] and before[j] != after[j]:
                found.append((i, j))
    return found


def test_styles_include_block_and_satb():
    assert {"block", "satb", "open", "bass"} <= set(VOICINGS)


def test_unknown_style_raises_with_the_list():
    with pytest.raises(AccompanistError, match="block, satb"):
        Voicer("jazz")
    with pytest.raises(AccompanistError):
        voice_sequence([1], [None], "jazz")


def test_no_chord_is_silence():
    assert Voicer().voice(0, 72) == ()
    assert voice_sequence([0, 1, 0], [72, 72, None]) == [(), Voicer().voice(1, 72), ()]


def test_bad_input_raises():
    with pytest.raises(ChordError):
        Voicer().voice(109)
    with pytest.raises(ValueError):
        voice_sequence([1, 2], [60])


@pytest.mark.parametrize("style", VOICINGS)
def test_every_chord_in_every_style_is_complete_in_range_and_under_the_melody(style):
    spec, voicer = style_spec(style), Voicer(style)
    for melody in (None, 76):
        for chord in range(1, 109):
            voicer.reset()
            notes = voicer.voice(chord, melody)
            pcs = pitch_classes(chord)
            sounding = {p % 12 for p in notes} | ({melody % 12} if melody and spec.melody_voice else set())
            assert {p % 12 for p in notes} <= set(pcs)
            assert {pcs[0], pcs[1]} <= sounding, (chord, notes)
            assert len(notes) == len(spec.ranges)
            assert all(lo <= p <= hi for p, (lo, hi) in zip(notes, spec.ranges, strict=True))
            assert list(notes) == sorted(set(notes))
            assert melody is None or notes[-1] < melody


@pytest.mark.parametrize("style", VOICINGS)
def test_progression_voicings_stay_in_the_chord_uncrossed_and_under_the_melody(style):
    melody = SOPRANO[:5] + [None] + SOPRANO[6:]
    for path, voicings in both(style, PROGRESSION, melody).items():
        for chord, m, notes in zip(PROGRESSION, melody, voicings, strict=True):
            assert {p % 12 for p in notes} <= set(pitch_classes(chord)), path
            assert all(a < b for a, b in zip(notes, notes[1:], strict=False)), path
            assert m is None or notes[-1] < m, path


def test_melody_too_low_for_the_range_moves_the_chord_an_octave_down():
    notes = Voicer("block").voice(from_label("C:maj"), 50)
    assert notes[-1] < 50 and {p % 12 for p in notes} == {0, 4, 7}


def test_block_keeps_a_third_under_the_melody_when_it_can():
    notes = Voicer("block").voice(from_label("C:maj"), 67)
    assert notes[-1] <= 64


def test_block_voice_leading_moves_less_than_root_positions():
    chords = [from_label(x) for x in ("C:maj", "F:maj", "G:7", "C:maj")]
    root_position = [(48, 52, 55, 60), (53, 57, 60, 65), (55, 59, 62, 65), (48, 52, 55, 60)]

    def movement(voicings):
        steps = zip(voicings, voicings[1:], strict=False)
        return sum(abs(a - b) for u, v in steps for a, b in zip(u, v, strict=True))

    for voicings in both("block", chords, [None] * 4).values():
        assert all(max(v) - min(v) <= 12 for v in voicings)
        assert movement(voicings) < movement(root_position) / 2


@pytest.mark.parametrize("soprano", [[72, 72, 71, 72], [76, 77, 74, 72], [67, 69, 67, 67]])
def test_satb_i_iv_v_i_has_root_bass_no_parallels_and_good_spacing(soprano):
    for path, voicings in both("satb", I_IV_V_I, soprano).items():
        satb = [v + (s,) for v, s in zip(voicings, soprano, strict=True)]
        roots = [b % 12 == r for (b, *_), r in zip(satb, (0, 5, 7, 0), strict=True)]
        assert roots[0] and sum(roots) >= 3, path
        for before, after in zip(satb, satb[1:], strict=False):
            assert consecutive_perfect(before, after) == [], (path, before, after)
        for bass, tenor, alto, sop in satb:
            assert tenor <= alto + 12 and alto <= sop + 12 and tenor - bass <= 24


def test_satb_seventh_chords_keep_root_third_and_seventh():
    for notes in voice_sequence(PROGRESSION, [None] * len(PROGRESSION), "satb"):
        assert len(notes) == 3
    g7 = Voicer("satb").voice(from_label("G:7"), 74)  # soprano D: the fifth
    assert {p % 12 for p in g7} == {7, 11, 5}


def test_deterministic_and_reset_forgets():
    voicer = Voicer("satb")
    first = [voicer.voice(c, m) for c, m in zip(PROGRESSION, SOPRANO, strict=True)]
    voicer.reset()
    again = [voicer.voice(c, m) for c, m in zip(PROGRESSION, SOPRANO, strict=True)]
    assert first == again == greedy("satb", PROGRESSION, SOPRANO)
    assert voice_sequence(PROGRESSION, SOPRANO, "satb") == voice_sequence(PROGRESSION, SOPRANO, "satb")


def test_first_chord_is_central_and_close():
    notes = Voicer("block").voice(from_label("C:maj"))
    assert 52 <= min(notes) and max(notes) <= 69 and max(notes) - min(notes) <= 12


@pytest.mark.parametrize("style", VOICINGS)
def test_no_voicing_goes_under_e1_even_under_a_low_melody(style):
    for melody in (60, 52, 45):
        voicer = Voicer(style)
        assert all(min(voicer.voice(c, melody)) >= 28 for c in range(1, 109))  # every chord
