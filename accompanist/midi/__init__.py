"""MIDI files in and out, one module a concern; import from the modules themselves.

``read``: a file's bytes, within limits, to a ``Score`` (notes, tempo map, meters).
``melody``: the melody line of a score, on the 16th grid (``Melody``).
``write``: a copy of the input plus a harmony track, and ``events_to_track``, the one place
where absolute ticks become a track's delta times.
"""
