"""Probability tables over word counts, built in numpy and only indexed by the kernels."""
from __future__ import annotations

from typing import Tuple

import numpy as np

from .kernel_constants import MAX_Z

NOISE_POWER = 0.75  # unigram^0.75 noise distribution (Mikolov et al. 2013)


def keep_probabilities(counts: np.ndarray, sample: float) -> np.ndarray:
    """Probability of keeping each occurrence of a word when subsampling frequent words.

    word2vec.c's formula, with t = sample * total count and f the word's count:
    ``p = (sqrt(f / t) + 1) * t / f``, capped at 1. ``sample=0`` keeps everything.
    Returns float32, one per word.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if sample == 0:
        return np.ones(len(counts), np.float32)
    threshold = sample * counts.sum()
    keep = (np.sqrt(counts / threshold) + 1.0) * threshold / counts
    return np.minimum(keep, 1.0).astype(np.float32)


def noise_distribution(counts: np.ndarray, power: float = NOISE_POWER) -> np.ndarray:
    """The negative-sampling distribution, count**power normalised (float64)."""
    weights = np.asarray(counts, dtype=np.float64) ** power
    return weights / weights.sum()


def alias_table(probabilities: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Walker's alias table (Vose's construction) for O(1) draws from ``probabilities``.

    A draw picks a column i uniformly, then returns i with probability
    ``accept[i]`` and ``alias[i]`` otherwise. Two arrays of V entries replace
    word2vec.c's 1e8-entry table (400 MB), so draws hit the cache.
    Returns (accept float32, alias int32).
    """
    n = len(probabilities)
    scaled = np.asarray(probabilities, dtype=np.float64) * n
    accept = np.ones(n, dtype=np.float64)
    alias = np.arange(n, dtype=np.int32)
    small = [i for i in range(n) if scaled[i] < 1.0]
    large = [i for i in range(n) if scaled[i] >= 1.0]
    while small and large:
        s, g = small.pop(), large.pop()
        accept[s] = scaled[s]
        alias[s] = g
        scaled[g] -= 1.0 - scaled[s]  # g gives the rest of s's column
        (small if scaled[g] < 1.0 else large).append(g)
    # whatever remains is 1 up to rounding: accept[i] = 1 already
    return accept.astype(np.float32), alias


LOGISTIC_STEPS = 1024


def logistic_table(steps: int = LOGISTIC_STEPS) -> np.ndarray:
    """Sigmoid (row 0) and softplus (row 1) at the midpoints of ``steps`` equal
    intervals of [-MAX_Z, MAX_Z], plus one spare column for rounding at the top.

    The kernels index it with ``int((z + MAX_Z) * steps / (2 * MAX_Z))``; a
    lookup costs less than ``exp`` and, at 1024 steps, errs by under 0.003.
    Returns float32 of shape (2, steps + 1).
    """
    z = -MAX_Z + (np.arange(steps + 1) + 0.5) * (2 * MAX_Z / steps)
    return np.stack([1.0 / (1.0 + np.exp(-z)), np.logaddexp(0.0, z)]).astype(np.float32)
