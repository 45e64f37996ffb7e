"""Reading corpora: files, directories and compressed files, streamed in blocks.

Text is split on ASCII whitespace; a newline ends a sentence. The reader never
holds more than one block of text (1 MiB) as Python objects: :func:`scan` turns
each block into int32 *provisional* word ids (numbered by first appearance, with
``SENTENCE_END`` at line ends) in a temporary file while counting. vocab.py
then orders the words, and :func:`encode` maps the provisional ids to the one
int32 array every epoch reuses. The text is read once.
"""
from __future__ import annotations

import lzma
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from .config import MAX_WORDS_COUNTING, UNICODE_ERRORS
from . import sentences
from .errors import CorpusError
from .formats import COMPRESSORS
from .id_cache import cache_array, release
from .progress import Bar, Progress
from .word_table import PRUNED, SENTENCE_END, new_word_table

PathLike = Union[str, os.PathLike]
Corpus = Union[PathLike, Sequence[PathLike], Iterable]  # files and directories, or sentences from Python

BLOCK_BYTES = 1 << 20
MAX_RUN_BYTES = 1 << 20  # a longer run without whitespace is split, so a block stays bounded
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # an invalid byte, as the surrogateescape decoder gives it


def list_files(paths: Union[PathLike, Sequence[PathLike]]) -> List[Path]:
    """Expand corpus paths into files: a directory gives its files, recursively,
    sorted by name (hidden ones skipped). Raises FileNotFoundError / CorpusError,
    or TypeError for something that is not a path."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if not isinstance(paths, (list, tuple)):
        raise TypeError(f"corpus: got {type(paths).__name__}; give a text file or directory path "
                        "(str or pathlib.Path), or a list of them")
    if not paths:
        raise CorpusError("no corpus given: give a file, a directory, a list of them, or an iterable of sentences")
    for number, given in enumerate(paths):
        if not isinstance(given, (str, os.PathLike)):
            raise TypeError(f"corpus: item {number} is a {type(given).__name__}, not a path; give text files "
                            "or directories (str or pathlib.Path)")
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


def describe(corpus: Corpus) -> str:
    """The corpus in a few words, for messages: never iterates sentences (a
    generator can be read once only, for training)."""
    if isinstance(corpus, (str, os.PathLike)):
        return str(corpus)
    if sentences.given(corpus):
        return "the sentences"
    paths = list(corpus)
    return str(paths[0]) if len(paths) == 1 else f"{len(paths)} corpus paths ({paths[0]} ...)"


def open_text(path: Path) -> BinaryIO:
    """Open a corpus file for reading bytes, decompressing .gz, .bz2 and .xz."""
    return COMPRESSORS.get(path.suffix.lower(), open)(path, "rb")


def iter_blocks(path: Path, block_bytes: int = BLOCK_BYTES, max_run_bytes: int = MAX_RUN_BYTES,
                unicode_errors: str = "strict", invalid: Optional["InvalidBytes"] = None,
                start: int = 0, end: Optional[int] = None) -> Iterator[bytes]:
    """Yield the file's bytes in blocks of about ``block_bytes`` that end on
    whitespace, so no word is split across blocks.

    Each block is checked to be UTF-8. With ``unicode_errors="strict"`` (the
    default) an invalid sequence raises CorpusError naming the file and byte
    offset; ``"replace"`` puts U+FFFD in its place and ``"ignore"`` drops it, as
    ``bytes.decode`` does, counting the invalid bytes in ``invalid``. A "word"
    longer than ``max_run_bytes`` (no whitespace in that many bytes) is split at
    a character boundary, so memory stays bounded whatever the input.

    ``start`` and ``end``: read only bytes [start, end) of an uncompressed file
    (a shard of a large file, see shards.py; cut at whitespace by its caller).
    """
    offset = start  # of the start of `pending` in the (decompressed) file
    pending = b""
    left = None if end is None else end - start  # bytes of the range not read yet
    try:
        with open_text(path) as stream:
            if start:
                stream.seek(start)
            while True:
                data = stream.read(block_bytes if left is None else min(block_bytes, left))
                if left is not None:
                    left -= len(data)
                pending += data
                if not data:
                    if pending:
                        yield _checked_text(path, pending, offset, unicode_errors, invalid)
                    return
                cut = _last_cut(pending, max_run_bytes)
                if cut == 0:
                    continue
                block, pending = pending[:cut], pending[cut:]
                yield _checked_text(path, block, offset, unicode_errors, invalid)
                offset += len(block)
    except (OSError, EOFError, lzma.LZMAError) as error:
        raise CorpusError(f"{path}: cannot read ({error})") from None


def _last_cut(data: bytes, max_run_bytes: int) -> int:
    """Where to end a block: after the last whitespace byte; with none, 0 (read
    on) or, past ``max_run_bytes``, before the last character, which may be incomplete."""
    cut = max(data.rfind(b" "), data.rfind(b"\n"), data.rfind(b"\t"), data.rfind(b"\r"),
              data.rfind(b"\x0b"), data.rfind(b"\x0c"))
    if cut >= 0:
        return cut + 1
    if len(data) < max_run_bytes:
        return 0
    cut = len(data) - 1
    while cut > 0 and (data[cut] & 0xC0) == 0x80:  # step back over UTF-8 continuation bytes
        cut -= 1
    return cut


@dataclass
class InvalidBytes:
    """Invalid UTF-8 bytes replaced or dropped while reading, per file."""

    per_file: Dict[str, int] = field(default_factory=dict)

    def add(self, path: Path, count: int) -> None:
        self.per_file[str(path)] = self.per_file.get(str(path), 0) + count

    def summary(self, unicode_errors: str) -> Optional[str]:
        """"replaced 3 invalid bytes in 1 file (a.txt)", or None when the text was all UTF-8."""
        if not self.per_file:
            return None
        count, files = sum(self.per_file.values()), len(self.per_file)
        verb = "replaced" if unicode_errors == "replace" else "dropped"
        names = ", ".join(list(self.per_file)[:3]) + (", ..." if files > 3 else "")
        return (f"{verb} {count:,} invalid UTF-8 byte{'s' * (count != 1)} in {files} "
                f"file{'s' * (files != 1)} ({names})")


def _checked_text(path: Path, block: bytes, offset: int, unicode_errors: str,
                  invalid: Optional[InvalidBytes]) -> bytes:
    """``block`` itself when it is UTF-8 text; else an error, or the block with
    its invalid bytes replaced or dropped (``unicode_errors``)."""
    nul = block.find(b"\x00")
    if nul >= 0:
        raise CorpusError(f"{path}: NUL byte at byte offset {offset + nul}; this looks like a binary file, not text")
    try:
        block.decode("utf-8")
        return block
    except UnicodeDecodeError as error:
        if unicode_errors == "strict":
            raise CorpusError(
                f"{path}: invalid UTF-8 at byte offset {offset + error.start}; convert the file to UTF-8, "
                "or pass --unicode-errors replace (unicode_errors='replace') to replace invalid bytes with U+FFFD"
            ) from None
    # each invalid byte becomes one lone surrogate here: that counts them exactly
    count = len(_ESCAPED_BYTE.findall(block.decode("utf-8", "surrogateescape")))
    if invalid is not None:
        invalid.add(path, count)
    return block.decode("utf-8", unicode_errors).encode("utf-8")


@dataclass
class ScannedCorpus:
    """What one pass over the text gives: words, their counts, and the text as provisional ids.

    The ids wait in an anonymous temporary file (deleted when closed, even on a
    crash) rather than in memory, so the text is never in memory twice.
    """

    words: List[bytes] = field(default_factory=list)  # provisional id -> word
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    cache_dir: Optional[str] = None  # where ids_file lives (None: the system's temporary directory)
    ids_file: Optional[BinaryIO] = None
    entries: int = 0  # int32 ids in ids_file, sentence ends included
    tokens: int = 0  # words only
    # one per prune of the word table: (entries written before it, old id -> new id or PRUNED)
    prunes: List[Tuple[int, np.ndarray]] = field(default_factory=list)
    file_ends: List[int] = field(default_factory=list)  # entry index of each file's closing SENTENCE_END
    invalid: InvalidBytes = field(default_factory=InvalidBytes)  # with unicode_errors replace or ignore

    def __post_init__(self) -> None:
        if self.ids_file is None:
            self.ids_file = tempfile.TemporaryFile(prefix="fastemb-", dir=self.cache_dir)

    def append(self, ids: np.ndarray) -> None:
        try:
            self.ids_file.write(ids.astype(np.int32, copy=False).tobytes())
        except OSError as error:  # a full disk: say where, and what to do
            where = self.cache_dir or tempfile.gettempdir()
            raise CorpusError(f"{where}: cannot write the corpus's word ids ({error.strerror or error}); "
                              "free space or choose another --cache-dir") from None
        self.entries += len(ids)

    def close(self) -> None:
        self.ids_file.close()

    def __enter__(self) -> "ScannedCorpus":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def scan(paths: Corpus, block_bytes: int = BLOCK_BYTES,
         compiled: bool = True, max_words: int = MAX_WORDS_COUNTING,
         cache_dir: Optional[str] = None, unicode_errors: str = "strict",
         progress: Progress = False, pieces: Optional[Sequence] = None) -> ScannedCorpus:
    """Read every file once (or the sentences an iterable gives, see sentences.py):
    count words (64-bit) and keep the text as provisional ids.

    When the table holds more than ``max_words`` distinct words (default 10
    million, ~70 bytes each with the compiled table), it keeps only the most frequent half (see
    :func:`_prune`), so memory stays bounded.
    ``compiled=False`` uses the pure-Python word table even where the compiled
    one is built. The provisional ids (4 bytes per word) go to an anonymous file
    in ``cache_dir`` (default: the system's temporary directory).
    ``unicode_errors``: see :func:`iter_blocks`; what was replaced is counted
    in ``invalid``. Raises FileNotFoundError for a missing path, CorpusError for
    unreadable, non-UTF-8 (when strict) or wordless input, or a full cache
    directory. ``progress``: a "counting" bar (see progress.py), in bytes
    read or, for sentences, words. Close the result (or use it in ``with``).

    ``pieces`` (instead of ``paths``): one worker's shard, byte ranges of files
    (shards.Piece) read in order; each ends a sentence, as a file does. A shard
    may hold no words: the other workers' may.
    """
    if unicode_errors not in UNICODE_ERRORS:
        raise ValueError(f"unicode_errors={unicode_errors!r} is not one of {', '.join(UNICODE_ERRORS)}")
    from_python = pieces is None and sentences.given(paths)
    files = [] if from_python else list_files(paths) if pieces is None else list(pieces)
    table = new_word_table(compiled)
    scanned = ScannedCorpus(cache_dir=cache_dir)
    if from_python:
        bar = Bar(progress, "counting")
    else:  # a shard's pieces are parts of files: no total
        bar = Bar(progress, "counting", _known_size(files) if pieces is None else None, unit="B")
    try:
        if from_python:
            for batch in sentences.batches(paths):
                count = _count_block(table, scanned, batch.text, max_words)
                sentences.check_counted(batch, count)
                bar.update(count)
            _end_source(scanned)
        for path in files:
            where = {} if pieces is None else {"start": path.start, "end": path.end}
            for block in iter_blocks(path if pieces is None else Path(path.path), block_bytes,
                                     unicode_errors=unicode_errors, invalid=scanned.invalid, **where):
                _count_block(table, scanned, block, max_words)
                bar.update(len(block))
            _end_source(scanned)
        if scanned.tokens == 0 and pieces is None:
            where = ("sentences" if from_python else files[0] if len(files) == 1
                     else f"{len(files)} files ({files[0]} ...)")
            raise CorpusError(f"{where}: no words found (empty or only whitespace)")
    except BaseException:
        scanned.close()
        raise
    finally:
        bar.close()
    scanned.words, scanned.counts = table.words(), table.counts()
    return scanned


def _known_size(files: List[Path]) -> Optional[int]:
    """The bytes the files will give, or None when a compressed one hides its size."""
    if any(path.suffix.lower() in COMPRESSORS for path in files):
        return None
    return sum(path.stat().st_size for path in files)


def _count_block(table, scanned: ScannedCorpus, block: bytes, max_words: int) -> int:
    """Count one block's words into the table and append its ids; returns its words."""
    ids = table.add(block)
    words = int(np.count_nonzero(ids >= 0))
    scanned.tokens += words
    scanned.append(ids)
    if len(table) > max_words:
        _prune(table, scanned, max_words)
    return words


def _end_source(scanned: ScannedCorpus) -> None:
    """A file's end (or the sentences') ends its last sentence."""
    scanned.file_ends.append(scanned.entries)
    scanned.append(np.array([SENTENCE_END], np.int32))


def _prune(table, scanned: ScannedCorpus, max_words: int) -> None:
    """Shrink the table to the ``max_words // 2`` most frequent words so far
    (ties: the earlier seen), as word2vec.c's ReduceVocab drops rare words, but
    with the bar taken from the counts: the table halves every time and is never
    emptied, however the counts are spread.

    A dropped word that comes back starts again from zero, so its count is a
    lower bound, and its occurrences before the prune are not trained on.
    """
    counts = table.counts()
    keep = np.zeros(len(counts), bool)
    keep[np.argsort(-counts, kind="stable")[: max_words // 2]] = True
    scanned.prunes.append((scanned.entries, table.prune(keep)))


def _lookups(scanned: ScannedCorpus, new_id: np.ndarray) -> List[Tuple[int, np.ndarray]]:
    """(end entry, provisional id -> final id) for each stretch of ids between prunes.

    Ids written before a prune are numbered in the table as it was then: their
    map is the prune's map followed by every later one, then ``new_id``.
    Each lookup has one extra last entry, so that index -1 (a sentence end) maps to itself.
    """
    lookup = np.asarray(new_id, np.int32)
    stretches = [(scanned.entries, lookup)]
    for end, id_map in reversed(scanned.prunes):
        if len(lookup):
            lookup = np.where(id_map >= 0, lookup[np.maximum(id_map, 0)], PRUNED).astype(np.int32)
        else:
            lookup = np.full(len(id_map), PRUNED, np.int32)
        stretches.append((end, lookup))
    stretches.reverse()
    return [(end, np.append(table, np.int32(SENTENCE_END))) for end, table in stretches]


def encode(scanned: ScannedCorpus, new_id: np.ndarray, block_entries: int = 1 << 18,
           cache_dir: Optional[str] = None, progress: Progress = False) -> np.ndarray:
    """Map provisional ids to final ones: the one int32 array every epoch reuses,
    memory-mapped from an anonymous file in ``cache_dir`` (see id_cache.py).

    ``new_id[p]`` is the final id of provisional word p, or a negative number
    below -1 to drop it (below min_count). Over-long sentences are cut later, by
    the kernel (see trainer.py). ``progress``: an "encoding" bar (see progress.py).
    """
    kept_words = int(scanned.counts[new_id >= 0].sum())
    sentence_ends = scanned.entries - scanned.tokens
    ids = cache_array(kept_words + sentence_ends, cache_dir)
    position = done = 0
    scanned.ids_file.seek(0)
    with Bar(progress, "encoding", scanned.entries) as bar:
        for end, lookup in _lookups(scanned, new_id):
            while done < end:
                block = np.fromfile(scanned.ids_file, dtype=np.int32, count=min(block_entries, end - done))
                done += len(block)
                bar.update(len(block))
                mapped = lookup[block]
                mapped = mapped[mapped >= SENTENCE_END]
                ids[position: position + len(mapped)] = mapped
                release(ids, position, position + len(mapped))  # written: the page cache holds it now
                position += len(mapped)
    assert position == len(ids), "the provisional ids do not match the counts"
    return ids
