"""The fastemb model file: what is needed to use a model, train it more, or resume its training.

One ``.npz`` file (a zip of ``.npy`` arrays; ``numpy.load(path, allow_pickle=False)``
reads it anywhere, no pickle involved), written atomically:

============  ===========================  ==========================================
array         type, shape                  content
============  ===========================  ==========================================
``header``    uint8 (bytes,)               UTF-8 JSON, the fields below
``words``     uint8 (bytes,)               the vocabulary in id order, UTF-8, joined by
                                           ``\\n`` (words never contain whitespace)
``counts``    int64 (V,)                   corpus count of each word
``w_in``      float32 (rows, dim)          input matrix; rows 0..V-1 are the word vectors
``w_out``     float32 (rows, dim)          output matrix
============  ===========================  ==========================================

Header fields: ``format`` ("fastemb-model"), ``format_version`` (an integer),
``fastemb_version``, ``settings`` (every Settings field but ``cache_dir``, a
path of the machine that trained), ``vocab_size``, ``dim``, ``runs`` (training
runs so far: 1 after ``train``, +1 per ``train_more``), ``progress`` (null for
a finished model; in a checkpoint: the run's Position and the corpus's
fingerprint, see model.py), ``stats`` (the last run's TrainingStats, or null)
and ``history`` (one EpochRecord per finished epoch).

The matrices are stored as they are, with the settings that explain their
shapes (:func:`matrix_rows`): a setting that adds rows (subword buckets after
the words in ``w_in``, hierarchical-softmax nodes in ``w_out``) says so there.

Version policy: ``FORMAT_VERSION`` goes up whenever a reader of the previous
version would misread a new file (an array's meaning or a required field
changes). A new setting does not need a new version: a reader that does not
know it refuses the file naming it, and its default must give the old
behaviour. This code reads the versions in ``READABLE_VERSIONS`` and refuses
others with a message naming both versions. A file is written with the oldest
version that describes it (:func:`format_version`), so older readers keep
reading every file they would read right.

Versions: 1, the first. 2: a checkpoint of a ``train_more`` run, whose
``progress`` has ``kind`` "train_more", ``alpha``, ``min_alpha`` and
``update_vocab`` (its run number is ``runs``, its epochs ``progress.epochs``);
a version-1 reader would resume it as a ``train`` run, with the wrong learning
rates and seeds. Other files are still version 1 (a missing ``kind`` means "train").
"""
from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, List, Optional, Tuple

import numpy as np

from .config import Settings, make_settings
from .errors import ModelFormatError
from .outputs import PathLike, atomic_write
from .progress import Bar, Progress
from .trainer import input_rows, output_rows
from .vocab import Vocab

FORMAT_NAME = "fastemb-model"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
ARRAYS = ("header", "words", "counts", "w_in", "w_out")
LOCAL_SETTINGS = ("cache_dir",)  # about the machine, not the model: never saved
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class SavedModel:
    """Everything a model file holds, in memory."""

    settings: Settings
    vocab: Vocab
    w_in: np.ndarray
    w_out: np.ndarray
    runs: int = 1
    progress: Optional[dict] = None  # a checkpoint's place in its run; None when the run finished
    stats: Optional[dict] = None
    history: List[dict] = field(default_factory=list)
    fastemb_version: str = ""


def matrix_rows(settings: Settings, vocab_size: int) -> Tuple[int, int]:
    """Rows of (w_in, w_out) a model of ``vocab_size`` words has with these settings:
    w_in holds the word rows, then (with subwords) the n-gram buckets' rows; w_out
    negative sampling's word rows, then hierarchical softmax's inner nodes."""
    return input_rows(vocab_size, settings), output_rows(vocab_size, settings)


def write_model(path: PathLike, model: SavedModel, progress: Progress = False) -> None:
    """Write ``model`` to ``path`` atomically (an existing file survives a failure or Ctrl-C);
    ``progress``: a "saving" bar in bytes (see progress.py)."""
    from . import __version__

    settings = {k: v for k, v in model.settings.as_dict().items() if k not in LOCAL_SETTINGS}
    header = {
        "format": FORMAT_NAME, "format_version": format_version(model.progress), "fastemb_version": __version__,
        "settings": settings, "vocab_size": len(model.vocab), "dim": int(model.w_in.shape[1]),
        "runs": model.runs, "progress": model.progress, "stats": model.stats, "history": model.history,
    }
    words = "\n".join(model.vocab.words).encode("utf-8")
    arrays = {"header": _bytes_array(json.dumps(header).encode("utf-8")), "words": _bytes_array(words),
              "counts": np.asarray(model.vocab.counts, np.int64),
              "w_in": np.ascontiguousarray(model.w_in, np.float32),
              "w_out": np.ascontiguousarray(model.w_out, np.float32)}
    size = sum(array.nbytes for array in arrays.values())  # and a few hundred bytes of zip and .npy headers
    with atomic_write(path) as raw, Bar(progress, "saving", size, unit="B") as bar:
        np.savez(_Counted(raw, bar), **arrays)
        bar.finish()


class _Counted:
    """A binary stream that counts what is written through it on ``bar``."""

    def __init__(self, stream: BinaryIO, bar: Bar):
        self._stream, self._bar = stream, bar

    def write(self, data) -> int:
        self._bar.update(memoryview(data).nbytes)
        return self._stream.write(data)

    def __getattr__(self, name: str):  # seek, tell, flush...: zipfile uses them as on the stream
        return getattr(self._stream, name)


