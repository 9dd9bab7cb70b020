"""Accompanist: melody in, voiced backing chords out, from three model families."""

__version__ = "0.1.0"
