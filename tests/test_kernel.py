"""The kernels against the plain-numpy reference, with the same random draws."""
import math

import numpy as np
import pytest

import reference
from fastemb.huffman import huffman_paths
from fastemb.kernel_call import work_shape
from fastemb.sampling import alias_table, keep_probabilities, logistic_table, noise_distribution

NO_PATHS = None  # negative sampling alone


def tiny_problem(seed=0, vocab=12, dim=8, length=80):
    """A dozen words, 80 positions, dim 8 (dim 2 also tried: fewer dimensions than targets)."""
    rng = np.random.default_rng(seed)
    counts = np.sort(rng.integers(5, 200, vocab))[::-1].astype(np.int64)
    ids = rng.integers(0, vocab, length).astype(np.int32)
    ids[rng.choice(length, 6, replace=False)] = -1  # sentence ends
    accept, alias = alias_table(noise_distribution(counts))
    tables = dict(keep_prob=keep_probabilities(counts, 0.005), noise_prob=accept, noise_alias=alias,
                  logistic=logistic_table(), counts=counts)
    w_in = (rng.random((vocab, dim), dtype=np.float32) - 0.5) / dim
    w_out = (rng.random((2 * vocab - 1, dim), dtype=np.float32) - 0.5) / dim  # noise rows, then inner nodes
    return ids, tables, w_in, w_out


def centre_only(vocab):
    """Paths of one entry, the word's own w_out row with label +1: with negative=0,
    each window predicts just its centre word, the plain true example."""
    return np.arange(vocab + 1, dtype=np.int64), np.arange(vocab, dtype=np.int32), np.ones(vocab, np.float32)


def huffman_rows(counts, first_row):
    """Hierarchical softmax's paths as the trainer passes them: inner nodes from ``first_row`` of w_out."""
    paths = huffman_paths(counts)
    return paths.offsets, paths.nodes + np.int32(first_row), paths.signs


def run_kernel(kernel, method, ids, tables, w_in, w_out, max_sentence_length=1000, window=3,
               negative=3, lr=(0.05, 0.01), seed=42, paths=NO_PATHS):
    """Call a kernel with scratch buffers sized as the trainer sizes them.
    ``paths``: (offsets, w_out rows, signs) for hierarchical softmax."""
    if paths is None:
        paths = np.zeros(len(w_in) + 1, np.int64), np.empty(0, np.int32), np.empty(0, np.float32)
    n_targets = int(np.diff(paths[0]).max()) + (1 + negative if negative else 0)
    sentence = np.empty(max_sentence_length, np.int32)
    targets, signs = np.empty(2 * n_targets, np.int32), np.empty(2 * n_targets, np.float32)
    work = np.empty(work_shape(window, n_targets, w_in.shape[1]), np.float32)
    return kernel(method, w_in, w_out, ids, tables["keep_prob"], tables["noise_prob"], tables["noise_alias"],
                  *paths, tables["logistic"], sentence, targets, signs, work, window, negative, lr[0], lr[1],
                  np.uint64(seed))


def reference_paths(paths):
    """The CSR paths as the reference takes them: per word a list of (row, sign)."""
    offsets, rows, signs = paths
    return [list(zip(rows[a:b].tolist(), signs[a:b].tolist())) for a, b in zip(offsets[:-1], offsets[1:])]


METHODS = {"cbow": reference.CBOW, "skipgram-classic": reference.SKIPGRAM_CLASSIC,
           "skipgram-batched": reference.SKIPGRAM_BATCHED}


def test_method_codes_match_the_trainer():
    from fastemb.kernel_call import METHODS as TRAINER_METHODS

    assert TRAINER_METHODS["skipgram", "classic"] == reference.SKIPGRAM_CLASSIC
    assert TRAINER_METHODS["skipgram", "batched"] == reference.SKIPGRAM_BATCHED
    assert TRAINER_METHODS["cbow", "batched"] == TRAINER_METHODS["cbow", "classic"] == reference.CBOW


# output layers: negative sampling (3 noise words), hierarchical softmax alone, and both
# (the inner nodes' rows after the noise words' rows, as the trainer lays them out)
OUTPUTS = {"negative": (3, None), "hs": (0, 0), "hs+negative": (3, 12)}


@pytest.mark.parametrize("method", METHODS.values(), ids=METHODS.keys())
@pytest.mark.parametrize("output", OUTPUTS.values(), ids=OUTPUTS.keys())
@pytest.mark.parametrize("max_sentence_length,dim,window", [(1000, 8, 3), (4, 8, 3), (1000, 2, 3), (1000, 37, 3),
                                                             (1000, 8, 5)])
