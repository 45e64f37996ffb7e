"""Compiled code writing into arrays Python sized: every kernel on scratch of
exactly the size the trainer gives it, with guard values just past the end that
must survive, and kernel_call.check_kernel_inputs refusing what would index past an end.

The guards catch an overrun in any build; the CI's bounds-checked build
(FASTEMB_DEBUG=1) and NUMBA_BOUNDSCHECK=1 run turn one into an IndexError.
"""
import importlib

import numpy as np
import pytest

from fastemb import _backend, kernel_call, trainer
from fastemb.config import make_settings
from fastemb.huffman import huffman_paths
from fastemb.kernel_constants import IN_PLACE_MIN_DIM
from fastemb.sampling import alias_table, keep_probabilities, logistic_table, noise_distribution
from fastemb.subwords import SubwordTable

VOCAB, DIM, WINDOW, NEGATIVE = 12, 5, 3, 3  # DIM 5: not a multiple of any vector width
GUARD_FLOAT, GUARD_INT = np.float32(1234.5), np.int32(0x5EADBEEF)
PAD = 8  # guard entries (rows for work) on either side of each array


def kernel_module(name):
    if name == "_kernels_avx2" and not _backend._cpu_has_avx2_fma():
        pytest.skip("this CPU lacks AVX2 or FMA")
    try:
        return importlib.import_module(f"fastemb.{name}")
    except ImportError:
        pytest.skip(f"fastemb.{name} is not built")


@pytest.fixture(params=["_kernels", "_kernels_avx2", "_numba"])
def module(request):
    return kernel_module(request.param)


def guarded(shape, dtype, guard):
    """(array of ``shape``, the whole buffer): the array sits between PAD entries
    (rows) of ``guard`` on either side."""
    shape = (shape,) if np.isscalar(shape) else tuple(shape)
    whole = np.full((shape[0] + 2 * PAD,) + shape[1:], guard, dtype)
    return whole[PAD: PAD + shape[0]], whole


def assert_guards_intact(*pairs):
    for (view, whole), guard in pairs:
        outside = np.concatenate([whole[:PAD], whole[PAD + len(view):]])
        np.testing.assert_array_equal(outside, np.full_like(outside, guard),
                                      err_msg="a kernel wrote outside its array")


def corpus_ids(rng, length=400):
    """Every word, the last id (VOCAB - 1) often, sentence ends first, last and in runs."""
    ids = rng.integers(0, VOCAB, length).astype(np.int32)
    ids[rng.choice(length, 40, replace=False)] = VOCAB - 1
    ids[[0, 1, 50, 51, 52, length - 1]] = -1
    return ids


def tables_for(counts):
    accept, alias = alias_table(noise_distribution(counts))
    return keep_probabilities(counts, 0.0), accept, alias, logistic_table()


@pytest.mark.parametrize("method", [0, 1, 2], ids=["cbow", "skipgram-classic", "skipgram-batched"])
@pytest.mark.parametrize("output", ["negative", "hs", "hs+negative"])
@pytest.mark.parametrize("capacity", [1, 4, 1000], ids=lambda c: f"sentence{c}")
@pytest.mark.parametrize("dim", [DIM, IN_PLACE_MIN_DIM + 3], ids=["dim5", "in-place-dim"])
def test_train_chunk_stays_in_its_scratch(module, method, output, capacity, dim):
    """dim 5 and, for batched skip-gram, rows wide enough for its in-place kernel."""
    rng = np.random.default_rng(7)
    counts = np.sort(rng.integers(1, 1000, VOCAB))[::-1].astype(np.int64)
    keep_prob, accept, alias, logistic = tables_for(counts)
    negative = 0 if output == "hs" else NEGATIVE
    rows_out = (VOCAB if negative else 0) + (VOCAB - 1 if "hs" in output else 0)
    if "hs" in output:
        paths = huffman_paths(counts)
        path_offsets, path_rows, path_signs = paths.offsets, paths.nodes + np.int32(VOCAB if negative else 0), paths.signs
    else:
        path_offsets = np.zeros(VOCAB + 1, np.int64)
        path_rows, path_signs = np.empty(0, np.int32), np.empty(0, np.float32)
    n_targets = int(np.diff(path_offsets).max()) + (1 + negative if negative else 0)
    sentence = guarded(capacity, np.int32, GUARD_INT)
    targets = guarded(2 * n_targets, np.int32, GUARD_INT)
    signs = guarded(2 * n_targets, np.float32, GUARD_FLOAT)
    work = guarded(kernel_call.work_shape(WINDOW, n_targets, dim), np.float32, GUARD_FLOAT)
    w_in = guarded((VOCAB, dim), np.float32, GUARD_FLOAT)
    w_out = guarded((rows_out, dim), np.float32, GUARD_FLOAT)
    w_in[0][:] = (rng.random((VOCAB, dim), dtype=np.float32) - 0.5) / dim
    w_out[0][:] = 0
    loss, examples, kept = module.train_chunk(
        method, w_in[0], w_out[0], corpus_ids(rng), keep_prob, accept, alias, path_offsets, path_rows,
        path_signs, logistic, sentence[0], targets[0], signs[0], work[0], WINDOW, negative, 0.05, 0.01,
        np.uint64(3))
    assert np.isfinite(loss) and kept > 0 and (examples > 0) == (capacity > 1)  # one word: no window
    assert_guards_intact((sentence, GUARD_INT), (targets, GUARD_INT), (signs, GUARD_FLOAT),
                         (work, GUARD_FLOAT), (w_in, GUARD_FLOAT), (w_out, GUARD_FLOAT))


