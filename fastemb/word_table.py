"""Word tables: text blocks in, provisional word ids and 64-bit counts out.

A provisional id numbers words by first appearance; vocab.py later orders them.
Two implementations with one interface and one test suite: the compiled one
(``_kernels.count_block``: one pass over the bytes with a hash table of byte
spans, ~0.5 s for 100 MB) and a pure-Python one (``bytes.split`` and a dict,
~2.5 s), used where the extension is not built.
"""
from __future__ import annotations

from itertools import repeat
from typing import List

import numpy as np

from .kernel_constants import SENTENCE_END  # the id of a newline: the end of a sentence

PRUNED = -2  # in a prune's id map: the word was dropped from the table
_NEWLINE_TOKEN = b"\x00"  # corpus.py rejects NUL bytes, so this token cannot be a word
_NEW_WORD = -3
MAX_WORDS = 2**31 - 2  # the hash table stores id + 1 in an int32


class PythonWordTable:
    """Words in a dict, blocks split by ``bytes.split``."""

    def __init__(self):
        self._ids_of = {_NEWLINE_TOKEN: SENTENCE_END}
        self._words: List[bytes] = []
        self._counts = np.zeros(1024, np.int64)

    def __len__(self) -> int:
        return len(self._words)

    def add(self, block: bytes) -> np.ndarray:
        """Provisional ids of the block's words (SENTENCE_END per newline), counted."""
        # bytes.split() drops newlines with the other whitespace: make each a token first
        tokens = block.replace(b"\n", b" \x00 ").split()
        ids = np.fromiter(map(self._ids_of.get, tokens, repeat(_NEW_WORD)), dtype=np.int32, count=len(tokens))
        for i in np.flatnonzero(ids == _NEW_WORD):  # new words are few once the table fills up
            token = tokens[i]
            known = self._ids_of.get(token)
            if known is None:
                known = self._ids_of[token] = len(self._words)
                self._words.append(token)
            ids[i] = known
        if len(self._words) > len(self._counts):
            self._counts = np.concatenate([self._counts, np.zeros(len(self._words), np.int64)])
        self._counts[: len(self._words)] += np.bincount(ids[ids >= 0], minlength=len(self._words))
        return ids

    def words(self) -> List[bytes]:
        return self._words

    def counts(self) -> np.ndarray:
        return self._counts[: len(self._words)].copy()

    def prune(self, keep: np.ndarray) -> np.ndarray:
        """Keep the words where ``keep`` (bool, one per word) is True, renumbered
        in order. Returns old id -> new id, PRUNED for dropped ones."""
        id_map = _id_map(keep)
        self._words = [word for word, kept in zip(self._words, keep) if kept]
        self._counts = _compacted(self._counts, keep, 1024)
        self._ids_of = {_NEWLINE_TOKEN: SENTENCE_END}
        self._ids_of.update(zip(self._words, range(len(self._words))))
        return id_map


