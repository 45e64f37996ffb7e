"""Dividing a corpus among workers: files, and byte ranges of large files cut
at whitespace, balanced by size.

The corpus's files, in the order a single-machine run reads them, are laid end
to end and cut into ``workers`` runs of about equal bytes; a cut that falls
inside a file moves forward to just after the next whitespace byte, so no word
is split (and, whitespace being ASCII, no UTF-8 character either). Worker k's
shard is the k-th run: shards are contiguous and in corpus order, which is what
lets the per-shard vocabularies merge into exactly the single machine's (ties
in order of first appearance, see shard_vocab.py). Compressed files cannot be
entered at a byte offset: each goes whole to the worker where its start falls.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence, Union

from .corpus import list_files
from .formats import COMPRESSORS

SEEK_BYTES = 1 << 16  # read this much at a time when looking for whitespace after a cut
WHITESPACE = b" \n\t\r\x0b\x0c"  # what the word tables split on


@dataclass(frozen=True)
class Piece:
    """Bytes [start, end) of one file (end None: to the file's end)."""

    path: str
    start: int = 0
    end: Optional[int] = None

    @property
    def size(self) -> int:
        end = os.path.getsize(self.path) if self.end is None else self.end
        return end - self.start


Shard = List[Piece]  # one worker's pieces, in corpus order


def plan_shards(paths: Union[str, os.PathLike, Sequence], workers: int) -> List[Shard]:
    """``workers`` shards of the corpus ``paths`` (files and directories, as
    corpus.list_files expands them), each about total bytes / workers.

    A shard may be empty when there are fewer bytes (or compressed files) than
    workers. Raises FileNotFoundError / CorpusError as list_files does.
    """
    if workers < 1:
        raise ValueError(f"workers={workers}: give 1 or more")
    files = [str(path) for path in list_files(paths)]
    sizes = [os.path.getsize(path) for path in files]
    total = sum(sizes)
    shards: List[Shard] = [[] for _ in range(workers)]
    position = 0  # bytes of the whole corpus before the current piece's start
    for path, size in zip(files, sizes):
        start = 0
        while start < size:
            worker = min(position * workers // max(total, 1), workers - 1)
            boundary = -(-(worker + 1) * total // workers)  # where this worker's run ends, in corpus bytes
            if _compressed(path) or worker == workers - 1 or boundary - position >= size - start:
                end = size
            else:
                end = whitespace_after(path, start + boundary - position)
            shards[worker].append(Piece(path, start, None if end == size else end))
            position += end - start
            start = end
        if size == 0:
            shards[min(position * workers // max(total, 1), workers - 1)].append(Piece(path))
    return shards


def whitespace_after(path: str, offset: int) -> int:
    """The offset just after the first whitespace byte at or after ``offset - 1``
    (so ``offset`` itself when the byte before it is whitespace), or the file's size."""
    with open(path, "rb") as stream:
        stream.seek(max(offset - 1, 0))
        at = max(offset - 1, 0)
        while True:
            data = stream.read(SEEK_BYTES)
            if not data:
                return at
            found = [i for i in map(data.find, WHITESPACE) if i >= 0]
            if found:
                return at + min(found) + 1
            at += len(data)


def shard_bytes(shard: Shard) -> int:
    """Bytes of text (compressed bytes for compressed files) in a shard."""
    return sum(piece.size for piece in shard)


def _compressed(path: str) -> bool:
    return Path(path).suffix.lower() in COMPRESSORS
