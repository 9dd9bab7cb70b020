"""Build the example melodies in midi_samples/: public-domain tunes as small MIDI files.

- ``ode-to-joy.mid``: Beethoven's theme, 4/4, a type 0 file.
- ``twinkle-twinkle.mid``: the nursery tune, 4/4, slowing down (tempo changes) in its last phrase.
- ``ein-feste-burg.mid``: the soprano of Bach's chorale BWV 302 from music21's corpus, 4/4 with
  a one-beat pickup.
- ``amazing-grace.mid``: the hymn tune "New Britain", 3/4 with a one-beat pickup.
- ``oh-susanna.mid``: Stephen Foster's song (1848), verse and chorus, 4/4 with a two-beat pickup.
- ``yankee-doodle.mid``: the traditional fiddle tune, both strains, 4/4.

Every file holds one melody on channel 1 (piano). Run ``python midi_samples/make_samples.py``;
the files are committed.
"""

from __future__ import annotations

from pathlib import Path

import mido

HERE = Path(__file__).resolve().parent
TPB = 480
VELOCITY = 90

# (duration in beats, MIDI pitch), a pitch of None is a rest
ODE = [(1, p) for p in (64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64)] + [(1.5, 64), (0.5, 62), (2, 62)]
ODE += [(1, p) for p in (64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64)] + [(1.5, 62), (0.5, 60), (2, 60)]
TWINKLE_PHRASES = [(60, 60, 67, 67, 69, 69, 67), (65, 65, 64, 64, 62, 62, 60), (67, 67, 65, 65, 64, 64, 62)]
TWINKLE = [
    (2 if i == 6 else 1, p) for phrase in (0, 1, 2, 2, 0, 1) for i, p in enumerate(TWINKLE_PHRASES[phrase])
]
GRACE = [(2, None), (1, 62)]
GRACE += [(2, 67), (0.5, 71), (0.5, 67), (2, 71), (1, 69), (2, 67), (1, 64), (2, 62), (1, 62)]
GRACE += [(2, 67), (0.5, 71), (0.5, 67), (2, 71), (1, 69), (3, 74), (2, 74), (1, 71)]
GRACE += [(2, 74), (0.5, 71), (0.5, 67), (2, 71), (1, 69), (2, 67), (1, 64), (2, 62), (1, 62)]
GRACE += [(2, 67), (0.5, 71), (0.5, 67), (2, 71), (1, 69), (3, 67)]

C4, D4, E4, F4, G4, A4 = 60, 62, 64, 65, 67, 69
SUSANNA_LINE = [(1, E4), (1, G4), (1.5, G4), (0.5, A4), (1, G4), (1, E4), (1.5, C4), (0.5, D4)]
SUSANNA = [(2, None), (1, C4), (1, D4)]
SUSANNA += SUSANNA_LINE + [(1, E4), (1, E4), (1, D4), (1, C4), (2, D4), (1, C4), (1, D4)]
SUSANNA += SUSANNA_LINE + [(1, E4), (1, E4), (1, D4), (1, D4), (4, C4)]
SUSANNA += [(2, F4), (2, A4), (2, A4), (1, G4), (1, G4), (1, E4), (1, C4), (1.5, C4), (0.5, D4)]
SUSANNA += [(1, E4), (1, E4), (1, D4), (1, C4), (2, D4), (1, C4), (1, D4)]
SUSANNA += SUSANNA_LINE + [(1, E4), (1, E4), (1, D4), (1, D4), (4, C4)]
G4_, A4_, B4, C5, D5, E5, FS5, G5 = 67, 69, 71, 72, 74, 76, 78, 79
FS4, D4_ = 66, 62
YANKEE = [(1, G4_), (1, G4_), (1, A4_), (1, B4), (1, G4_), (1, B4), (1, A4_), (1, D4_)]
YANKEE += [(1, G4_), (1, G4_), (1, A4_), (1, B4), (2, G4_), (2, FS4)]
YANKEE += [(1, G4_), (1, G4_), (1, A4_), (1, B4), (1, C5), (1, B4), (1, A4_), (1, G4_)]
YANKEE += [(1, FS4), (1, D4_), (1, 64), (1, FS4), (2, G4_), (2, G4_)]
YANKEE += [(1, E5), (1, FS5), (1, E5), (1, D5), (1, E5), (1, FS5), (2, G5)]
YANKEE += [(1, D5), (1, E5), (1, D5), (1, C5), (2, B4), (2, G4_)]
YANKEE += [(1, E5), (1, FS5), (1, E5), (1, D5), (1, E5), (1, FS5), (1, G5), (1, E5)]
YANKEE += [(1, D5), (1, G5), (1, FS5), (1, A4_ + 12), (2, G5), (2, G5)]


