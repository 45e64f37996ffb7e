"""Subsampling and noise distributions: formulas, and statistics of real draws."""
import numpy as np
import pytest
from scipy import stats

import reference
from test_kernel import run_kernel
from fastemb.sampling import alias_table, keep_probabilities, logistic_table, noise_distribution, MAX_Z


def test_keep_probability_is_word2vec_formula():
    counts = np.array([1_000_000, 10_000, 100, 1], np.int64)
    sample = 1e-4
    t = sample * counts.sum()
    expected = np.minimum((np.sqrt(counts / t) + 1) * t / counts, 1.0)
    np.testing.assert_allclose(keep_probabilities(counts, sample), expected, rtol=1e-6)
    assert keep_probabilities(counts, sample)[-1] == 1.0  # rare words are always kept
    assert np.all(keep_probabilities(counts, 0.0) == 1.0)  # sample=0 disables subsampling


def test_noise_distribution_is_unigram_to_three_quarters():
    counts = np.array([81, 16, 1], np.int64)
    np.testing.assert_allclose(noise_distribution(counts), np.array([27, 8, 1]) / 36)


def implied_distribution(accept, alias):
    """The exact distribution an alias table draws from."""
    n = len(accept)
    p = accept.astype(np.float64) / n
    np.add.at(p, alias, (1.0 - accept.astype(np.float64)) / n)
    return p


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_alias_table_reproduces_distribution_exactly(seed):
    rng = np.random.default_rng(seed)
    target = noise_distribution(rng.zipf(1.3, size=500).astype(np.int64))
    accept, alias = alias_table(target)
    np.testing.assert_allclose(implied_distribution(accept, alias), target, atol=1e-7)
    assert accept.dtype == np.float32 and alias.dtype == np.int32


def test_alias_draws_follow_distribution():
    """Chi-square test on draws made the way the kernels draw (reference splitmix64)."""
    target = noise_distribution(np.array([500, 200, 100, 50, 20, 10, 5, 1], np.int64))
    accept, alias = alias_table(target)
    rng = reference.SplitMix64(7)
    draws = []
    for _ in range(40_000):
        r = rng.next()
        column = reference.below(r, len(accept))
        draws.append(column if reference.unit_float(r) < accept[column] else alias[column])
    observed = np.bincount(draws, minlength=len(target))
    assert stats.chisquare(observed, target * len(draws)).pvalue > 0.001


def test_kernel_subsampling_keeps_the_planned_fraction(kernel):
    """Word 0 has keep probability 0.3: of 100,000 occurrences the kernel keeps ~30,000."""
    n = 100_000
    ids = np.zeros(n, np.int32)
    keep = np.array([0.3, 1.0], np.float32)
    w = np.zeros((2, 4), np.float32)
    tables = dict(keep_prob=keep, noise_prob=np.ones(2, np.float32), noise_alias=np.arange(2, dtype=np.int32),
                  logistic=logistic_table())
    _, _, kept = run_kernel(kernel, 1, ids, tables, w, w.copy(), window=1, negative=1, lr=(0.0, 0.0), seed=5)
    assert stats.binomtest(kept, n, 0.3).pvalue > 0.001


def test_logistic_table_is_close_to_exact():
    table = logistic_table()
    steps = table.shape[1] - 1
    z = np.linspace(-MAX_Z + 1e-3, MAX_Z - 1e-3, 5000)
    index = ((z + MAX_Z) * steps / (2 * MAX_Z)).astype(int)
    np.testing.assert_allclose(table[0, index], 1 / (1 + np.exp(-z)), atol=3e-3)
    np.testing.assert_allclose(table[1, index], np.logaddexp(0, z), atol=6e-3)
