"""One vocabulary from per-shard counts, exactly the single machine's.

Each worker counts its own shard (corpus.scan on its pieces, the compiled word
table) and sends back its words in order of first appearance with 64-bit
counts. Shards are contiguous and in corpus order (shards.py), so taking the
shards in order and appending each word the first time it is seen gives the
words in order of first appearance in the whole corpus; counts add up. Then
``min_count``, ``max_vocab`` and the order of ties are applied once, by
vocab.build_vocab, as on one machine.

The equality holds when no shard's word table was pruned while counting
(more than ``max_words_counting`` distinct words in a shard): pruning drops
different words in different shards, so counts are then lower bounds, as on
one machine, but not the same ones.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .vocab import Vocab, build_vocab


@dataclass
class ShardCounts:
    """What one worker's count of its shard gives the driver."""

    words: List[bytes]  # in order of first appearance in the shard
    counts: np.ndarray  # int64, one per word
    tokens: int  # words in the shard
    entries: int  # ids in the shard, sentence ends included
    pruned: int = 0  # times its word table was pruned while counting
    invalid_bytes: int = 0


def merge_counts(shards: Sequence[ShardCounts]) -> Tuple[List[bytes], np.ndarray]:
    """Words in order of first appearance across the shards taken in order, and their summed counts."""
    index: Dict[bytes, int] = {}
    words: List[bytes] = []
    totals: List[np.ndarray] = []
    for shard in shards:
        ids = np.empty(len(shard.words), np.int64)
        for i, word in enumerate(shard.words):
            known = index.get(word)
            if known is None:
                known = index[word] = len(words)
                words.append(word)
            ids[i] = known
        totals.append((ids, np.asarray(shard.counts, np.int64)))
    counts = np.zeros(len(words), np.int64)
    for ids, shard_counts in totals:
        np.add.at(counts, ids, shard_counts)
    return words, counts


def merged_vocab(shards: Sequence[ShardCounts], min_count: int, max_vocab: Optional[int] = None) -> Vocab:
    """The vocabulary of the whole corpus from its shards' counts (see the module's note on pruning)."""
    words, counts = merge_counts(shards)
    vocab, _ = build_vocab(words, counts, min_count, max_vocab)
    return vocab