@pytest.mark.parametrize("method", [0, 1], ids=["cbow", "skipgram"])
@pytest.mark.parametrize("capacity", [1, 4, 1000], ids=lambda c: f"sentence{c}")
def test_train_chunk_subword_stays_in_its_scratch(module, method, capacity):
    rng = np.random.default_rng(8)
    counts = np.sort(rng.integers(1, 1000, VOCAB))[::-1].astype(np.int64)
    keep_prob, accept, alias, logistic = tables_for(counts)
    buckets = 7
    table = SubwordTable.build([f"w{i}ord" * (1 + i % 3) for i in range(VOCAB)], 2, 4, buckets)
    sentence = guarded(capacity, np.int32, GUARD_INT)
    n_targets = 2 * WINDOW * (1 + NEGATIVE)  # what trainer.train gives train_chunk_subword
    targets = guarded(n_targets, np.int32, GUARD_INT)
    signs = guarded(n_targets, np.float32, GUARD_FLOAT)
    work = guarded((2, DIM), np.float32, GUARD_FLOAT)
    w_in = guarded((VOCAB + buckets, DIM), np.float32, GUARD_FLOAT)
    w_out = guarded((VOCAB, DIM), np.float32, GUARD_FLOAT)
    w_in[0][:] = (rng.random((VOCAB + buckets, DIM), dtype=np.float32) - 0.5) / DIM
    w_out[0][:] = 0
    loss, examples, kept = module.train_chunk_subword(
        method, w_in[0], w_out[0], table.offsets, table.rows, corpus_ids(rng), keep_prob, accept, alias,
        logistic, sentence[0], targets[0], signs[0], work[0], WINDOW, NEGATIVE, 0.05, 0.01, np.uint64(4))
    assert np.isfinite(loss) and kept > 0 and (examples > 0) == (capacity > 1)  # one word: no window
    assert_guards_intact((sentence, GUARD_INT), (targets, GUARD_INT), (signs, GUARD_FLOAT),
                         (work, GUARD_FLOAT), (w_in, GUARD_FLOAT), (w_out, GUARD_FLOAT))


# --- kernel_call.check_kernel_inputs: what would index past an end is refused before any thread starts

def small_run(**settings):
    settings = make_settings(**{"dim": 4, "window": 2, "negative": 2, "epochs": 1, "threads": 1,
                                "min_count": 1, "seed": 1, **settings})
    counts = np.array([50, 30, 20, 10], np.int64)
    ids = np.array([0, 1, 2, 3, -1, 3, 2, 1, 0], np.int32)
    tables = trainer.Tables.build(counts, settings)
    w_in, w_out = trainer.init_matrices(len(counts), settings)
    return dict(w_in=w_in, w_out=w_out, ids=ids, tables=tables, settings=settings)


def train_small(run, subwords=None):
    kernel = _backend.load_kernel("auto", subword=subwords is not None)
    return trainer.train(kernel, run["w_in"], run["w_out"], run["ids"], run["tables"], run["settings"],
                         subwords=subwords)


def test_inputs_at_their_limits_train():
    """The largest id, sentence ends and matrices of exactly the rows needed: accepted."""
    run = small_run(hs=True)
    assert len(run["w_out"]) == 4 + 3
    assert train_small(run).words == len(run["ids"])


