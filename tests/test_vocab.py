"""Vocabulary: thresholds, order, limits, 64-bit counts, and its errors."""
import numpy as np
import pytest

from fastemb.errors import CorpusError
from fastemb.vocab import DROPPED, build_vocab


def test_min_count_and_order():
    words = [b"b", b"a", b"c", b"d"]  # order of first appearance
    counts = np.array([5, 7, 5, 2])
    vocab, new_id = build_vocab(words, counts, min_count=3)
    assert vocab.words == ["a", "b", "c"]  # by count, ties (b, c) by first appearance
    assert list(vocab.counts) == [7, 5, 5]
    assert list(new_id) == [1, 0, 2, DROPPED]
    assert vocab.total == 17 and vocab.index["c"] == 2


def test_max_vocab_keeps_most_frequent():
    vocab, new_id = build_vocab([b"x", b"y", b"z"], np.array([3, 9, 5]), min_count=1, max_vocab=2)
    assert vocab.words == ["y", "z"] and list(new_id) == [DROPPED, 0, 1]


def test_counts_beyond_32_bits():
    huge = np.array([3 * 2**31, 2**33, 7, 2], dtype=np.int64)
    vocab, _ = build_vocab([b"a", b"b", b"c", b"d"], huge, min_count=5)
    assert vocab.counts.dtype == np.int64
    assert vocab.total == 3 * 2**31 + 2**33 + 7 and vocab.words == ["b", "a", "c"]


def test_no_word_reaching_min_count_says_what_to_do():
    with pytest.raises(CorpusError, match=r"most frequent occurs 4 times.*--min-count to 4"):
        build_vocab([b"a", b"b"], np.array([4, 2]), min_count=5)


def test_words_longer_than_1000_bytes_are_dropped_not_truncated(caplog):
    words = [b"a" * 1000, b"b" * 1001, b"c"]
    vocab, new_id = build_vocab(words, np.array([5, 9, 5]), min_count=1)
    assert vocab.words == ["a" * 1000, "c"] and list(new_id) == [0, DROPPED, 1]
    assert "1 distinct words longer than 1000 bytes (9 occurrences) were dropped" in caplog.text


def test_sampling_tables_from_counts_beyond_32_bits():
    """More than 2^31 tokens: the subsampling and noise tables stay finite and normalised."""
    from fastemb.sampling import keep_probabilities, noise_distribution

    counts = np.array([3 * 2**40, 2**33, 7, 2], dtype=np.int64)
    keep = keep_probabilities(counts, 1e-3)
    noise = noise_distribution(counts)
    assert np.all(np.isfinite(keep)) and np.all((keep > 0) & (keep <= 1)) and keep[0] < keep[2]
    assert np.all(noise > 0) and abs(noise.sum() - 1) < 1e-6 and noise[0] > noise[1] > noise[2]
