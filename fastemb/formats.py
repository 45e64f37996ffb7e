"""word2vec's vector file formats, written atomically (outputs.py) and read strictly.

Text: a header ``V D``, then one line per word: the word and D numbers,
separated by spaces. Binary (word2vec.c's ``-binary 1``): the same header, then
per word the word, a space, D little-endian float32 and (word2vec.c) a newline
or (gensim) nothing. Words are UTF-8 and cannot contain ASCII whitespace (space,
tab, newline, CR, vertical tab, form feed), the bytes a corpus is split on;
any other character, a no-break space included, is part of a word. gensim,
word2vec.c and fastText (``.vec``) all read and write these. GloVe's text files
are the text format without the header line; they are read too. A name ending
in ``.gz``, ``.bz2`` or ``.xz`` is (de)compressed on the fly.
"""
from __future__ import annotations

import bz2
import gzip
import io
import logging
import lzma
import re
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from .config import UNICODE_ERRORS  # a word that is not valid UTF-8: as for corpora
from .errors import VectorsFormatError
from .outputs import PathLike, atomic_write
from .progress import Bar, Progress

_ROWS_PER_BLOCK = 4096
_FORMAT_THREADS = 2  # blocks formatted at once by the compiled kernel (it releases the GIL)
_FORMAT_FLOATS = 1 << 18  # per block the compiled kernel formats: ~4.5 MB of text, 3 blocks in memory at most
_MAX_NUMBER_BYTES = 17  # " -1.23456789e-38"

logger = logging.getLogger("fastemb")

# by file name suffix, for corpora and vectors files alike
COMPRESSORS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
MAX_HEADER_BYTES = 1 << 20  # the first line: a header, or a whole GloVe row
MAX_WORD_BYTES = 100_000  # a binary word longer than this means the file is not a vectors file
MAX_DIM = 100_000  # more dimensions in a header means it is not a vectors file (ours go to 10,000)
FIRST_ROWS = 1 << 16  # binary rows allocated before any is read: a header's count is only a promise
# never in a word either; in a binary file's word, a sign that the rows do not have the lengths the header says
NOT_IN_WORDS = re.compile(rb"[\x00\t\n\r\x0b\x0c]")


def check_words(words: Sequence[str]) -> None:
    """Raise ValueError for the first word the word2vec formats cannot hold: an
    empty one, or one with ASCII whitespace (NUL included). Words read from a
    corpus never fail this; words a user adds may."""
    for word in words:
        if not isinstance(word, str) or not word or NOT_IN_WORDS.search(word.encode("utf-8", "surrogatepass")) \
                or " " in word:
            raise ValueError(f"word {word!r} is empty or has ASCII whitespace: the word2vec format cannot hold it")


def write_vectors(path: PathLike, words: Sequence[str], vectors: np.ndarray, binary: bool = False,
                  progress: Progress = False) -> None:
    """Write ``vectors`` (V x D) with ``words`` (V) in word2vec text or binary format;
    ``progress``: a "saving" bar, in words (see progress.py)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or len(words) != len(vectors):
        raise ValueError(f"need one row per word: {len(words)} words, vectors of shape {vectors.shape}")
    check_words(words)
    count, dim = vectors.shape
    blocks = _binary_blocks(words, vectors) if binary else _text_blocks(words, vectors)
    with atomic_write(path) as raw, _compressed(raw, path) as stream, Bar(progress, "saving", count) as bar:
        stream.write(f"{count} {dim}\n".encode())
        for rows, lines in blocks:
            stream.write(lines)
            bar.update(rows)


def _binary_blocks(words: Sequence[str], vectors: np.ndarray) -> Iterator[Tuple[int, bytes]]:
    """(rows, their lines b"word " + D little-endian float32 + b"\n"), a block at a time."""
    little = vectors.astype("<f4", copy=False)
    for start in range(0, len(little), _ROWS_PER_BLOCK):
        rows = list(zip(words[start: start + _ROWS_PER_BLOCK], little[start: start + _ROWS_PER_BLOCK]))
        yield len(rows), b"".join(word.encode("utf-8") + b" " + row.tobytes() + b"\n" for word, row in rows)


def _text_lines(words: Sequence[str], vectors: np.ndarray) -> Iterator[bytes]:
    """The text format's lines, a block at a time (see :func:`_text_blocks`)."""
    for _, lines in _text_blocks(words, vectors):
        yield lines