@pytest.mark.parametrize("tamper, message", [
    (lambda run: run["ids"].__setitem__(0, 4), "word ids -1..4, outside -1..3"),
    (lambda run: run["ids"].__setitem__(0, -2), "word ids -2..3"),
    (lambda run: run.__setitem__("w_in", run["w_in"][:3]), "w_in has 3 rows for 4 words"),
    (lambda run: run.__setitem__("w_out", run["w_out"][:, :3].copy()), "w_out 3"),
    (lambda run: run.__setitem__("w_out", run["w_out"][:6]), "rows"),
    (lambda run: run["tables"].noise_alias.__setitem__(0, 4), "noise aliases"),
    (lambda run: run["tables"].path_rows.__setitem__(0, 7), "path rows"),
    (lambda run: run["tables"].path_offsets.__setitem__(-1, 99), "path offsets"),
    (lambda run: setattr(run["tables"], "keep_prob", np.ones(5, np.float32)), "rows for 5 words"),
])
def test_inputs_that_would_index_out_of_bounds_are_refused(tamper, message):
    run = small_run(hs=True)
    tamper(run)
    with pytest.raises(ValueError, match="out of bounds") as error:
        train_small(run)
    assert message in str(error.value)


def test_subword_rows_outside_w_in_are_refused():
    run = small_run(maxn=3, minn=2, buckets=5)
    table = SubwordTable.build(["aa", "bb", "cc", "dd"], 2, 3, 5)
    assert train_small(run, table).words == len(run["ids"])
    table.rows[-1] = len(run["w_in"])
    with pytest.raises(ValueError, match="subword rows outside"):
        train_small(run, table)


def test_scratch_too_small_is_refused():
    settings = make_settings(dim=4, window=2, negative=2)
    n_targets = 3
    sentence, targets, signs = np.empty(10, np.int32), np.empty(6, np.int32), np.empty(6, np.float32)
    work = np.empty(kernel_call.work_shape(2, n_targets, 4), np.float32)
    kernel_call.check_scratch(sentence, targets, signs, work, settings, n_targets, subword=False)
    with pytest.raises(ValueError, match="work of shape"):
        kernel_call.check_scratch(sentence, targets, signs, work[:-1], settings, n_targets, subword=False)
    with pytest.raises(ValueError, match="targets/signs"):
        kernel_call.check_scratch(sentence, targets[:-1], signs, work, settings, n_targets, subword=False)
    with pytest.raises(ValueError, match="never advance"):
        kernel_call.check_scratch(sentence[:0], targets, signs, work, settings, n_targets, subword=False)


# --- format_lines: the text buffer holds the widest numbers

WIDEST = [-1.17549435e-38, -1.40129846e-45, -3.40282347e38, -0.000123456791, -123456792.0, -1.23456791e-05,
          float("-inf"), float("nan"), -0.0]


def test_format_lines_widest_numbers_fit_and_read_back():
    kernels = _backend.cython_kernels()
    if kernels is None:
        pytest.skip("the Cython extension is not built")
    block = np.array([WIDEST, WIDEST[::-1]], np.float32)
    words = [b"x", "\u00e9t\u00e9".encode()]
    word_bytes = b"".join(words)
    word_ends = np.cumsum([len(w) for w in words]).astype(np.int64)
    exact = len(word_bytes) + block.size * 17 + len(block)  # as formats._text_lines sizes it
    text = guarded(exact, np.uint8, np.uint8(0xAB))
    written = kernels.format_lines(block, word_bytes, word_ends, text[0])
    assert_guards_intact((text, np.uint8(0xAB)))
    lines = bytes(text[0][:written]).decode().splitlines()
    assert [line.split()[0] for line in lines] == ["x", "\u00e9t\u00e9"]
    back = np.array([[float(v) for v in line.split()[1:]] for line in lines], np.float32)
    np.testing.assert_array_equal(back.view(np.uint32), block.view(np.uint32))
    assert max(len(v) for line in lines for v in line.split()[1:]) + 1 <= 16


def test_text_writer_refuses_words_and_rows_that_differ():
    from fastemb import formats

    for words in (["a"], ["a", "b", "c"]):
        with pytest.raises(ValueError, match=f"{len(words)} words for 2 rows"):
            list(formats._text_lines(words, np.zeros((2, 3), np.float32)))
