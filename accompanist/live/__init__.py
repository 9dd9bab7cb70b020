"""Live play: MIDI ports, the realtime loop, its timing modes, recording, and the latency bench.

``ports`` finds and opens MIDI ports (python-rtmidi, messages as mido's); ``loop`` is the
realtime loop (the port callback enqueues, one worker steps the model); ``timing`` decides when
a chord is due; ``notes`` guarantees a note-off for every note-on; ``steppers`` calls the model,
with a budget and a fallback if asked; ``record`` writes a session to a MIDI file;
``terminal`` reads the panic key and turns signals into a clean stop; ``realtime`` sets threads
and the process up for low latency; ``jack``, ``floor`` and ``bench_live`` measure latency
through a private JACK server.
"""
