"""The vocabulary: which words are trained, in which order, with what counts.

Ids are assigned by count, descending; ties keep the order of first appearance,
so the same text always gives the same ids. Counts are 64-bit throughout.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np

from .errors import CorpusError

DROPPED = -2  # provisional words below min_count, past max_vocab, or too long
LONGEST_WORD_BYTES = 1000  # a longer "word" (a URL, base64, a table without spaces) is dropped, never truncated
log = logging.getLogger("fastemb")


@dataclass
class Vocab:
    """Words by id (most frequent first) and their corpus counts."""

    words: List[str]
    counts: np.ndarray  # int64, one per word, descending
    _index: Optional[Dict[str, int]] = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.words)

    @property
    def total(self) -> int:
        """Occurrences of vocabulary words in the corpus (word2vec.c's train_words)."""
        return int(self.counts.sum())

    @property
    def index(self) -> Dict[str, int]:
        """word -> id, built on first use."""
        if self._index is None:
            self._index = {word: i for i, word in enumerate(self.words)}
        return self._index


def build_vocab(words: List[bytes], counts: np.ndarray, min_count: int,
                max_vocab: Optional[int] = None) -> Tuple[Vocab, np.ndarray]:
    """Keep words seen at least ``min_count`` times, at most ``max_vocab`` of them (the most frequent).

    ``words`` and ``counts`` are in order of first appearance (provisional ids).
    Words longer than LONGEST_WORD_BYTES (1,000 bytes of UTF-8) are dropped
    like rare ones, with a warning: truncating them would merge unrelated strings.
    Returns the vocabulary and ``new_id``: for each provisional id its final id,
    or DROPPED. Raises CorpusError when no word reaches ``min_count``.
    """
    counts = _without_long_words(words, np.asarray(counts, dtype=np.int64))
    order = np.argsort(-counts, kind="stable")  # stable: ties stay in order of first appearance
    n_kept = int(np.count_nonzero(counts >= min_count))
    if max_vocab is not None:
        n_kept = min(n_kept, max_vocab)
    if n_kept == 0:
        top = int(counts.max()) if len(counts) else 0
        raise CorpusError(
            f"no word occurs min_count={min_count} times (the most frequent occurs {top} times); "
            f"lower --min-count to {max(top, 1)} or less, or give more text"
        )
    kept = order[:n_kept]  # all have counts >= min_count >= 1, so no long word
    new_id = np.full(len(counts), DROPPED, dtype=np.int32)
    new_id[kept] = np.arange(n_kept, dtype=np.int32)
    vocab = Vocab([words[i].decode("utf-8") for i in kept], counts[kept].copy())
    return vocab, new_id


def _without_long_words(words: List[bytes], counts: np.ndarray) -> np.ndarray:
    """``counts`` with those of words longer than LONGEST_WORD_BYTES set to 0 (never kept)."""
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    too_long = lengths > LONGEST_WORD_BYTES
    if not too_long.any():
        return counts
    log.warning("%d distinct words longer than %d bytes (%d occurrences) were dropped",
                int(too_long.sum()), LONGEST_WORD_BYTES, int(counts[too_long].sum()))
    return np.where(too_long, 0, counts)


def map_to_vocab(vocab: Vocab, words: List[bytes], counts: np.ndarray,
                 add_min_count: Optional[int] = None) -> Tuple[Vocab, np.ndarray]:
    """Ids of a new text's words in an existing vocabulary, for training more.

    ``words`` and ``counts`` are the new text's, by provisional id (as from
    corpus.scan). Returns the vocabulary to train with and ``new_id``: each
    provisional word's id, or DROPPED for a word not in it. Without
    ``add_min_count`` the vocabulary is returned unchanged. With it, words new
    to the vocabulary seen at least ``add_min_count`` times in the new text are
    appended (ids len(vocab), ..., most frequent first), and every count grows
    by the new text's: old ids never change, so the matrices' rows stay put.
    One dict lookup per distinct word, none per occurrence.
    """
    counts = np.asarray(counts, dtype=np.int64)
    index = vocab.index
    new_id = np.fromiter((index.get(word.decode("utf-8"), DROPPED) for word in words),
                         dtype=np.int32, count=len(words))
    if add_min_count is None:
        return vocab, new_id
    known = new_id >= 0
    candidates = np.where(known, 0, _without_long_words(words, counts))
    order = np.argsort(-candidates, kind="stable")
    added = order[: int(np.count_nonzero(candidates >= add_min_count))]
    new_id[added] = len(vocab) + np.arange(len(added), dtype=np.int32)
    grown = vocab.counts.copy()
    np.add.at(grown, new_id[known], counts[known])
    return Vocab(vocab.words + [words[i].decode("utf-8") for i in added],
                 np.concatenate([grown, counts[added]])), new_id