def _text_blocks(words: Sequence[str], vectors: np.ndarray) -> Iterator[Tuple[int, bytes]]:
    """(rows, their lines b"word v1 v2 ... vD\\n"), 9 significant digits per number (as
    %.9g): enough that every float32 reads back unchanged. Formatted by the compiled
    kernel where it is built, two blocks at a time on two threads while the caller
    writes the one before (68k x 300 took 1.6 s on one thread), else by Python
    (~1.2 s for 68k x 100)."""
    from ._backend import cython_kernels

    if len(words) != len(vectors):  # format_lines reads one word end per row
        raise ValueError(f"{len(words)} words for {len(vectors)} rows")
    kernels = cython_kernels()
    if kernels is None:
        for start in range(0, len(vectors), _ROWS_PER_BLOCK):
            block = np.asarray(vectors[start: start + _ROWS_PER_BLOCK], dtype=np.float32)
            row_format = b" %.9g" * block.shape[1] + b"\n"
            yield len(block), b"".join(word.encode("utf-8") + row_format % tuple(row.tolist())
                                       for word, row in zip(words[start: start + len(block)], block))
        return
    rows = max(1, _FORMAT_FLOATS // max(1, vectors.shape[1]))
    with ThreadPoolExecutor(_FORMAT_THREADS) as pool:
        pending = deque()
        for start in range(0, len(vectors), rows):
            pending.append((min(rows, len(vectors) - start),
                            pool.submit(_format_block, kernels, words, vectors, start, rows)))
            if len(pending) > _FORMAT_THREADS:  # the oldest is written while the others are formatted
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


def _format_block(kernels, words: Sequence[str], vectors: np.ndarray, start: int, rows: int) -> bytes:
    """The text lines of rows start..start + rows, by the compiled kernel."""
    block = np.ascontiguousarray(vectors[start: start + rows], dtype=np.float32)
    encoded = [word.encode("utf-8") for word in words[start: start + len(block)]]
    # format_lines writes without bounds checks: it reads word_ends[i] for every
    # row i (one word per row: checked by the caller); it writes each word, at most 16
    # bytes per number (" -1.23456789e-38", write_float's widest; 17 would allow
    # a 3-digit exponent) and a newline per row, so `text` is sized for that
    word_bytes = b"".join(encoded)
    word_ends = np.cumsum([len(word) for word in encoded], dtype=np.int64)
    text = np.empty(len(word_bytes) + block.size * _MAX_NUMBER_BYTES + len(block), np.uint8)
    written = kernels.format_lines(block, word_bytes, word_ends, text)
    return text[:written].tobytes()


@contextmanager
def _compressed(raw: BinaryIO, path: PathLike) -> Iterator[BinaryIO]:
    """``raw`` itself, or a compressing stream over it when ``path`` names a compressed file."""
    suffix = Path(path).suffix.lower()
    if suffix not in COMPRESSORS:
        yield raw
        return
    with COMPRESSORS[suffix](raw, "wb") as stream:
        yield stream


def _open(path: Path) -> BinaryIO:
    opener = COMPRESSORS.get(path.suffix.lower(), open)
    return opener(path, "rb")


def read_vectors(path: PathLike, limit: Optional[int] = None,
                 unicode_errors: str = "strict") -> Tuple[List[str], np.ndarray]:
    """Read a word2vec text or binary file, or a GloVe text file (detected).

    ``limit`` reads only the first N rows (the most frequent words in files
    written by word2vec tools). ``unicode_errors`` is ``"strict"`` (a word that
    is not UTF-8 is an error), ``"replace"`` or ``"ignore"``, as in
    ``bytes.decode``. Raises FileNotFoundError, or VectorsFormatError naming the
    file and the line or byte offset of the first problem.
    """
    path = Path(path)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1):
        raise ValueError(f"limit={limit!r}: give the number of rows to read (1 or more), or None for all")
    if unicode_errors not in UNICODE_ERRORS:
        raise ValueError(f"unicode_errors={unicode_errors!r}: use one of {', '.join(UNICODE_ERRORS)}")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such vectors file")
    try:
        with _open(path) as stream:
            return _read(_Source(path, stream, unicode_errors), limit)
    except (EOFError, lzma.LZMAError, gzip.BadGzipFile, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise VectorsFormatError(f"{path}: cannot be decompressed: {error}") from None


class _Source:
    """An open vectors file with its name, for error messages that say where."""

    def __init__(self, path: Path, stream: BinaryIO, unicode_errors: str):
        self.path, self.stream, self.unicode_errors = path, stream, unicode_errors

    def error(self, where: str, message: str) -> VectorsFormatError:
        return VectorsFormatError(f"{self.path}: {where}: {message}" if where else f"{self.path}: {message}")

    def word(self, raw: bytes, where: str) -> str:
        try:
            return raw.decode("utf-8", errors=self.unicode_errors)
        except UnicodeDecodeError:
            raise self.error(where, f"the word {raw[:40]!r} is not valid UTF-8 "
                             "(load(..., unicode_errors='replace') reads it anyway)") from None


def _read(source: _Source, limit: Optional[int]) -> Tuple[List[str], np.ndarray]:
    stream = source.stream
    first = stream.readline(MAX_HEADER_BYTES)
    header = _parse_header(first)
    if header is None:  # GloVe: no header, the first line is already a row
        fields = first.split()
        if len(fields) < 2 or not first.endswith(b"\n") or not all(map(_is_number, fields[1:])):
            raise source.error("line 1", f"must be the header 'V D' (words, dimensions) or a GloVe row "
                               f"'word x1 ... xD', got {first[:60]!r}")
        stream.seek(0)
        return _read_text_rows(source, None if limit is None else limit, len(fields) - 1, first_line=1,
                               header_rows=None)
    count, dim = header
    if not 1 <= dim <= MAX_DIM:
        raise source.error("line 1", f"the header says {dim} dimensions; a vectors file has 1 to {MAX_DIM:,}")
    rows = count if limit is None else min(count, limit)
    start = stream.tell()
    binary = _looks_binary(stream.read(dim * 4 + 2048))
    stream.seek(start)
    if binary:
        return _read_binary_rows(source, rows, dim, count)
    return _read_text_rows(source, rows, dim, first_line=2, header_rows=count)


def _parse_header(line: bytes) -> Optional[Tuple[int, int]]:
    parts = line.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or not line.endswith(b"\n"):
        return None
    return int(parts[0]), int(parts[1])


def _looks_binary(sample: bytes) -> bool:
    """A text file's first row is a word and numbers (how many is checked later, to
    name the line); raw float32 bytes almost never read as numbers."""
    first, newline, _ = sample.partition(b"\n")
    fields = first.split()
    if not newline and not sample[-1:].isspace():  # a long row runs past the sample: its last number may be cut
        fields = fields[:-1]
    return len(fields) < 2 or not all(map(_is_number, fields[1:]))


def _is_number(value: bytes) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _read_text_rows(source: _Source, rows: Optional[int], dim: int, first_line: int,
                    header_rows: Optional[int]) -> Tuple[List[str], np.ndarray]:
    """``rows`` lines of a word and ``dim`` numbers (all lines when ``rows`` is None: GloVe).

    The numbers are parsed by numpy's C reader in one call; only when that fails
    are the rows checked one by one, to name the first bad line.
    """
    stream = source.stream
    words: List[str] = []
    numbers: List[bytes] = []  # each row's numbers, still as text
    while rows is None or len(words) < rows:
        line = stream.readline()
        where = f"line {first_line + len(words)}"
        if not line or (header_rows is None and not line.strip()):
            if header_rows is None and not stream.read(1 << 16).strip():
                break  # GloVe: the end, perhaps after blank lines
            if header_rows is None:
                raise source.error(where, "empty line in the middle of the file")
            raise source.error("", f"ends after {len(words)} rows, but the header promises {header_rows}")
        parts = line.split(None, 1)
        if not parts:
            raise source.error(where, f"expected a word and {dim} numbers, got an empty line")
        words.append(source.word(parts[0], where))
        numbers.append(parts[1] if len(parts) == 2 else b"")
    if header_rows is not None and len(words) == header_rows:
        _check_text_end(source, first_line + len(words), header_rows)
    if not words:
        raise source.error("", "has no rows")
    try:
        vectors = np.loadtxt(io.BytesIO(b"\n".join(numbers)), dtype=np.float32, comments=None, ndmin=2)
        if vectors.shape != (len(words), dim):
            raise ValueError("rows of different lengths")
    except ValueError:
        raise _first_bad_row(source, numbers, dim, first_line) from None
    return words, vectors


def _first_bad_row(source: _Source, numbers: List[bytes], dim: int, first_line: int) -> VectorsFormatError:
    for row, text in enumerate(numbers):
        where = f"line {first_line + row}"
        fields = text.split()
        if len(fields) != dim:
            return source.error(where, f"expected a word and {dim} numbers, got {len(fields) + 1} fields")
        for field in fields:
            if not _is_number(field):
                return source.error(where, f"{field[:30]!r} is not a number")
    return source.error("", "numbers that numpy cannot read")


def _check_text_end(source: _Source, line: int, header_rows: int) -> None:
    """After the rows the header promises, only blank lines may follow."""
    while True:
        rest = source.stream.read(1 << 16)
        if not rest:
            return
        if rest.strip():
            raise source.error(f"line {line}", f"more rows than the {header_rows} the header announces "
                               "(fix the header's first number)")


def _read_binary_rows(source: _Source, rows: int, dim: int, header_rows: int) -> Tuple[List[str], np.ndarray]:
    row_bytes = 4 * dim
    size = source.path.stat().st_size
    if source.path.suffix.lower() not in COMPRESSORS and rows * (row_bytes + 2) > size:
        raise source.error("", f"truncated: the header promises {header_rows} rows of {dim} float32, "
                           f"at least {header_rows * (row_bytes + 2):,} bytes, but the file has {size:,}")
    reader = _Blocks(source.stream)
    words: List[str] = []
    vectors = np.empty((min(rows, FIRST_ROWS), dim), dtype=np.float32)  # compressed: the size is unknown
    for number in range(rows):
        if number == len(vectors):  # grown by doubling as rows actually arrive
            vectors = np.concatenate([vectors, np.empty((min(rows, 2 * number) - number, dim), np.float32)])
        offset = reader.offset
        if reader.peek(1) == b"\n":  # word2vec.c ends each row with a newline, gensim does not
            reader.take(1)
        word = reader.until_space(MAX_WORD_BYTES)
        if word is None:
            if not reader.peek(1):
                raise source.error("", f"truncated at byte offset {offset}: row {number + 1} of {rows} is missing")
            raise source.error(f"byte offset {offset}", f"no space within {MAX_WORD_BYTES} bytes; "
                               "not a vectors file")
        if not word:
            raise source.error(f"byte offset {offset}", "empty word")
        if NOT_IN_WORDS.search(word):
            raise source.error(f"byte offset {offset}", f"the word {word[:40]!r} has control characters: the "
                               f"rows do not hold the {dim} floats the header announces, or this is not a vectors file")
        words.append(source.word(word, f"byte offset {offset}"))
        data = reader.take(row_bytes)
        if len(data) != row_bytes:
            raise source.error("", f"truncated at byte offset {offset}: row {number + 1} of {rows} "
                               f"lacks its {dim} floats")
        vectors[number] = np.frombuffer(data, dtype="<f4")
    if rows == header_rows:
        while reader.peek(1) == b"\n":
            reader.take(1)
        offset = reader.offset
        if reader.peek(1):
            raise source.error(f"byte offset {offset}", f"more data after the {header_rows} rows the header "
                               "announces (a wrong header, or not a binary vectors file)")
    return words, vectors


class _Blocks:
    """Reads a stream in 1 MiB blocks and hands out pieces of it, counting the offset."""

    BLOCK = 1 << 20

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.buffer = b""
        self.position = 0  # in buffer
        self.offset = stream.tell()  # of buffer[position] in the file

    def _fill(self, wanted: int) -> bool:
        """Make ``wanted`` bytes available from position; False at the end of the file."""
        while len(self.buffer) - self.position < wanted:
            block = self.stream.read(max(self.BLOCK, wanted))
            if not block:
                return False
            self.buffer = self.buffer[self.position:] + block
            self.position = 0
        return True

    def peek(self, count: int) -> bytes:
        self._fill(count)
        return self.buffer[self.position:self.position + count]

    def take(self, count: int) -> bytes:
        self._fill(count)
        piece = self.buffer[self.position:self.position + count]
        self.position += len(piece)
        self.offset += len(piece)
        return piece

    def until_space(self, max_bytes: int) -> Optional[bytes]:
        """The bytes before the next space, which is consumed; None if there is none within ``max_bytes``."""
        searched = 0
        while True:
            space = self.buffer.find(b" ", self.position + searched, self.position + max_bytes + 1)
            if space >= 0:
                piece = self.take(space - self.position + 1)
                return piece[:-1]
            searched = len(self.buffer) - self.position
            if searched > max_bytes or not self._fill(searched + 1):
                return None
