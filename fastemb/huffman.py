"""The Huffman tree of hierarchical softmax: each word's path from the root.

Hierarchical softmax (Morin & Bengio 2005; word2vec's ``-hs 1``) predicts a
word as a walk down a binary tree over the vocabulary: one logistic decision
per inner node on the word's path, each inner node with its own output vector.
With a Huffman tree (built on the counts) frequent words have short paths, so
an example costs about log2(vocabulary) decisions weighted by frequency, not
one per word of the vocabulary.

The tree is built exactly as word2vec.c's CreateBinaryTree builds it, ties
included, so the same counts give the same codes: the two lightest nodes are
merged repeatedly, leaves taken before merged nodes of equal weight.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class HuffmanPaths:
    """Each word's path as CSR arrays: word w's decisions are entries
    ``offsets[w]:offsets[w + 1]`` of ``nodes`` and ``signs``, root first.

    ``nodes`` are inner-node numbers in [0, vocabulary - 1) (word2vec.c's
    ``point``); ``signs`` are +1 where the path turns left (code 0, the label 1
    of word2vec.c's ``1 - code``) and -1 where it turns right.
    """

    offsets: np.ndarray  # int64, vocabulary + 1
    nodes: np.ndarray  # int32
    signs: np.ndarray  # float32

    @property
    def longest(self) -> int:
        """The most decisions on any word's path (word2vec.c's MAX_CODE_LENGTH is 40)."""
        return int(np.diff(self.offsets).max(initial=0))

    def codes(self, word: int) -> str:
        """The word's code as word2vec.c prints it, e.g. '101' (root first)."""
        part = self.signs[self.offsets[word]:self.offsets[word + 1]]
        return "".join("0" if s > 0 else "1" for s in part)


def huffman_paths(counts: np.ndarray) -> HuffmanPaths:
    """The paths of a vocabulary whose ``counts`` are sorted in descending order
    (vocab.py's order). Cost: a Python loop of vocabulary - 1 merges (~0.1 s
    for 70,000 words), then numpy; memory: about 20 bytes per path entry."""
    counts = np.asarray(counts, dtype=np.int64)
    n = len(counts)
    if n > 1 and np.any(counts[1:] > counts[:-1]):
        raise ValueError("counts must be sorted in descending order")
    parent, right = _build_tree(counts.tolist())
    return _paths(parent, right, n)


def _build_tree(counts: list):
    """Parents and branch bits of the 2n - 1 nodes: 0..n-1 the words, n.. the inner nodes
    in the order they are merged (the root last). Leaves are sorted descending, merged
    nodes come out ascending, so the two lightest are always at one of two cursors."""
    n = len(counts)
    weight = counts + [0] * max(n - 1, 0)
    parent = [0] * (2 * n - 1)
    right = [0] * (2 * n - 1)  # 1 where the node is its parent's second (code 1) child
    leaf, merged = n - 1, n  # next leaf to take (walking left), next merged node (walking right)
    for new in range(n, 2 * n - 1):
        pair = []
        for _ in range(2):
            # a leaf wins only if strictly lighter: word2vec.c's tie-break
            if leaf >= 0 and (merged >= new or weight[leaf] < weight[merged]):
                pair.append(leaf)
                leaf -= 1
            else:
                pair.append(merged)
                merged += 1
        weight[new] = weight[pair[0]] + weight[pair[1]]
        parent[pair[0]] = parent[pair[1]] = new
        right[pair[1]] = 1
    return np.asarray(parent, dtype=np.int64), np.asarray(right, dtype=np.int8)


def _paths(parent: np.ndarray, right: np.ndarray, n: int) -> HuffmanPaths:
    """Walk every leaf up to the root at once, writing each word's path back to front."""
    root = 2 * n - 2
    depth = np.zeros(max(2 * n - 1, 0), dtype=np.int64)
    for node in range(root - 1, -1, -1):  # parents are numbered above their children
        depth[node] = depth[parent[node]] + 1
    lengths = depth[:n]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    nodes = np.empty(offsets[-1], dtype=np.int32)
    signs = np.empty(offsets[-1], dtype=np.float32)
    current = np.arange(n, dtype=np.int64)
    write = offsets[1:] - 1
    active = current != root
    while active.any():
        current, write = current[active], write[active]
        nodes[write] = parent[current] - n
        signs[write] = 1.0 - 2.0 * right[current]
        current, write = parent[current], write - 1
        active = current != root
    return HuffmanPaths(offsets, nodes, signs)