def test_chunk_matches_reference(kernel, method, output, max_sentence_length, dim, window):
    """Window 5 puts up to ten context words in a window: batched skip-gram takes them four at a time."""
    ids, tables, w_in, w_out = tiny_problem(dim=dim)
    negative, first_node_row = output
    paths = None if first_node_row is None else huffman_rows(tables["counts"], first_node_row)
    ref_in, ref_out = w_in.copy(), w_out.copy()
    loss, examples, kept = run_kernel(kernel, method, ids, tables, w_in, w_out, max_sentence_length,
                                      window=window, negative=negative, paths=paths)
    ref_loss, ref_examples, ref_kept = reference.train_chunk(
        method, ref_in, ref_out, ids, tables["keep_prob"], tables["noise_prob"], tables["noise_alias"],
        tables["logistic"], max_sentence_length, window, negative, np.float32(0.05), np.float32(0.01), 42,
        paths=None if paths is None else reference_paths(paths))
    assert (examples, kept) == (ref_examples, ref_kept)
    assert 0 < kept < np.count_nonzero(ids >= 0)  # subsampling dropped some, not all
    assert loss == pytest.approx(ref_loss, rel=1e-4)
    np.testing.assert_allclose(w_in, ref_in, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(w_out, ref_out, rtol=1e-4, atol=1e-6)
    assert not np.allclose(w_out, tiny_problem(dim=dim)[3])  # the step did move the weights


def test_one_pair_is_one_sgd_step(kernel):
    """Two words, one sentence 'a b', window 1, no noise word drawn but the centre itself:
    the update must be exactly the logistic-loss gradient step, written out by hand."""
    w_in = np.array([[0.1, -0.2, 0.3, 0.05], [0.2, 0.1, -0.1, 0.3]], np.float32)
    w_out = np.array([[0.05, 0.1, -0.2, 0.1], [-0.1, 0.2, 0.1, 0.0]], np.float32)
    before_in, before_out = w_in.copy(), w_out.copy()
    tables = dict(keep_prob=np.ones(2, np.float32), noise_prob=np.ones(2, np.float32),
                  noise_alias=np.arange(2, dtype=np.int32), logistic=logistic_table())
    ids = np.array([0, 1], np.int32)
    lr = 0.1
    # centre_only paths, negative=0: only the true pairs (centre 0 <- context 1, then centre 1 <- context 0)
    run_kernel(kernel, reference.SKIPGRAM_CLASSIC, ids, tables, w_in, w_out, window=1, negative=0, lr=(lr, lr),
               paths=centre_only(2))
    sigmoid = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731
    h1, o0 = before_in[1].astype(np.float64), before_out[0].astype(np.float64)
    g = lr * (1 - sigmoid(h1 @ o0))
    expected_in1, expected_out0 = h1 + g * o0, o0 + g * h1
    h0, o1 = before_in[0].astype(np.float64), before_out[1].astype(np.float64)
    g = lr * (1 - sigmoid(h0 @ o1))
    expected_in0, expected_out1 = h0 + g * o1, o1 + g * h0
    # the logistic table is a 1024-step approximation of the sigmoid: 0.3% of g at most
    np.testing.assert_allclose(w_in, [expected_in0, expected_in1], atol=2e-4)
    np.testing.assert_allclose(w_out, [expected_out0, expected_out1], atol=2e-4)
    assert not np.allclose(w_in, before_in, atol=1e-3)


def test_nan_weights_reach_the_loss(kernel):
    ids, tables, w_in, w_out = tiny_problem()
    w_in[:] = np.nan
    for method in METHODS.values():
        loss, _, _ = run_kernel(kernel, method, ids, tables, w_in, w_out)
        assert math.isnan(loss)


def test_windows_do_not_cross_sentence_ends(kernel):
    """Sentences '0 2' and '1 3', repeated, window 5 (wider than a sentence), no noise words.

    With w_out starting at zero, the output row of a centre word only ever
    receives multiples of its contexts' input vectors, and those input vectors
    only change along their own direction. So w_out[0] must stay parallel to
    w_in[2] (its only context) and w_out[1] to w_in[3]; one window crossing a
    sentence end would mix in another word's direction.
    """
    dim, vocab = 6, 4
    ids = np.array([0, 2, -1, 1, 3, -1] * 10, np.int32)
    tables = dict(keep_prob=np.ones(vocab, np.float32), noise_prob=np.ones(vocab, np.float32),
                  noise_alias=np.arange(vocab, dtype=np.int32), logistic=logistic_table())
    w_in = np.random.default_rng(2).random((vocab, dim), dtype=np.float32)
    w_out = np.zeros((vocab, dim), np.float32)
    start_in = w_in.copy()
    run_kernel(kernel, reference.SKIPGRAM_BATCHED, ids, tables, w_in, w_out, window=5, negative=0,
               paths=centre_only(vocab))
    run_kernel(kernel, reference.SKIPGRAM_CLASSIC, ids, tables, w_in, w_out, window=5, negative=0,
               paths=centre_only(vocab))

    def cosine(a, b):
        return a @ b / np.linalg.norm(a) / np.linalg.norm(b)

    for centre, context in ((0, 2), (1, 3), (2, 0), (3, 1)):
        assert cosine(w_out[centre], start_in[context]) > 0.9999
    assert cosine(start_in[2], start_in[3]) < 0.99  # the check can tell the directions apart
