"""Named errors that the command line turns into one clear line and exit code 2."""


class AccompanistError(Exception):
    """Base of every error a user can cause: the CLI prints it in one line and exits 2."""


class MidiFileError(AccompanistError):
    """A MIDI file is missing, unreadable, truncated, not MIDI, or holds no notes."""


class ChordError(AccompanistError):
    """A chord label is not in Accompanist's vocabulary or is not valid Harte syntax."""


class CheckpointError(AccompanistError):
    """A checkpoint is missing, corrupt, or of a kind no installed family knows."""


class UnknownModelError(AccompanistError):
    """A model name names no installed harmonizer family and no checkpoint file."""


class DataError(AccompanistError):
    """Training or evaluation data could not be found or built."""


class PortError(AccompanistError):
    """A MIDI port is missing, ambiguous, or went away."""


class OutputError(AccompanistError):
    """An output may not be written: it exists (without --force), is not a regular file, or has no folder."""
