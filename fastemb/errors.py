"""Errors that carry a one-line message meant for the user.

The CLI prints ``str(error)`` of these (and of ValueError / FileNotFoundError
raised at the boundary) on one line and exits non-zero, without a traceback.
"""


class FastembError(Exception):
    """Base class of fastemb's own errors."""


class CorpusError(FastembError, ValueError):
    """The corpus cannot be read or gives nothing to train on."""


class TrainingDiverged(FastembError, ArithmeticError):
    """The weights became NaN or infinite, usually because the learning rate is too high."""


class VectorsFormatError(FastembError, ValueError):
    """A vectors file is not valid word2vec text or binary format."""


class ModelFormatError(FastembError, ValueError):
    """A model file (save_model / checkpoints) is missing parts, damaged, or of another format version."""


class PartiallyWritten(FastembError, OSError):
    """Outputs meant to appear together did not all appear; the message lists which did."""
