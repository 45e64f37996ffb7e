"""The vocabulary: which words are trained, in which order, with what counts.

Ids are assigned by count, descending; ties keep the order of first appearance,
so the same text always gives the same ids. Counts are 64-bit throughout.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np

from .errors import CorpusError

DROPPED = -2  # provisional words below min_count or past max_vocab


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
    Returns the vocabulary and ``new_id``: for each provisional id its final id,
    or DROPPED. Raises CorpusError when no word reaches ``min_count``.
    """
    counts = np.asarray(counts, dtype=np.int64)
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
    kept = order[:n_kept]
    new_id = np.full(len(counts), DROPPED, dtype=np.int32)
    new_id[kept] = np.arange(n_kept, dtype=np.int32)
    vocab = Vocab([words[i].decode("utf-8") for i in kept], counts[kept].copy())
    return vocab, new_id
