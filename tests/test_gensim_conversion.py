"""Conversions between fastemb and gensim, in memory and through files: the
word2vec-format aliases, to_gensim / from_gensim (exact round trips: words,
order, vectors bit for bit, counts), FastText's subword vectors, and gensim
staying optional."""
import subprocess
import sys

import numpy as np
import pytest

import fastemb
from conftest import write
from keyed_reference import full_scores, make_pair, same_answers

gensim_models = pytest.importorskip("gensim.models")

@pytest.fixture
def pair():
    """(fastemb WordVectors, gensim KeyedVectors) of the same words and matrix."""
    return make_pair()


@pytest.mark.parametrize("binary", [False, True])
def test_word2vec_format_aliases_read_and_write_what_gensim_does(pair, tmp_path, binary):
    wv, kv = pair
    ours, theirs = tmp_path / "ours.bin", tmp_path / "theirs.bin"
    wv.save_word2vec_format(ours, binary=binary)
    kv.save_word2vec_format(str(theirs), binary=binary)
    back = gensim_models.KeyedVectors.load_word2vec_format(str(ours), binary=binary)
    assert back.index_to_key == wv.index_to_key
    np.testing.assert_array_equal(back.vectors, wv.vectors)
    loaded = fastemb.WordVectors.load_word2vec_format(theirs, binary=binary, limit=10, unicode_errors="strict")
    assert loaded.index_to_key == kv.index_to_key[:10]
    np.testing.assert_array_equal(loaded.vectors, kv.vectors[:10])


@pytest.mark.parametrize("with_counts", [True, False])
def test_to_gensim_and_back_is_exact(pair, with_counts):
    wv, _ = pair
    if not with_counts:
        wv = fastemb.WordVectors(wv.index_to_key, wv.vectors)
    kv = wv.to_gensim()
    assert isinstance(kv, gensim_models.KeyedVectors)
    assert kv.index_to_key == wv.index_to_key and kv.vectors.dtype == np.float32
    np.testing.assert_array_equal(kv.vectors, wv.vectors)
    assert kv.vectors is not wv.vectors
    if with_counts:
        assert [kv.get_vecattr(word, "count") for word in wv.index_to_key] == wv.counts.tolist()
    else:
        assert "count" not in kv.expandos
    back = fastemb.from_gensim(kv)
    assert back.index_to_key == wv.index_to_key
    assert back.vectors.tobytes() == wv.vectors.tobytes()
    assert (back.counts is None) if not with_counts else back.counts.tolist() == wv.counts.tolist()


def test_from_a_gensim_word2vec_model_and_back(tmp_path):
    sentences = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "ate", "the", "cat"]] * 20
    model = gensim_models.Word2Vec(sentences, vector_size=8, min_count=1, workers=1, epochs=1, seed=1)
    for source in (model, model.wv):
        wv = fastemb.from_gensim(source)
        assert wv.index_to_key == model.wv.index_to_key
        assert wv.vectors.tobytes() == model.wv.vectors.tobytes()
        assert wv.counts.tolist() == [model.wv.get_vecattr(w, "count") for w in model.wv.index_to_key]
        assert wv.get_vecattr("cat", "count") == model.wv.get_vecattr("cat", "count")
    kv = fastemb.from_gensim(model).to_gensim()
    assert kv.index_to_key == model.wv.index_to_key
    assert kv.vectors.tobytes() == model.wv.vectors.tobytes()
    assert kv.expandos["count"].tolist() == model.wv.expandos["count"].tolist()
    with pytest.raises(TypeError, match="not a gensim KeyedVectors"):
        fastemb.from_gensim([1, 2])


def test_a_trained_models_vectors_carry_its_counts_to_gensim(tmp_path):
    corpus = write(tmp_path / "c.txt", "a b c a b a d e a b\n" * 30)
    model = fastemb.Model(dim=8, epochs=1, min_count=1, threads=1, seed=1).train(str(corpus), progress=False)
    kv = model.wv.to_gensim()
    assert kv.index_to_key == model.vocab.words
    assert kv.expandos["count"].tolist() == model.vocab.counts.tolist() == [120, 90, 30, 30, 30]


