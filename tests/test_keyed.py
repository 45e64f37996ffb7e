"""gensim 4's KeyedVectors API on WordVectors, checked against gensim itself: a
gensim KeyedVectors is built from the same words and matrix, and every method
must give gensim's answer (to float tolerance), edge cases included.
tests/test_gensim_conversion.py checks the files and conversions."""
import pickle

import numpy as np
import pytest

import fastemb
from conftest import write
from keyed_reference import DIM, full_scores, make_pair, same_answers

gensim_models = pytest.importorskip("gensim.models")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # gensim's words_closer_than

@pytest.fixture
def pair():
    """(fastemb WordVectors, gensim KeyedVectors) of the same words and matrix."""
    return make_pair()


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