def melody_track(notes: list[tuple[float, int | None]], name: str) -> mido.MidiTrack:
    """A melody on channel 1 from (duration_beats, pitch) pairs, rests as pitch None."""
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=name)])
    track.append(mido.Message("program_change", channel=0, program=0))
    wait = 0
    for beats, pitch in notes:
        ticks = round(beats * TPB)
        if pitch is None:
            wait += ticks
            continue
        track.append(mido.Message("note_on", note=pitch, velocity=VELOCITY, time=wait))
        track.append(mido.Message("note_off", note=pitch, velocity=0, time=ticks))
        wait = 0
    track.append(mido.MetaMessage("end_of_track", time=wait))
    return track


def conductor(meter: tuple[int, int], tempos: list[tuple[float, float]]) -> mido.MidiTrack:
    """A tempo track: the meter, and (beat, bpm) tempo changes."""
    track = mido.MidiTrack([mido.MetaMessage("time_signature", numerator=meter[0], denominator=meter[1])])
    tick = 0
    for beat, bpm in tempos:
        at = round(beat * TPB)
        track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm), time=at - tick))
        tick = at
    track.append(mido.MetaMessage("end_of_track"))
    return track


def save(name: str, tracks: list[mido.MidiTrack], type_: int = 1) -> None:
    midi = mido.MidiFile(type=type_, ticks_per_beat=TPB)
    midi.tracks.extend(tracks)
    midi.save(HERE / name)


def chorale_soprano(work: str = "bach/bwv302") -> tuple[list[tuple[float, int | None]], int]:
    """The soprano of a chorale in music21's corpus as (duration, pitch) pairs, with its pickup as a rest."""
    from music21 import corpus

    score = corpus.parse(work)
    soprano = score.parts[0]
    pickup = float(soprano.getElementsByClass("Measure")[0].paddingLeft)
    notes: list[tuple[float, int | None]] = [(pickup, None)] if pickup else []
    for n in soprano.stripTies().flatten().notesAndRests:
        notes.append((float(n.quarterLength), None if n.isRest else n.pitch.midi))
    return notes, score.parts[0].flatten().getElementsByClass("TimeSignature")[0].numerator


def main() -> None:
    ode = melody_track(ODE, "Ode to Joy")
    save("ode-to-joy.mid", [mido.merge_tracks([conductor((4, 4), [(0, 120)]), ode])], type_=0)
    slowing = [(0, 110), (32, 96), (40, 72)]
    save("twinkle-twinkle.mid", [conductor((4, 4), slowing), melody_track(TWINKLE, "Twinkle Twinkle")])
    burg, beats_per_bar = chorale_soprano()
    chorale = [conductor((beats_per_bar, 4), [(0, 80)]), melody_track(burg, "Ein feste Burg (BWV 302)")]
    save("ein-feste-burg.mid", chorale)
    save("amazing-grace.mid", [conductor((3, 4), [(0, 90)]), melody_track(GRACE, "Amazing Grace")])
    save("oh-susanna.mid", [conductor((4, 4), [(0, 132)]), melody_track(SUSANNA, "Oh! Susanna")])
    save("yankee-doodle.mid", [conductor((4, 4), [(0, 120)]), melody_track(YANKEE, "Yankee Doodle")])


if __name__ == "__main__":
    main()
