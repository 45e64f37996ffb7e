"""gensim 4's KeyedVectors API on WordVectors, checked against gensim itself: a
gensim KeyedVectors is built from the same words and matrix, and every method
must give gensim's answer (to float tolerance), edge cases included; then the
conversions to_gensim / from_gensim, which must round-trip exactly."""
import pickle
import subprocess
import sys

import numpy as np
import pytest

import fastemb
from conftest import write

gensim_models = pytest.importorskip("gensim.models")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # gensim's words_closer_than

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


@pytest.fixture
def pair():
    """(fastemb WordVectors, gensim KeyedVectors) of the same words and matrix."""
    words, matrix, counts = planted_words()
    kv = gensim_models.KeyedVectors(vector_size=DIM)
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


# --- keys, indexes, vectors, norms -------------------------------------------------------------

def test_keys_indexes_and_vectors_are_gensims(pair):
    wv, kv = pair
    assert wv.index_to_key == kv.index_to_key and wv.key_to_index == kv.key_to_index
    assert wv.vector_size == kv.vector_size
    for key in ("x0", "W3", 5, np.int64(3)):
        assert wv.get_index(key) == kv.get_index(key)
        np.testing.assert_array_equal(wv[key], kv[key])
        np.testing.assert_allclose(wv.get_vector(key, norm=True), kv.get_vector(key, norm=True), rtol=1e-6)
    for key in ("nope", len(kv), -1):
        assert wv.get_index(key, default=-7) == kv.get_index(key, default=-7) == -7
        assert wv.has_index_for(key) is kv.has_index_for(key) is False
        assert (key in wv) is (key in kv) is False
        with pytest.raises(KeyError):
            kv.get_index(key)
        with pytest.raises(KeyError):
            wv.get_index(key)
        with pytest.raises(KeyError):
            wv[key]
    assert ("y3" in wv) is ("y3" in kv) is True
    np.testing.assert_array_equal(wv[["x1", "y1"]], kv[["x1", "y1"]])
    np.testing.assert_array_equal(wv.vectors, kv.vectors)
    kv.fill_norms()
    np.testing.assert_allclose(wv.norms, kv.norms, rtol=1e-6)
    np.testing.assert_allclose(wv.get_normed_vectors(), kv.get_normed_vectors(), rtol=1e-6, atol=1e-7)


def test_fill_norms_force_follows_vectors_changed_in_place(pair):
    wv, kv = pair
    wv.most_similar("x0")  # norms and unit vectors now cached
    for vectors in (wv, kv):
        vectors.vectors[0] *= 3
        vectors.fill_norms(force=True)
    np.testing.assert_allclose(wv.norms, kv.norms, rtol=1e-6)
    same_answers(wv.most_similar("y0"), kv.most_similar("y0"), full_scores(kv, "most_similar", positive="y0"))


# --- most_similar and relatives ----------------------------------------------------------------

