"""word2vec's vector file formats, written atomically and read strictly.

Text: a header ``V D``, then one line per word: the word and D numbers,
separated by spaces. Binary (word2vec.c's ``-binary 1``): the same header, then
per word the word, a space, D little-endian float32 and a newline. Words are
UTF-8 and cannot contain whitespace. gensim, word2vec.c and fastText (``.vec``)
all read and write these.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from .errors import VectorsFormatError

PathLike = Union[str, os.PathLike]


def check_writable(path: PathLike) -> Path:
    """Fail now, not after training, if ``path`` cannot be written: its directory
    must exist and be writable, and ``path`` must not be a directory."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(f"{path}: output directory {parent} does not exist")
    if path.is_dir():
        raise IsADirectoryError(f"{path}: is a directory; give a file name for the output")
    if not os.access(parent, os.W_OK):
        raise PermissionError(f"{path}: cannot write to directory {parent}")
    return path


@contextmanager
def atomic_write(path: PathLike) -> Iterator[BinaryIO]:
    """Write to a temporary file beside ``path`` and rename it over ``path`` only
    when the writing succeeded: readers never see a half-written file, and an
    existing file survives a failure. The temporary file never outlives the call."""
    path = check_writable(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def write_vectors(path: PathLike, words: Sequence[str], vectors: np.ndarray, binary: bool = False) -> None:
    """Write ``vectors`` (V x D) with ``words`` (V) in word2vec text or binary format."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or len(words) != len(vectors):
        raise ValueError(f"need one row per word: {len(words)} words, vectors of shape {vectors.shape}")
    for word in words:
        if not word or len(word.split()) != 1 or word.split()[0] != word:
            raise ValueError(f"word {word!r} is empty or has whitespace: the word2vec format cannot hold it")
    count, dim = vectors.shape
    row_format = " ".join(["%.9g"] * dim)  # 9 significant digits: float32 survives the round trip
    with atomic_write(path) as stream:
        stream.write(f"{count} {dim}\n".encode())
        little = vectors.astype("<f4", copy=False)
        for word, row in zip(words, little):
            if binary:
                stream.write(word.encode("utf-8") + b" " + row.tobytes() + b"\n")
            else:
                stream.write(f"{word} {row_format % tuple(row.tolist())}\n".encode("utf-8"))


def read_vectors(path: PathLike, limit: Optional[int] = None) -> Tuple[List[str], np.ndarray]:
    """Read a word2vec text or binary file (detected from its first row).

    ``limit`` reads only the first N rows (the most frequent words in files
    written by word2vec tools). Raises FileNotFoundError, or VectorsFormatError
    naming the file and the line or byte offset of the first problem.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such vectors file")
    with open(path, "rb") as stream:
        count, dim = _read_header(path, stream)
        rows = count if limit is None else min(count, limit)
        start = stream.tell()
        binary = _looks_binary(stream.read(dim * 4 + 2048), dim)
        stream.seek(start)
        reader = _read_binary_rows if binary else _read_text_rows
        words, vectors = reader(path, stream, rows, dim)
    return words, vectors


def _read_header(path: Path, stream: BinaryIO) -> Tuple[int, int]:
    line = stream.readline(256)
    parts = line.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or not line.endswith(b"\n"):
        raise VectorsFormatError(f"{path}: line 1 must be the header 'V D' (words, dimensions), got {line[:60]!r}")
    count, dim = int(parts[0]), int(parts[1])
    if dim < 1:
        raise VectorsFormatError(f"{path}: line 1: the header says {dim} dimensions")
    return count, dim


def _looks_binary(sample: bytes, dim: int) -> bool:
    """A text file's first row is a word and ``dim`` numbers; raw float32 bytes almost never are."""
    fields = sample.split(b"\n", 1)[0].split()
    return len(fields) != dim + 1 or not all(map(_is_number, fields[1:]))


def _decode_word(path: Path, raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise VectorsFormatError(f"{path}: {where}: the word is not valid UTF-8") from None


def _read_text_rows(path: Path, stream: BinaryIO, rows: int, dim: int) -> Tuple[List[str], np.ndarray]:
    words: List[str] = []
    numbers: List[bytes] = []
    for number in range(rows):
        line = stream.readline()
        where = f"line {number + 2}"
        if not line:
            raise VectorsFormatError(f"{path}: ends after {number} rows, but the header promises {rows}")
        parts = line.split()
        if len(parts) != dim + 1:
            raise VectorsFormatError(f"{path}: {where}: expected a word and {dim} numbers, got {len(parts)} fields")
        words.append(_decode_word(path, parts[0], where))
        numbers.extend(parts[1:])
    try:
        vectors = np.array(numbers, dtype=np.bytes_).astype(np.float32).reshape(rows, dim)
    except ValueError:
        bad = next(i for i, value in enumerate(numbers) if not _is_number(value))
        raise VectorsFormatError(
            f"{path}: line {bad // dim + 2}: {numbers[bad][:30]!r} is not a number") from None
    return words, vectors


def _is_number(value: bytes) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _read_binary_rows(path: Path, stream: BinaryIO, rows: int, dim: int) -> Tuple[List[str], np.ndarray]:
    words: List[str] = []
    vectors = np.empty((rows, dim), dtype=np.float32)
    row_bytes = 4 * dim
    for number in range(rows):
        offset = stream.tell()
        word = _read_binary_word(path, stream, offset)
        words.append(_decode_word(path, word, f"byte offset {offset}"))
        data = stream.read(row_bytes)
        if len(data) != row_bytes:
            raise VectorsFormatError(
                f"{path}: truncated at byte offset {offset}: row {number + 1} of {rows} lacks its {dim} floats")
        vectors[number] = np.frombuffer(data, dtype="<f4")
    return words, vectors


def _read_binary_word(path: Path, stream: BinaryIO, offset: int, max_bytes: int = 100_000) -> bytes:
    """The bytes up to the next space, skipping the newline that ends the previous row."""
    word = bytearray()
    while True:
        byte = stream.read(1)
        if not byte:
            raise VectorsFormatError(f"{path}: truncated at byte offset {offset}: a row has no vector")
        if byte == b" ":
            break
        if byte != b"\n" or word:
            word += byte
        if len(word) > max_bytes:
            raise VectorsFormatError(f"{path}: byte offset {offset}: no space within {max_bytes} bytes; not a vectors file")
    if not word:
        raise VectorsFormatError(f"{path}: byte offset {offset}: empty word")
    return bytes(word)
