"""The vectors tests/test_keyed.py and tests/test_gensim_conversion.py compare
with gensim: planted words and matrix, and how two answers are compared."""
import numpy as np
import pytest

import fastemb

DIM = 12


def planted_words():
    """Words and a matrix with structure: pairs x_i = u_i + g, y_i = u_i - g (so
    x_i - y_i + y_j = x_j: analogies with answers), case variants of some
    words (later rows), two identical rows (ties), and random others."""
    rng = np.random.default_rng(11)
    gap = rng.standard_normal(DIM)
    words, rows = [], []
    for i in range(8):
        base = rng.standard_normal(DIM) * 2
        words += [f"x{i}", f"y{i}"]
        rows += [base + gap, base - gap]
    twin = rng.standard_normal(DIM)
    words += ["twin_a", "twin_b"]
    rows += [twin, twin]
    for i in range(40):
        words.append(f"w{i}")
        rows.append(rng.standard_normal(DIM))
    for word in ("X1", "Y2", "W3"):  # case variants, less frequent than the originals
        words.append(word)
        rows.append(rng.standard_normal(DIM))
    counts = np.arange(len(words), 0, -1) * 10
    counts[[5, 6, 7]] = 50  # equal counts: sorting must order ties as gensim does
    return words, np.array(rows, dtype=np.float32), counts


def make_pair():
    """(fastemb WordVectors, gensim KeyedVectors) of the same words and matrix."""
    from gensim.models import KeyedVectors

    words, matrix, counts = planted_words()
    kv = KeyedVectors(vector_size=DIM)
    kv.add_vectors(words, matrix.copy())
    return fastemb.WordVectors(words, matrix.copy(), counts=counts), kv


def same_answers(ours, theirs, all_scores, excluded=()):
    """Same scores in the same order; each word ours names has gensim's score for
    it (ties may list equal words in another order); no query word answers."""
    assert len(ours) == len(theirs)
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], rtol=1e-5, atol=1e-6)
    for word, score in ours:
        assert score == pytest.approx(float(all_scores[word]), rel=1e-5, abs=1e-6)
        assert word not in excluded


def full_scores(kv, method, **query):
    """gensim's score for every word (topn=None), by word."""
    scores = getattr(kv, method)(topn=None, **query)
    return dict(zip(kv.index_to_key, scores))
