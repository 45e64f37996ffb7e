"""Reading corpora: files, directories and compressed files, streamed in blocks.

Text is split on ASCII whitespace; a newline ends a sentence. The reader never
holds more than one block of text (1 MiB) as Python objects: :func:`scan` turns
each block into int32 *provisional* word ids (numbered by first appearance, with
``SENTENCE_END`` at line ends) in a temporary file while counting. vocab.py
then orders the words, and :func:`encode` maps the provisional ids to the one
int32 array every epoch reuses. The text is read once.
"""
from __future__ import annotations

import bz2
import gzip
import lzma
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, List, Sequence, Union

import numpy as np

from .errors import CorpusError
from .word_table import SENTENCE_END, new_word_table

PathLike = Union[str, os.PathLike]

BLOCK_BYTES = 1 << 20
MAX_WORD_BYTES = 1 << 20  # a longer run without whitespace is split into several words
_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def list_files(paths: Union[PathLike, Sequence[PathLike]]) -> List[Path]:
    """Expand corpus paths into files: a directory gives its files, recursively,
    sorted by name (hidden ones skipped). Raises FileNotFoundError / CorpusError."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if not paths:
        raise CorpusError("no corpus path given")
    files: List[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            found = sorted(
                p for p in given.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(given).parts)
            )
            if not found:
                raise CorpusError(f"{given}: directory contains no files")
            files.extend(found)
        elif given.is_file():
            files.append(given)
        elif given.exists():
            raise CorpusError(f"{given}: not a regular file or directory")
        else:
            raise FileNotFoundError(f"{given}: no such file or directory")
    return files


def open_text(path: Path) -> BinaryIO:
    """Open a corpus file for reading bytes, decompressing .gz, .bz2 and .xz."""
    return _OPENERS.get(path.suffix.lower(), open)(path, "rb")


def iter_blocks(path: Path, block_bytes: int = BLOCK_BYTES,
                max_word_bytes: int = MAX_WORD_BYTES) -> Iterator[bytes]:
    """Yield the file's bytes in blocks of about ``block_bytes`` that end on
    whitespace, so no word is split across blocks.

    Each block is checked to be UTF-8; an invalid sequence raises CorpusError
    naming the file and byte offset. A "word" longer than ``max_word_bytes``
    (no whitespace in that many bytes) is split at a character boundary, so
    memory stays bounded whatever the input.
    """
    offset = 0  # of the start of `pending` in the (decompressed) file
    pending = b""
    try:
        with open_text(path) as stream:
            while True:
                data = stream.read(block_bytes)
                pending += data
                if not data:
                    if pending:
                        _check_text(path, pending, offset)
                        yield pending
                    return
                cut = _last_cut(pending, max_word_bytes)
                if cut == 0:
                    continue
                block, pending = pending[:cut], pending[cut:]
                _check_text(path, block, offset)
                offset += len(block)
                yield block
    except (OSError, EOFError, lzma.LZMAError) as error:
        raise CorpusError(f"{path}: cannot read ({error})") from None


def _last_cut(data: bytes, max_word_bytes: int) -> int:
    """Where to end a block: after the last whitespace byte; with none, 0 (read
    on) or, past ``max_word_bytes``, before the last character, which may be incomplete."""
    cut = max(data.rfind(b" "), data.rfind(b"\n"), data.rfind(b"\t"), data.rfind(b"\r"),
              data.rfind(b"\x0b"), data.rfind(b"\x0c"))
    if cut >= 0:
        return cut + 1
    if len(data) < max_word_bytes:
        return 0
    cut = len(data) - 1
    while cut > 0 and (data[cut] & 0xC0) == 0x80:  # step back over UTF-8 continuation bytes
        cut -= 1
    return cut


def _check_text(path: Path, block: bytes, offset: int) -> None:
    nul = block.find(b"\x00")
    if nul >= 0:
        raise CorpusError(f"{path}: NUL byte at byte offset {offset + nul}; this looks like a binary file, not text")
    try:
        block.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CorpusError(
            f"{path}: invalid UTF-8 at byte offset {offset + error.start}; convert the file to UTF-8"
        ) from None


@dataclass
class ScannedCorpus:
    """What one pass over the text gives: words, their counts, and the text as provisional ids.

    The ids wait in an anonymous temporary file (deleted when closed, even on a
    crash) rather than in memory, so the text is never in memory twice.
    """

    words: List[bytes] = field(default_factory=list)  # provisional id -> word
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    ids_file: BinaryIO = field(default_factory=lambda: tempfile.TemporaryFile(prefix="fastemb-"))
    entries: int = 0  # int32 ids in ids_file, sentence ends included
    tokens: int = 0  # words only

    def append(self, ids: np.ndarray) -> None:
        self.ids_file.write(ids.astype(np.int32, copy=False).tobytes())
        self.entries += len(ids)

    def close(self) -> None:
        self.ids_file.close()

    def __enter__(self) -> "ScannedCorpus":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def scan(paths: Union[PathLike, Sequence[PathLike]], block_bytes: int = BLOCK_BYTES,
         compiled: bool = True) -> ScannedCorpus:
    """Read every file once: count words (64-bit) and keep the text as provisional ids.

    ``compiled=False`` uses the pure-Python word table even where the compiled
    one is built. Raises FileNotFoundError for a missing path, CorpusError for
    unreadable, non-UTF-8 or wordless input. Close the result (or use it in ``with``).
    """
    files = list_files(paths)
    table = new_word_table(compiled)
    scanned = ScannedCorpus()
    try:
        for path in files:
            for block in iter_blocks(path, block_bytes):
                ids = table.add(block)
                scanned.tokens += int(np.count_nonzero(ids >= 0))
                scanned.append(ids)
            scanned.append(np.array([SENTENCE_END], np.int32))  # a file's end ends its sentence
        if scanned.tokens == 0:
            where = files[0] if len(files) == 1 else f"{len(files)} files ({files[0]} ...)"
            raise CorpusError(f"{where}: no words found (empty or only whitespace)")
    except BaseException:
        scanned.close()
        raise
    scanned.words, scanned.counts = table.words(), table.counts()
    return scanned


def encode(scanned: ScannedCorpus, new_id: np.ndarray, block_entries: int = 1 << 18) -> np.ndarray:
    """Map provisional ids to final ones: the one int32 array every epoch reuses.

    ``new_id[p]`` is the final id of provisional word p, or -2 to drop it (below
    min_count). Over-long sentences are cut later, by the kernel (see trainer.py).
    """
    lookup = np.append(new_id, np.int32(SENTENCE_END)).astype(np.int32)  # index -1 -> SENTENCE_END
    kept_words = int(scanned.counts[new_id >= 0].sum())
    sentence_ends = scanned.entries - scanned.tokens
    ids = np.empty(kept_words + sentence_ends, np.int32)
    position = 0
    scanned.ids_file.seek(0)
    while True:
        block = np.fromfile(scanned.ids_file, dtype=np.int32, count=block_entries)
        if len(block) == 0:
            break
        mapped = lookup[block]
        mapped = mapped[mapped != -2]
        ids[position: position + len(mapped)] = mapped
        position += len(mapped)
    assert position == len(ids), "the provisional ids do not match the counts"
    return ids


def iter_words(paths: Union[PathLike, Sequence[PathLike]]) -> Iterable[str]:
    """Every word of the corpus in order, as str (for tests and small corpora)."""
    for path in list_files(paths):
        for block in iter_blocks(path):
            yield from block.decode("utf-8").split()