QUERIES = [
    dict(positive="x0"),
    dict(positive=["x1", "y2"], negative=["y1"]),
    dict(negative=["w4"]),
    dict(positive=["twin_a"]),  # its twin scores 1.0
    dict(positive=[("x3", 2.0), "w7"], negative=[("y3", 0.5)]),
    dict(positive=[3, "w1"]),  # a row number is a key
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("topn", [1, 5, 10_000])
@pytest.mark.parametrize("restrict_vocab", [None, 0, 20, 1_000])
def test_most_similar_equals_gensims(pair, query, topn, restrict_vocab):
    wv, kv = pair
    ours = wv.most_similar(topn=topn, restrict_vocab=restrict_vocab, **query)
    theirs = kv.most_similar(topn=topn, restrict_vocab=restrict_vocab, **query)
    listed = [query.get(side, []) for side in ("positive", "negative")]
    excluded = [key for keys in listed for key in ([keys] if isinstance(keys, str) else keys) if isinstance(key, str)]
    same_answers(ours, theirs, full_scores(kv, "most_similar", **query), excluded)
    everything = wv.most_similar(topn=None, restrict_vocab=restrict_vocab, **query)
    assert isinstance(everything, np.ndarray)
    np.testing.assert_allclose(everything, kv.most_similar(topn=None, restrict_vocab=restrict_vocab, **query),
                               rtol=1e-5, atol=1e-6)


def test_most_similar_with_raw_vectors_and_clipping_equals_gensims(pair):
    wv, kv = pair
    raw = kv["x2"] * 3 - kv["y5"]
    for query in (dict(positive=[raw]), dict(positive=["x2", raw], negative=["y5"]), dict(positive=raw)):
        same_answers(wv.most_similar(**query), kv.most_similar(**query), full_scores(kv, "most_similar", **query))
    for clip in (dict(clip_start=4, clip_end=30), dict(clip_end=10), dict(clip_start=50)):
        np.testing.assert_allclose(wv.most_similar("x0", topn=None, **clip),
                                   kv.most_similar("x0", topn=None, **clip), rtol=1e-5, atol=1e-6)
        ours, theirs = wv.most_similar("x0", topn=5, **clip), kv.most_similar("x0", topn=5, **clip)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
    same_answers(wv.similar_by_vector(raw, topn=7), kv.similar_by_vector(raw, topn=7),
                 full_scores(kv, "most_similar", positive=[raw]))
    same_answers(wv.similar_by_word("y6", topn=7, restrict_vocab=30), kv.similar_by_word("y6", topn=7,
                                                                                         restrict_vocab=30),
                 full_scores(kv, "most_similar", positive="y6"), ["y6"])


def test_ties_and_edge_cases_of_most_similar_are_gensims(pair):
    wv, kv = pair
    for topn in (0, -3, False):
        assert wv.most_similar("x0", topn=topn) == kv.most_similar("x0", topn=topn) == []
        assert wv.most_similar_cosmul("x0", topn=topn) == kv.most_similar_cosmul("x0", topn=topn) == []
    twins = wv.most_similar(positive=[wv["twin_a"]], topn=2)
    assert {w for w, _ in twins} == {w for w, _ in kv.most_similar(positive=[kv["twin_a"]], topn=2)}
    assert [w for w, _ in twins] == ["twin_a", "twin_b"]  # our tie rule: the earlier row first
    assert twins[0][1] == pytest.approx(twins[1][1])
    for query in (dict(positive=["x0", "nope"]), dict(negative="nope"), dict(positive=[10_000])):
        with pytest.raises(KeyError):
            kv.most_similar(**query)
        with pytest.raises(KeyError):
            wv.most_similar(**query)
    for vectors in (wv, kv):
        with pytest.raises(ValueError):
            vectors.most_similar(positive=[], negative=[])
        with pytest.raises(ValueError):
            vectors.most_similar_cosmul(negative=["x0"])
    with pytest.raises(ValueError, match="indexer"):
        wv.most_similar("x0", indexer=object())


@pytest.mark.parametrize("query", [dict(positive="x0"), dict(positive=["x1", "y2"], negative=["y1"]),
                                   dict(positive=["w1", "w2", "w7"])])  # gensim's cosmul takes no row numbers
@pytest.mark.parametrize("topn", [1, 6, 10_000])
def test_most_similar_cosmul_equals_gensims(pair, query, topn):
    wv, kv = pair
    same_answers(wv.most_similar_cosmul(topn=topn, **query), kv.most_similar_cosmul(topn=topn, **query),
                 full_scores(kv, "most_similar_cosmul", **query))
    np.testing.assert_allclose(wv.most_similar_cosmul(topn=None, **query),
                               kv.most_similar_cosmul(topn=None, **query), rtol=1e-5)


def test_most_similar_cosmul_with_a_unit_vector_equals_gensims(pair):
    """gensim uses a raw vector's dot product as is, so they agree on unit vectors
    (fastemb normalises any vector; docs/vectors.md)."""
    wv, kv = pair
    unit = kv.get_vector("x4", norm=True) - kv.get_vector("y4", norm=True)
    unit /= np.linalg.norm(unit)
    query = dict(positive=["w9", unit], negative=["y4"])
    same_answers(wv.most_similar_cosmul(**query), kv.most_similar_cosmul(**query),
                 full_scores(kv, "most_similar_cosmul", **query))


def test_similarities_and_distances_equal_gensims(pair):
    wv, kv = pair
    for first, second in (("x0", "y0"), ("twin_a", "twin_b"), ("w3", "W3"), (2, "w5")):
        assert wv.similarity(first, second) == pytest.approx(float(kv.similarity(first, second)), abs=1e-6)
        assert wv.distance(first, second) == pytest.approx(float(kv.distance(first, second)), abs=1e-6)
    for lists in ((["x0", "y1"], ["w2"]), (["x0", "nope"], ["y0", "w4", "w5"]), (["nope"], ["x0"])):
        assert wv.n_similarity(*lists) == pytest.approx(float(kv.n_similarity(*lists)), abs=1e-6)
    for lists in (([], ["x0"]), (["x0"], [])):
        with pytest.raises(ZeroDivisionError):
            kv.n_similarity(*lists)
        with pytest.raises(ZeroDivisionError):
            wv.n_similarity(*lists)
    vector = kv["x1"] + 0.5
    for args in (("x0",), ("x0", ["y0", "w3"]), (vector,), (vector, ["twin_b"])):
        np.testing.assert_allclose(wv.distances(*args), kv.distances(*args), rtol=1e-5, atol=1e-6)
    with pytest.raises(KeyError):
        wv.distances("x0", ["nope"])
    np.testing.assert_allclose(wv.cosine_similarities(vector, kv.vectors[:9]),
                               kv.cosine_similarities(vector, kv.vectors[:9]), rtol=1e-6)


def test_rank_closer_than_and_doesnt_match_equal_gensims(pair):
    wv, kv = pair
    for first, second in (("x0", "y0"), ("x0", "x0"), ("twin_a", "twin_b"), ("w1", "w30"), ("y7", "X1")):
        assert wv.closer_than(first, second) == kv.closer_than(first, second)
        assert wv.words_closer_than(first, second) == kv.words_closer_than(first, second)
        assert wv.rank(first, second) == kv.rank(first, second)
    with pytest.raises(KeyError):
        wv.rank("x0", "nope")
    for words in (["x0", "x1", "x2", "w5"], ["twin_a", "twin_b", "x3"], ["y1", "nope", "x1", "w0"], ["x5"]):
        assert wv.doesnt_match(words) == kv.doesnt_match(words)
    for vectors in (wv, kv):
        with pytest.raises(ValueError):
            vectors.doesnt_match(["nope", "nix"])


@pytest.mark.parametrize("options", [{}, dict(pre_normalize=False), dict(post_normalize=True),
                                     dict(weights=[2.0, -1.0, 0.5]), dict(weights=np.array([1.0, 0.0, 3.0]),
                                                                         pre_normalize=False, post_normalize=True)])
def test_get_mean_vector_equals_gensims(pair, options):
    wv, kv = pair
    for keys in (["x0", "y3", "w9"], ["x0", "nope", 4], ["w2", kv["x2"] * 2, "y2"]):
        np.testing.assert_allclose(wv.get_mean_vector(keys, **options), kv.get_mean_vector(keys, **options),
                                   rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(wv.get_mean_vector(["nope"]), kv.get_mean_vector(["nope"]))
    for vectors in (wv, kv):
        with pytest.raises(KeyError):
            vectors.get_mean_vector(["x0", "nope"], ignore_missing=False)
        with pytest.raises(ValueError):
            vectors.get_mean_vector([])
        with pytest.raises(ValueError):
            vectors.get_mean_vector(["x0", "y0"], weights=[1.0])


# --- changing the rows -------------------------------------------------------------------------

def test_add_vectors_and_setitem_do_what_gensims_do(pair):
    wv, kv = pair
    rng = np.random.default_rng(2)
    wv.most_similar("x0")  # norms cached: they must follow the new rows
    new = rng.standard_normal((3, DIM)).astype(np.float32)
    for vectors in (wv, kv):
        vectors.add_vectors(["new1", "x0", "new2"], new)  # x0 exists: kept
        vectors.add_vectors("new3", new[0] * 2)
        vectors["w0"] = new[1] * -1  # replaced
        vectors[["new1", "new4"]] = new[1:]
    assert wv.index_to_key == kv.index_to_key and wv.key_to_index == kv.key_to_index
    np.testing.assert_array_equal(wv.vectors, kv.vectors)
    assert wv.counts[-4:].tolist() == [0, 0, 0, 0] and len(wv.counts) == len(wv)
    kv.fill_norms(force=True)  # gensim leaves its norms stale after adding; fastemb does not
    for query in ("new1", "w0", "x0"):
        same_answers(wv.most_similar(query), kv.most_similar(query), full_scores(kv, "most_similar", positive=query))
    kv.add_vectors(["x0"], new[:1], replace=True)
    wv.add_vectors(["x0"], new[:1], replace=True)
    np.testing.assert_array_equal(wv["x0"], kv["x0"])


def test_sort_by_descending_frequency_orders_as_gensim(pair):
    wv, _ = pair
    kv = wv.to_gensim()
    wv.most_similar("x0")
    for vectors in (wv, kv):
        vectors.sort_by_descending_frequency()
    assert wv.index_to_key == kv.index_to_key and wv.key_to_index == kv.key_to_index
    np.testing.assert_array_equal(wv.vectors, kv.vectors)
    np.testing.assert_array_equal(wv.counts, kv.expandos["count"])
    same_answers(wv.most_similar("y3"), kv.most_similar("y3"), full_scores(kv, "most_similar", positive="y3"))


def test_sort_without_counts_keeps_a_loaded_files_order_as_gensim(pair, tmp_path):
    wv, _ = pair
    path = tmp_path / "v.txt"
    wv.save_word2vec_format(path)
    loaded, kv = fastemb.WordVectors.load_word2vec_format(path), gensim_models.KeyedVectors.load_word2vec_format(path)
    assert loaded.counts is None
    for vectors in (loaded, kv):
        vectors.sort_by_descending_frequency()
    assert loaded.index_to_key == kv.index_to_key == wv.index_to_key


# --- evaluations, gensim-shaped ----------------------------------------------------------------

@pytest.fixture
def analogy_file(tmp_path):
    lines = [": pairs"] + [f"x{i} y{i} x{j} y{j}" for i in range(8) for j in range(8) if i != j]
    lines += [": mixed", "X1 Y1 x2 y2", "x1 y1 w3 w4", "x0 y0 nope y1", "w1 w2 w3 w4", "Y2 X2 y3 x3", "y1 x1 W3 w3"]
    return write(tmp_path / "analogies.txt", "\n".join(lines) + "\n")


@pytest.mark.parametrize("restrict_vocab", [300_000, 20])
@pytest.mark.parametrize("case_insensitive", [True, False])
@pytest.mark.parametrize("dummy4unknown", [False, True])
def test_evaluate_word_analogies_returns_gensims_answer(pair, analogy_file, restrict_vocab, case_insensitive,
                                                        dummy4unknown):
    wv, kv = pair
    options = dict(restrict_vocab=restrict_vocab, case_insensitive=case_insensitive, dummy4unknown=dummy4unknown)
    ours, theirs = wv.evaluate_word_analogies(analogy_file, **options), kv.evaluate_word_analogies(
        str(analogy_file), **options)
    assert ours[1] == theirs[1]
    assert ours[0] == pytest.approx(theirs[0])
    assert len(theirs[1][0]["correct"]) > 0  # the planted pairs are answered


def test_evaluate_word_analogies_by_3cosmul_counts_as_evaluate_analogies(pair, analogy_file):
    wv, _ = pair
    score, sections = wv.evaluate_word_analogies(analogy_file, similarity_function="most_similar_cosmul")
    rich = wv.evaluate_analogies(analogy_file, restrict_vocab=300_000, method="3cosmul")
    assert [len(s["correct"]) for s in sections[:-1]] == [s["correct"] for s in rich["sections"]]
    assert score == pytest.approx(rich["accuracy"])
    with pytest.raises(ValueError, match="similarity_function"):
        wv.evaluate_word_analogies(analogy_file, similarity_function="wmd")


@pytest.mark.parametrize("case_insensitive", [True, False])
@pytest.mark.parametrize("dummy4unknown", [False, True])
def test_evaluate_word_pairs_returns_gensims_tuple(pair, tmp_path, case_insensitive, dummy4unknown):
    wv, kv = pair
    rng = np.random.default_rng(4)
    lines = [f"{a}\t{b}\t{rng.uniform(0, 10):.2f}" for a, b in zip(wv.index_to_key[:30], wv.index_to_key[25:])]
    lines += ["# a comment", "x1\tnope\t3.5", "X1\tY2\t7", "w3\tW3\t2"]
    path = write(tmp_path / "pairs.tsv", "\n".join(lines) + "\n")
    options = dict(case_insensitive=case_insensitive, dummy4unknown=dummy4unknown)
    (pearson, p_pearson), (spearman, p_spearman), oov = wv.evaluate_word_pairs(path, **options)
    theirs = kv.evaluate_word_pairs(str(path), **options)
    np.testing.assert_allclose([pearson, p_pearson, spearman, p_spearman, oov],
                               [theirs[0][0], theirs[0][1], theirs[1][0], theirs[1][1], theirs[2]], rtol=1e-5)
    result = wv.evaluate_word_pairs(path, **options)
    assert result["spearman"] == pytest.approx(spearman) and result.as_dict()["oov"] == 1
    copied = pickle.loads(pickle.dumps(result))
    assert copied.as_dict() == result.as_dict() and copied[2] == result[2]


# --- files and conversions ---------------------------------------------------------------------

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