def test_gensim_stays_optional():
    """Importing fastemb never imports gensim; to_gensim without it is one clear ImportError."""
    code = ("import sys, fastemb, numpy as np\n"
            "assert 'gensim' not in sys.modules, 'fastemb imported gensim'\n"
            "sys.modules['gensim'] = None  # as if it were not installed\n"
            "try:\n"
            "    fastemb.WordVectors(['a'], np.ones((1, 2))).to_gensim()\n"
            "except ImportError as error:\n"
            "    print(error)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "pip install gensim" in done.stdout


def test_subword_vectors_answer_for_unseen_words_as_gensims_fasttext_vectors():
    """gensim's FastTextKeyedVectors built from the same word rows and n-gram
    buckets (the same fastText hashing) gives the same vectors for unseen words,
    and the same answers to queries with them."""
    fasttext = pytest.importorskip("gensim.models.fasttext")
    rng = np.random.default_rng(3)
    words = ["walking", "talking", "walked", "stalk", "naïve", "talked"]
    rows, buckets = rng.standard_normal((6, 6)).astype(np.float32), rng.standard_normal((97, 6)).astype(np.float32)
    wv = fastemb.SubwordVectors(words, rows, buckets, minn=3, maxn=5)
    ft = fasttext.FastTextKeyedVectors(vector_size=6, min_n=3, max_n=5, bucket=97)
    ft.add_vectors(words, rows.copy())
    ft.vectors_ngrams = buckets.copy()
    for word in ("walker", "naïveté", "日本語", "ab", "walking"):
        np.testing.assert_allclose(wv.get_vector(word), ft.get_vector(word), rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(wv.get_vector(word, norm=True), ft.get_vector(word, norm=True), rtol=1e-5)
    assert ("walker" in wv, wv.has_index_for("walker")) == (False, ft.has_index_for("walker"))  # see vectors.md
    for query in (dict(positive="walker"), dict(positive=["walker", "stalk"], negative=["naïveté"])):
        same_answers(wv.most_similar(topn=4, **query), ft.most_similar(topn=4, **query),
                     full_scores(ft, "most_similar", **query), ["walker", "stalk"])
    assert wv.similarity("walker", "stalked") == pytest.approx(float(ft.similarity("walker", "stalked")), abs=1e-6)
    assert wv.n_similarity(["walker", "x"], ["talking"]) == pytest.approx(
        float(ft.n_similarity(["walker", "x"], ["talking"])), abs=1e-6)
    assert wv.doesnt_match(["walker", "walked", "日本語"]) == ft.doesnt_match(["walker", "walked", "日本語"])
    np.testing.assert_allclose(wv.get_mean_vector(["walker", "stalk"]), ft.get_mean_vector(["walker", "stalk"]),
                               rtol=1e-5, atol=1e-6)


def test_from_a_gensim_fasttext_model_unseen_words_keep_their_vectors():
    fasttext = pytest.importorskip("gensim.models.fasttext")
    sentences = [["walking", "talking", "walked", "stalked", "talk"], ["naïve", "walking", "talk"]] * 10
    model = fasttext.FastText(sentences, vector_size=6, min_count=1, workers=1, epochs=1, seed=1,
                              bucket=50, min_n=3, max_n=5)
    wv = fastemb.from_gensim(model)
    assert isinstance(wv, fastemb.SubwordVectors) and (wv.minn, wv.maxn) == (3, 5)
    assert wv.index_to_key == model.wv.index_to_key and wv.vectors.tobytes() == model.wv.vectors.tobytes()
    assert wv.buckets.tobytes() == model.wv.vectors_ngrams.tobytes()
    assert wv.counts.tolist() == model.wv.expandos["count"].tolist()
    for word in ("walker", "naïveté", "talks", "ab"):
        np.testing.assert_allclose(wv.get_vector(word), model.wv.get_vector(word), rtol=1e-5, atol=1e-7)
    plain = fasttext.FastText(sentences, vector_size=6, min_count=1, workers=1, epochs=1, max_n=0)
    assert type(fastemb.from_gensim(plain)) is fastemb.WordVectors  # no n-grams: plain vectors