def format_version(progress: Optional[dict]) -> int:
    """The oldest format version that describes a file with this ``progress``."""
    return 2 if progress is not None and progress.get("kind") == "train_more" else 1


def _bytes_array(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.uint8)


def is_model_file(path: PathLike) -> bool:
    """Whether ``path`` is a zip (npz) file, as model files are and word vectors files never are."""
    try:
        with open(path, "rb") as stream:
            return stream.read(4) == _ZIP_MAGIC
    except OSError:
        return False


def read_model(path: PathLike, **overrides) -> SavedModel:
    """Read a model file strictly. ``overrides`` replace saved settings that are
    about the run rather than the model (``threads``, ``backend``, ``cache_dir``).

    Raises FileNotFoundError, or ModelFormatError with a one-line message for a
    file that is not a fastemb model, is truncated or damaged, or has a format
    version this code does not read.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such model file")
    if not is_model_file(path):
        raise ModelFormatError(f"{path}: not a fastemb model (save one with model.save_model)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [name for name in ARRAYS if name not in archive.files]
            if "header" in missing:
                raise ModelFormatError(f"{path}: not a fastemb model (a .npz file without a fastemb header)")
            header = _header(path, archive["header"])
            if missing:
                raise ModelFormatError(f"{path}: damaged fastemb model: no {', '.join(missing)} array")
            arrays = {name: archive[name] for name in ARRAYS[1:]}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
        if isinstance(error, ModelFormatError):
            raise
        raise ModelFormatError(f"{path}: truncated or damaged model file ({error})") from None
    settings = _settings(path, header, overrides)
    vocab = _vocab(path, header, arrays["words"], arrays["counts"])
    w_in, w_out = arrays["w_in"], arrays["w_out"]
    _check_matrices(path, settings, len(vocab), w_in, w_out)
    return SavedModel(settings, vocab, w_in, w_out, header["runs"], header["progress"], header["stats"],
                      header["history"], header["fastemb_version"])


def read_header(path: PathLike) -> dict:
    """The header of a model file, without reading its arrays: FileNotFoundError,
    or ModelFormatError for what is not a readable fastemb model file."""
    path = Path(path)
    if not is_model_file(path):
        raise ModelFormatError(f"{path}: not a fastemb model (save one with model.save_model)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            if "header" not in archive.files:
                raise ModelFormatError(f"{path}: not a fastemb model (a .npz file without a fastemb header)")
            return _header(path, archive["header"])
    except (zipfile.BadZipFile, EOFError, ValueError) as error:
        if isinstance(error, ModelFormatError):
            raise
        raise ModelFormatError(f"{path}: truncated or damaged model file ({error})") from None


def _header(path: Path, raw: np.ndarray) -> dict:
    try:
        header = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ModelFormatError(f"{path}: damaged fastemb model: the header is not JSON") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise ModelFormatError(f"{path}: not a fastemb model (its header names no fastemb format)")
    version, writer = header.get("format_version"), header.get("fastemb_version", "?")
    if version not in READABLE_VERSIONS:
        from . import __version__

        advice = ("upgrade fastemb" if isinstance(version, int) and version > FORMAT_VERSION
                  else "convert it with an older fastemb (load_model, then save the vectors) or train again")
        raise ModelFormatError(f"{path}: written by fastemb {writer} with model format {version}; "
                               f"fastemb {__version__} reads format {FORMAT_VERSION}: {advice}")
    needed = ("settings", "vocab_size", "dim", "runs", "progress", "stats", "history")
    missing = [name for name in needed if name not in header]
    if missing:
        raise ModelFormatError(f"{path}: damaged fastemb model: the header has no {', '.join(missing)}")
    return header


def _settings(path: Path, header: dict, overrides: dict) -> Settings:
    saved = dict(header["settings"])
    for name in LOCAL_SETTINGS:
        saved.pop(name, None)
    try:
        return make_settings(**{**saved, **{k: v for k, v in overrides.items() if v is not None}})
    except TypeError as error:  # a setting this version does not know: the file is from a newer one
        raise ModelFormatError(f"{path}: written by fastemb {header['fastemb_version']}, {error}; "
                               "upgrade fastemb to read it") from None
    except ValueError as error:
        raise ModelFormatError(f"{path}: {error}") from None


def _vocab(path: Path, header: dict, words: np.ndarray, counts: np.ndarray) -> Vocab:
    try:
        text = words.tobytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ModelFormatError(f"{path}: damaged fastemb model: the words are not UTF-8") from None
    listed = text.split("\n") if text else []
    size = header["vocab_size"]
    if len(listed) != size or counts.shape != (size,) or counts.dtype != np.int64:
        raise ModelFormatError(f"{path}: damaged fastemb model: {len(listed)} words and {counts.shape} "
                               f"{counts.dtype} counts for a vocabulary of {size}")
    if size and counts.min() < 1:
        raise ModelFormatError(f"{path}: damaged fastemb model: a word count below 1")
    return Vocab(listed, counts)


def _check_matrices(path: Path, settings: Settings, vocab_size: int, w_in: np.ndarray, w_out: np.ndarray) -> None:
    rows_in, rows_out = matrix_rows(settings, vocab_size)
    for name, matrix, rows in (("w_in", w_in, rows_in), ("w_out", w_out, rows_out)):
        if matrix.dtype != np.float32 or matrix.shape != (rows, settings.dim):
            raise ModelFormatError(f"{path}: damaged fastemb model: {name} is {matrix.dtype} {matrix.shape}, "
                                   f"expected float32 ({rows}, {settings.dim})")
