"""Character n-grams of words, hashed into buckets, as fastText defines them
(Bojanowski et al. 2017, "Enriching Word Vectors with Subword Information").

A word is written ``"<" + word + ">"``; its n-grams are all runs of ``n``
consecutive *characters* (Unicode code points, i.e. UTF-8 sequences, never
bytes cut in half) for ``minn <= n <= maxn``, taken start by start and, for
each start, shortest first. The whole ``"<word>"`` is one of them when it is
short enough: fastText keeps it as an n-gram (a bucket row) besides the word's
own row, and so does fastemb. A lone "<" or ">" (only possible with minn = 1)
is not an n-gram.

Each n-gram's UTF-8 bytes are hashed with 32-bit FNV-1a (Fowler, Noll, Vo):
``h = 2166136261; for each byte: h = (h XOR byte) * 16777619 mod 2**32``,
where, as in fastText's C++ (``char`` is signed there), a byte >= 0x80 enters
the XOR sign-extended (0xE9 -> 0xFFFFFFE9). The bucket is ``h mod buckets``.

Input rows: word ``i`` of a vocabulary of ``V`` words has row ``i`` of the
input matrix, and n-gram bucket ``b`` has row ``V + b`` (fastText's layout,
so the input matrix is ``(V + buckets) x dim``). A word's vector is the mean
of its own row and its n-gram rows. The rows of every vocabulary word are kept
as CSR arrays: ``rows[offsets[i]:offsets[i + 1]]``, own row first.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Sequence

import numpy as np

FNV_OFFSET = 2166136261
FNV_PRIME = 16777619
BEGIN, END = "<", ">"
_COMPOSE_BLOCK = 8192  # words per block when composing: bounds the temporary to block x rows x dim


def char_ngrams(word: str, minn: int, maxn: int) -> List[str]:
    """The character n-grams of ``"<" + word + ">"`` with minn <= n <= maxn, in
    fastText's order (by start, then by length)."""
    marked = BEGIN + word + END
    size = len(marked)
    found = []
    for start in range(size):
        for n in range(minn, min(maxn, size - start) + 1):
            if n == 1 and (start == 0 or start == size - 1):
                continue  # the markers alone
            found.append(marked[start:start + n])
    return found


def fnv1a_32(data: bytes) -> int:
    """fastText's 32-bit FNV-1a of some bytes (bytes >= 0x80 sign-extended)."""
    h = FNV_OFFSET
    for byte in data:
        h = ((h ^ (byte | 0xFFFFFF00 if byte >= 0x80 else byte)) * FNV_PRIME) & 0xFFFFFFFF
    return h


def hash_all(pieces: Sequence[bytes]) -> np.ndarray:
    """fnv1a_32 of every byte string, vectorised over strings (one numpy pass
    per byte position instead of a Python loop per byte). Returns uint32."""
    count = len(pieces)
    lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=count)
    h = np.full(count, FNV_OFFSET, dtype=np.uint32)
    if count == 0:
        return h
    flat = np.frombuffer(b"".join(pieces), dtype=np.int8)  # signed: sign extension comes with the cast
    starts = np.zeros(count, dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    prime = np.uint32(FNV_PRIME)
    for k in range(int(lengths.max())):
        live = np.flatnonzero(lengths > k)
        byte = flat[starts[live] + k].astype(np.int32).view(np.uint32)
        h[live] = (h[live] ^ byte) * prime  # uint32 arithmetic wraps modulo 2**32
    return h


def ngram_buckets(word: str, minn: int, maxn: int, buckets: int) -> np.ndarray:
    """The bucket (0 .. buckets-1) of each n-gram of ``word``, in char_ngrams order; int64."""
    pieces = [gram.encode("utf-8", "surrogateescape") for gram in char_ngrams(word, minn, maxn)]
    return (hash_all(pieces) % np.uint32(buckets)).astype(np.int64)


@dataclass
class SubwordTable:
    """The input rows of every vocabulary word: ``rows[offsets[i]:offsets[i+1]]``,
    the word's own row ``i`` first, then ``V + bucket`` per n-gram."""

    offsets: np.ndarray  # int64, V + 1
    rows: np.ndarray  # int32, one per (word, row)
    minn: int
    maxn: int
    buckets: int

    @classmethod
    def build(cls, words: Sequence[str], minn: int, maxn: int, buckets: int) -> "SubwordTable":
        """Hash the n-grams of all ``words`` (about 1.5 s for 70,000 words at 3..6)."""
        vocab_size = len(words)
        if vocab_size + buckets > 2**31 - 1:
            raise ValueError(f"buckets={buckets} plus {vocab_size} words exceed the 2**31 - 1 rows an int32 id holds")
        pieces, per_word = [], np.empty(vocab_size, dtype=np.int64)
        for i, word in enumerate(words):
            grams = char_ngrams(word, minn, maxn)
            per_word[i] = len(grams)
            pieces.extend(gram.encode("utf-8", "surrogateescape") for gram in grams)
        bucket_rows = (hash_all(pieces) % np.uint32(buckets)).astype(np.int64) + vocab_size
        offsets = np.zeros(vocab_size + 1, dtype=np.int64)
        np.cumsum(per_word + 1, out=offsets[1:])
        rows = np.empty(offsets[-1], dtype=np.int32)
        own = offsets[:-1]
        rows[own] = np.arange(vocab_size, dtype=np.int32)
        is_ngram = np.ones(len(rows), dtype=bool)
        is_ngram[own] = False
        rows[is_ngram] = bucket_rows
        return cls(offsets, rows, minn, maxn, buckets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def rows_of(self, word_id: int) -> np.ndarray:
        return self.rows[self.offsets[word_id]:self.offsets[word_id + 1]]

    def compose(self, w_in: np.ndarray) -> np.ndarray:
        """The vector of every vocabulary word: the mean of its rows of ``w_in``; (V x dim) float32."""
        vocab_size, dim = len(self), w_in.shape[1]
        out = np.empty((vocab_size, dim), dtype=np.float32)
        for first in range(0, vocab_size, _COMPOSE_BLOCK):
            last = min(first + _COMPOSE_BLOCK, vocab_size)
            lo, hi = self.offsets[first], self.offsets[last]
            sums = np.add.reduceat(w_in[self.rows[lo:hi]], self.offsets[first:last] - lo, axis=0)
            out[first:last] = sums / np.diff(self.offsets[first:last + 1])[:, None].astype(np.float32)
        return out


def oov_vector(word: str, bucket_matrix: np.ndarray, minn: int, maxn: int) -> np.ndarray:
    """A vector for a word outside the vocabulary: the mean of its n-gram rows of
    ``bucket_matrix`` (buckets x dim). A word with no n-gram (the empty string,
    or one too short for minn) gets the zero vector, as in fastText."""
    found = ngram_buckets(word, minn, maxn, len(bucket_matrix))
    if len(found) == 0:
        return np.zeros(bucket_matrix.shape[1], dtype=np.float32)
    return bucket_matrix[found].mean(axis=0, dtype=np.float32)
