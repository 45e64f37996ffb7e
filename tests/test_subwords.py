"""Character n-grams and their hashing, the subword table, and the subword kernels
against the plain-numpy reference (tests/reference_subword.py)."""

import numpy as np
import pytest

import reference_subword
from fastemb.sampling import alias_table, keep_probabilities, logistic_table, noise_distribution
from fastemb.subwords import SubwordTable, char_ngrams, fnv1a_32, hash_all, ngram_buckets, oov_vector

# fastText 0.9.3's get_subwords() gives, for these n-grams, the row nwords + bucket
# (checked with a model of 10 words and bucket=2,000,000: the rows it printed minus 10).
FASTTEXT_BUCKETS = {
    "<a>": 1087600,
    "<wh": 167652, "where>": 121234, "re>": 867498,
    "<hé": 174101, "héllo>": 615514, "éll": 1147105,
    "<日本": 758587, "<日本語>": 524609, "本語>": 1674355,
}


def test_ngrams_of_a_word_as_fasttext_lists_them():
    """<where> with n = 3..6: by start position, shortest first; the 7-character
    <where> itself is too long, the word's own row stands for it."""
    assert char_ngrams("where", 3, 6) == [
        "<wh", "<whe", "<wher", "<where", "whe", "wher", "where", "where>",
        "her", "here", "here>", "ere", "ere>", "re>"]


def test_ngrams_count_characters_not_bytes():
    # é is 2 bytes and 日 3 in UTF-8, one character each
    assert char_ngrams("héllo", 3, 3) == ["<hé", "hél", "éll", "llo", "lo>"]
    assert char_ngrams("日本語", 5, 6) == ["<日本語>"]  # the whole marked word is an n-gram when short enough


def test_short_words_and_the_markers():
    assert char_ngrams("a", 3, 6) == ["<a>"]
    assert char_ngrams("", 3, 6) == []  # "<>" has 2 characters
    assert char_ngrams("ab", 1, 2) == ["<a", "a", "ab", "b", "b>"]  # a lone "<" or ">" is not an n-gram


def test_fnv1a_by_hand():
    """32-bit FNV-1a: h = 2166136261; per byte h = (h ^ byte) * 16777619 mod 2^32."""
    h = 2166136261
    for byte in b"<a>":
        h = ((h ^ byte) * 16777619) % 2**32
    assert fnv1a_32(b"<a>") == h == 2359087600
    # a byte >= 0x80 enters sign-extended, as C's signed char: 0xE9 -> 0xFFFFFFE9
    assert fnv1a_32(b"\xe9") == ((2166136261 ^ 0xFFFFFFE9) * 16777619) % 2**32
    assert fnv1a_32(b"\xe9") != ((2166136261 ^ 0xE9) * 16777619) % 2**32


def test_buckets_match_fasttext():
    for gram, bucket in FASTTEXT_BUCKETS.items():
        assert fnv1a_32(gram.encode()) % 2_000_000 == bucket, gram
    found = dict(zip(char_ngrams("héllo", 3, 6), ngram_buckets("héllo", 3, 6, 2_000_000)))
    assert found["<hé"] == 174101 and found["héllo>"] == 615514


def test_vectorised_hash_equals_the_plain_one():
    rng = np.random.default_rng(0)
    pieces = [bytes(rng.integers(0, 256, rng.integers(0, 20)).tolist()) for _ in range(500)]
    assert hash_all(pieces).tolist() == [fnv1a_32(p) for p in pieces]
    assert hash_all([]).shape == (0,)


def test_table_rows_own_row_first_then_buckets():
    words = ["where", "a", "日本語"]
    table = SubwordTable.build(words, 3, 6, 1000)
    assert table.offsets.tolist() == [0, 15, 17, 24]
    for i, word in enumerate(words):
        rows = table.rows_of(i)
        assert rows[0] == i
        assert rows[1:].tolist() == (ngram_buckets(word, 3, 6, 1000) + len(words)).tolist()


def test_composed_vector_is_the_mean_of_the_rows():
    words = ["where", "here", "a"]
    table = SubwordTable.build(words, 3, 4, 50)
    w_in = np.random.default_rng(1).random((3 + 50, 5), dtype=np.float32)
    composed = table.compose(w_in)
    for i in range(3):
        np.testing.assert_allclose(composed[i], w_in[table.rows_of(i)].mean(axis=0), rtol=1e-6)


def test_oov_vector_is_the_mean_of_its_ngram_rows():
    buckets = np.random.default_rng(2).random((100, 4), dtype=np.float32)
    expected = buckets[ngram_buckets("unseen", 3, 6, 100)].mean(axis=0)
    np.testing.assert_allclose(oov_vector("unseen", buckets, 3, 6), expected, rtol=1e-6)
    assert not oov_vector("", buckets, 3, 6).any()  # no n-gram: the zero vector, as fastText


def test_table_refuses_more_rows_than_int32():
    with pytest.raises(ValueError, match="buckets"):
        SubwordTable.build(["a"], 3, 6, 2**31 - 1)


# --- the kernels -----------------------------------------------------------------------------------

