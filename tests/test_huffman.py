"""Hierarchical softmax's Huffman paths: known codes, optimal lengths, a valid tree."""
import heapq

import numpy as np
import pytest

from fastemb.huffman import huffman_paths


def test_codes_of_a_small_vocabulary_worked_by_hand():
    """Counts 5 3 2 1, merged as word2vec.c merges them (a leaf only when strictly lighter):
    1+2 -> node 4 (weight 3); 3 vs node 4 tie -> node 4 first, then word 1 -> node 5 (6);
    word 0 + node 5 -> root 6 (11). Inner nodes are numbered 0, 1, 2 = the root."""
    paths = huffman_paths(np.array([5, 3, 2, 1]))
    assert [paths.codes(w) for w in range(4)] == ["0", "11", "101", "100"]
    nodes = [paths.nodes[a:b].tolist() for a, b in zip(paths.offsets[:-1], paths.offsets[1:])]
    assert nodes == [[2], [2, 1], [2, 1, 0], [2, 1, 0]]
    assert paths.signs.tolist() == [1, -1, -1, -1, 1, -1, -1, 1, 1]
    assert paths.longest == 3


def optimal_weighted_length(counts):
    """The weighted path length of any Huffman tree: the sum of all merged weights."""
    heap = list(map(int, counts))
    heapq.heapify(heap)
    total = 0
    while len(heap) > 1:
        merged = heapq.heappop(heap) + heapq.heappop(heap)
        total += merged
        heapq.heappush(heap, merged)
    return total


@pytest.mark.parametrize("seed", range(5))
def test_paths_form_an_optimal_prefix_code(seed):
    rng = np.random.default_rng(seed)
    counts = np.sort(rng.zipf(1.5, 300))[::-1]
    paths = huffman_paths(counts)
    lengths = np.diff(paths.offsets)
    assert int(lengths @ counts) == optimal_weighted_length(counts)
    codes = [paths.codes(w) for w in range(len(counts))]
    assert len(set(codes)) == len(codes)
    assert not any(a != b and b.startswith(a) for a in codes for b in codes)  # prefix-free
    assert sum(2.0 ** -len(c) for c in codes) == pytest.approx(1.0)  # a full binary tree
    assert paths.nodes.min() == 0 and paths.nodes.max() == len(counts) - 2  # every inner node used
    assert np.all(paths.nodes[paths.offsets[:-1]] == len(counts) - 2)  # every path starts at the root
    heavier = counts[:, None] > counts[None, :]
    assert not np.any(heavier & (lengths[:, None] > lengths[None, :]))  # a more frequent word: no longer code


def test_a_single_word_has_an_empty_path_and_order_is_checked():
    paths = huffman_paths(np.array([7]))
    assert paths.offsets.tolist() == [0, 0] and len(paths.nodes) == 0 and paths.longest == 0
    with pytest.raises(ValueError, match="descending"):
        huffman_paths(np.array([1, 5, 2]))