class CompiledWordTable:
    """Words as byte spans in one pool, found through an open-addressing hash table.

    Python grows the arrays (geometrically) so that ``count_block`` always has
    room for the next block; the loop itself runs without the GIL and without
    bounds checks, so ``_make_room`` is what keeps its writes in bounds. For a
    block of B bytes and n words so far, count_block writes at most:

    ========== ============================ =========================================
    array      highest index written        why
    ========== ============================ =========================================
    ids        B - 1                        a word or a newline takes >= 1 byte
    _offsets   n + B // 2 + 1               <= B // 2 + 1 new words (a byte and a
    _counts    n + B // 2                   separator each, the last maybe without)
    _pool      _offsets[n] + B - 1          new words' bytes are the block's bytes
    _table     mask = size - 1              size a power of two, at most half full
                                            afterwards, so a probe finds a free slot
    ========== ============================ =========================================

    Each array grows on its own condition: ``_offsets`` holds one entry more
    than ``_counts``, so growing one when the other needs it is not enough.
    Ids are int32 (the table stores id + 1): more than 2**31 - 2 distinct words
    is an error, not a wrap (scan() prunes at 10 million, so it never gets there).
    """

    def __init__(self, count_block, rehash, words: int = 1 << 14, pool_bytes: int = 1 << 20):
        """``words`` (a power of two) and ``pool_bytes``: the starting capacity;
        the tests start small so that a few kilobytes cross many doublings."""
        if words < 1 or words & (words - 1):
            raise ValueError(f"words={words}: the hash table's size must be a power of two")
        self._count_block, self._rehash = count_block, rehash
        self._n = 0
        self._table = np.zeros(4 * words, np.int32)
        self._offsets = np.zeros(words, np.int64)
        self._pool = np.zeros(max(pool_bytes, 1), np.uint8)
        self._counts = np.zeros(words, np.int64)

    def __len__(self) -> int:
        return self._n

    def add(self, block: bytes) -> np.ndarray:
        """Provisional ids of the block's words (SENTENCE_END per newline), counted."""
        self._make_room(len(block))
        self._check_room(len(block))
        ids = np.empty(len(block), np.int32)  # at most one id per byte
        n_ids, self._n = self._count_block(block, ids, self._table, self._offsets, self._pool,
                                           self._counts, self._n)
        return ids[:n_ids].copy()

    def _make_room(self, block_bytes: int) -> None:
        new_words = block_bytes // 2 + 1  # a word takes a byte and a separator
        words = self._n + new_words
        if words > MAX_WORDS:
            raise OverflowError(f"the word table would hold more than {MAX_WORDS:,} words, "
                                "beyond its int32 ids")
        if len(self._offsets) < words + 1:  # word i spans offsets[i]..offsets[i + 1]
            self._offsets = _grown(self._offsets, words + 1)
        if len(self._counts) < words:
            self._counts = _grown(self._counts, words)
        used = int(self._offsets[self._n])
        if len(self._pool) < used + block_bytes:
            self._pool = _grown(self._pool, used + block_bytes)
        if len(self._table) < 2 * words:  # at most half full: probes stay short
            size = len(self._table)
            while size < 2 * words:
                size *= 2
            self._table = np.zeros(size, np.int32)
            self._rehash(self._table, self._offsets, self._pool, self._n)

    def _check_room(self, block_bytes: int) -> None:
        """The table above, checked once per block: count_block cannot check it itself."""
        words = self._n + block_bytes // 2 + 1
        size = len(self._table)
        if not (len(self._offsets) >= words + 1 and len(self._counts) >= words
                and len(self._pool) >= int(self._offsets[self._n]) + block_bytes
                and size >= 2 * words and size & (size - 1) == 0):
            raise RuntimeError(f"word table: no room for a block of {block_bytes} bytes "
                               f"after {self._n} words (a bug in _make_room)")

    def words(self) -> List[bytes]:
        pool, offsets = self._pool.tobytes(), self._offsets[: self._n + 1].tolist()
        return [pool[start:end] for start, end in zip(offsets, offsets[1:])]

    def counts(self) -> np.ndarray:
        return self._counts[: self._n].copy()

    def prune(self, keep: np.ndarray) -> np.ndarray:
        """Keep the words where ``keep`` (bool, one per word) is True, renumbered
        in order. Returns old id -> new id, PRUNED for dropped ones.
        All numpy: the counting loop itself is untouched."""
        id_map = _id_map(keep)
        lengths = np.diff(self._offsets[: self._n + 1])
        used = int(self._offsets[self._n])
        kept_bytes = self._pool[:used][np.repeat(keep, lengths)]
        self._pool = np.zeros(len(self._pool), np.uint8)
        self._pool[: len(kept_bytes)] = kept_bytes
        self._offsets = np.zeros(len(self._offsets), np.int64)
        np.cumsum(lengths[keep], out=self._offsets[1: int(keep.sum()) + 1])
        self._counts = _compacted(self._counts, keep, len(self._counts))
        self._n = int(keep.sum())
        self._table[:] = 0
        self._rehash(self._table, self._offsets, self._pool, self._n)
        return id_map


def _id_map(keep: np.ndarray) -> np.ndarray:
    """Old id -> new id after a prune that keeps ``keep``, PRUNED if dropped."""
    return np.where(keep, np.cumsum(keep) - 1, PRUNED).astype(np.int32)


def _compacted(counts: np.ndarray, keep: np.ndarray, size: int) -> np.ndarray:
    """The kept counts first, in a zeroed array of at least ``size``."""
    kept = counts[: len(keep)][keep]
    out = np.zeros(max(size, len(kept)), np.int64)
    out[: len(kept)] = kept
    return out


def _grown(array: np.ndarray, needed: int) -> np.ndarray:
    """A copy of ``array`` at least ``needed`` long, doubling so growth costs O(n) overall."""
    size = len(array)
    while size < needed:
        size *= 2
    grown = np.zeros(size, array.dtype)
    grown[: len(array)] = array
    return grown


def new_word_table(compiled: bool = True):
    """The compiled word table where the Cython extension is built, else the Python one."""
    if compiled:
        from ._backend import cython_kernels

        kernels = cython_kernels()
        if kernels is not None:
            return CompiledWordTable(kernels.count_block, kernels.rehash)
    return PythonWordTable()