def subword_problem(seed=0, vocab=12, dim=8, length=80, buckets=7, minn=2, maxn=3):
    """A dozen short made-up words, few buckets (so rows are shared, and a word can
    hit one bucket twice), 80 positions."""
    rng = np.random.default_rng(seed)
    letters = "abcdé"
    words = ["".join(rng.choice(list(letters), rng.integers(1, 5))) + str(i) for i in range(vocab)]
    table = SubwordTable.build(words, minn, maxn, buckets)
    counts = np.sort(rng.integers(5, 200, vocab))[::-1].astype(np.int64)
    ids = rng.integers(0, vocab, length).astype(np.int32)
    ids[rng.choice(length, 6, replace=False)] = -1
    accept, alias = alias_table(noise_distribution(counts))
    tables = dict(keep_prob=keep_probabilities(counts, 0.005), noise_prob=accept, noise_alias=alias,
                  logistic=logistic_table())
    w_in = (rng.random((vocab + buckets, dim), dtype=np.float32) - 0.5) / dim
    w_out = (rng.random((vocab, dim), dtype=np.float32) - 0.5) / dim
    return table, ids, tables, w_in, w_out


def run_subword(kernel, method, table, ids, tables, w_in, w_out, max_sentence_length=1000, window=3,
                negative=3, lr=(0.05, 0.01), seed=42):
    return kernel(method, w_in, w_out, table.offsets, table.rows, ids, tables["keep_prob"], tables["noise_prob"],
                  tables["noise_alias"], tables["logistic"], np.empty(max_sentence_length, np.int32),
                  np.empty(2 * window * (1 + negative), np.int32), np.empty(2 * window * (1 + negative), np.float32),
                  np.empty((2, w_in.shape[1]), np.float32), window, negative, lr[0], lr[1], np.uint64(seed))


SUBWORD_METHODS = {"cbow": reference_subword.SUBWORD_CBOW, "skipgram": reference_subword.SUBWORD_SKIPGRAM}


def test_method_codes_match_the_trainer():
    from fastemb.kernel_call import SUBWORD_METHODS as TRAINER

    assert TRAINER == SUBWORD_METHODS


@pytest.mark.parametrize("method", SUBWORD_METHODS.values(), ids=SUBWORD_METHODS.keys())
@pytest.mark.parametrize("max_sentence_length,dim", [(1000, 8), (4, 8), (1000, 37)])
def test_subword_chunk_matches_reference(subword_kernel, method, max_sentence_length, dim):
    table, ids, tables, w_in, w_out = subword_problem(dim=dim)
    assert any(len(set(table.rows_of(i))) < len(table.rows_of(i)) for i in range(len(table)))  # repeats
    start_in = w_in.copy()
    ref_in, ref_out = w_in.copy(), w_out.copy()
    loss, examples, kept = run_subword(subword_kernel, method, table, ids, tables, w_in, w_out, max_sentence_length)
    ref_loss, ref_examples, ref_kept = reference_subword.train_chunk_subword(
        method, ref_in, ref_out, table.offsets, table.rows, ids, tables["keep_prob"], tables["noise_prob"],
        tables["noise_alias"], tables["logistic"], max_sentence_length, 3, 3, np.float32(0.05),
        np.float32(0.01), 42)
    assert (examples, kept) == (ref_examples, ref_kept)
    assert 0 < kept < np.count_nonzero(ids >= 0)
    assert loss == pytest.approx(ref_loss, rel=1e-4)
    np.testing.assert_allclose(w_in, ref_in, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(w_out, ref_out, rtol=1e-4, atol=1e-6)
    moved = np.any(w_in != start_in, axis=1)
    assert moved[len(table):].any() and moved[:len(table)].any()  # bucket rows and word rows both trained


def test_one_skipgram_pair_by_hand(subword_kernel):
    """Sentence 'a b', window 1, no noise words: centre a's vector h = mean of its
    rows predicts b, then centre b's predicts a; each row of a centre moves by
    the whole step g * w_out[context]."""
    import math

    table = SubwordTable.build(["ab", "ba"], 2, 2, 3)
    dim = 4
    rng = np.random.default_rng(5)
    w_in = rng.random((2 + 3, dim), dtype=np.float32) - 0.5
    w_out = rng.random((2, dim), dtype=np.float32) - 0.5
    before_in, before_out = w_in.astype(np.float64), w_out.astype(np.float64)
    tables = dict(keep_prob=np.ones(2, np.float32), noise_prob=np.ones(2, np.float32),
                  noise_alias=np.arange(2, dtype=np.int32), logistic=logistic_table())
    lr = 0.1
    run_subword(subword_kernel, reference_subword.SUBWORD_SKIPGRAM, table, np.array([0, 1], np.int32), tables,
                w_in, w_out, window=1, negative=0, lr=(lr, lr))
    expected_in, expected_out = before_in.copy(), before_out.copy()
    for centre, context in ((0, 1), (1, 0)):
        rows = table.rows_of(centre)
        h = expected_in[rows].mean(axis=0)
        g = lr * (1 - 1 / (1 + math.exp(-h @ expected_out[context])))
        step = g * expected_out[context]
        expected_out[context] += g * h
        for row in rows:
            expected_in[row] += step
    np.testing.assert_allclose(w_in, expected_in, atol=2e-4)  # the sigmoid table's resolution
    np.testing.assert_allclose(w_out, expected_out, atol=2e-4)
    assert not np.allclose(w_in, before_in, atol=1e-3)


def test_nan_reaches_the_loss(subword_kernel):
    import math

    table, ids, tables, w_in, w_out = subword_problem()
    w_in[len(table):] = np.nan  # the bucket rows only
    for method in SUBWORD_METHODS.values():
        loss, _, _ = run_subword(subword_kernel, method, table, ids, tables, w_in, w_out)
        assert math.isnan(loss)
