"""WordVectors: lookups, nearest words (3CosAdd, 3CosMul) against plain references and
gensim, the embedding matrix for Keras / PyTorch, and the similar / analogy commands."""
import logging

import numpy as np
import pytest

import fastemb
from conftest import run_cli
from fastemb import cli


@pytest.fixture
def random_wv():
    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(300)]
    return fastemb.WordVectors(words, rng.standard_normal((300, 16)).astype(np.float32))


@pytest.fixture
def royal(tmp_path):
    """Four words of equal length where king - man + woman is exactly queen
    (man = u + g, woman = u - g, king = v + g, queen = v - g), and a stray word."""
    words = ["man", "woman", "king", "queen", "apple"]
    vectors = np.array([[1, 0, 1], [1, 0, -1], [0, 1, 1], [0, 1, -1], [-1, -1, -1]], np.float32)
    wv = fastemb.WordVectors(words, vectors)
    wv.save(tmp_path / "royal.txt")
    return wv


def reference_nearest(wv, positive, negative, topn, restrict_vocab=None):
    """A plain loop over the vocabulary: cosine to the sum of the unit vectors."""
    unit = lambda v: v / np.linalg.norm(v)  # noqa: E731
    query = sum(unit(wv[w].astype(np.float64)) for w in positive) - sum(
        (unit(wv[w].astype(np.float64)) for w in negative), np.zeros(wv.dim))
    scored = [(word, float(unit(wv[word].astype(np.float64)) @ unit(query)))
              for word in wv.index_to_word[:restrict_vocab] if word not in positive + negative]
    return sorted(scored, key=lambda pair: -pair[1])[:topn]


def test_lookups(royal):
    assert len(royal) == 5 and "king" in royal and "King" not in royal
    assert list(royal) == royal.index_to_word == ["man", "woman", "king", "queen", "apple"]
    np.testing.assert_array_equal(royal["king"], [0, 1, 1])
    np.testing.assert_array_equal(royal[["man", "queen"]], [[1, 0, 1], [0, 1, -1]])
    assert royal.vectors.dtype == np.float32 and royal.dim == 3
    assert royal.unit_vectors is royal.unit_vectors  # computed once
    np.testing.assert_allclose(np.linalg.norm(royal.unit_vectors, axis=1), 1, rtol=1e-6)
    assert royal.similarity("king", "man") == pytest.approx(0.5)
    assert repr(royal) == "WordVectors(5 words x 3 dimensions)"


def test_unknown_words_and_empty_queries_are_clear(royal):
    with pytest.raises(KeyError, match=r"word 'kingdom' is not in the vocabulary \(5 words\)"):
        royal["kingdom"]
    with pytest.raises(KeyError, match=r"'King' is not in the vocabulary .*did you mean 'king'\?"):
        royal.most_similar("King")
    with pytest.raises(KeyError, match="'prince'"):
        royal.similarity("king", "prince")
    with pytest.raises(ValueError, match="the query is empty"):
        royal.most_similar([])
    with pytest.raises(ValueError, match="without a positive word"):
        royal.most_similar_cosmul()
    with pytest.raises(ValueError, match="topn=2.5"):
        royal.most_similar("king", topn=2.5)
    with pytest.raises(ValueError, match="restrict_vocab=-1"):
        royal.most_similar("king", restrict_vocab=-1)
    # as gensim: topn below 1 is an empty answer, restrict_vocab 0 means every word (tests/test_keyed.py)
    assert royal.most_similar("king", topn=0) == []
    assert len(royal.most_similar("king", restrict_vocab=0)) == 4


def test_analogy_by_3cosadd_and_3cosmul(royal):
    assert royal.most_similar(positive=["king", "woman"], negative=["man"], topn=1)[0][0] == "queen"
    assert royal.most_similar(positive=["king", "woman"], negative="man", topn=1)[0][1] == pytest.approx(1.0)
    assert royal.most_similar_cosmul(positive=["king", "woman"], negative=["man"], topn=1)[0][0] == "queen"
    answers = royal.most_similar(positive=["king", "woman"], negative=["man"], topn=10)
    assert [word for word, _ in answers] == ["queen", "apple"]  # query words are left out
    assert royal.most_similar("man", topn=2, restrict_vocab=3) == [("king", pytest.approx(0.5)), ("woman", 0.0)]


def test_most_similar_equals_a_plain_loop(random_wv):
    for positive, negative in ([["w3"], []], [["w10", "w20"], ["w30"]], [[], ["w7"]]):
        ours = random_wv.most_similar(positive, negative, topn=7)
        expected = reference_nearest(random_wv, positive, negative, 7)
        assert [w for w, _ in ours] == [w for w, _ in expected]
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in expected], atol=1e-5)
    ours = random_wv.most_similar("w250", topn=5, restrict_vocab=100)
    assert [w for w, _ in ours] == [w for w, _ in reference_nearest(random_wv, ["w250"], [], 5, 100)]
    assert len(random_wv.most_similar("w1", topn=1000)) == 299


def test_similar_by_vector(random_wv):
    answers = random_wv.similar_by_vector(random_wv["w42"] * 3, topn=3)
    assert answers[0] == ("w42", pytest.approx(1.0))
    with pytest.raises(ValueError, match="16 dimensions"):
        random_wv.similar_by_vector(np.zeros(5))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # gensim's own init_sims
def test_queries_equal_gensim(random_wv):
    gensim_models = pytest.importorskip("gensim.models")
    kv = gensim_models.KeyedVectors(vector_size=random_wv.dim)
    kv.add_vectors(random_wv.index_to_word, random_wv.vectors)
    query = dict(positive=["w10", "w20"], negative=["w30"], topn=10)
    for ours, theirs in ((random_wv.most_similar(**query), kv.most_similar(**query)),
                         (random_wv.most_similar_cosmul(**query), kv.most_similar_cosmul(**query)),
                         (random_wv.most_similar("w5", restrict_vocab=50), kv.most_similar("w5", restrict_vocab=50))):
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], rtol=1e-5)


def test_a_repeated_word_looks_up_its_first_row(caplog):
    with caplog.at_level(logging.WARNING, logger="fastemb"):
        wv = fastemb.WordVectors(["a", "b", "a"], np.eye(3, dtype=np.float32))
    assert wv.index("a") == 0 and len(wv) == 3
    assert "1 rows repeat an earlier word" in caplog.text


# --- embedding matrix ---------------------------------------------------------------------------

KERAS_WORD_INDEX = {"king": 1, "queen": 2, "unicorn": 3, "man": 4}  # as Tokenizer.word_index: ids from 1


def test_embedding_matrix_rows_follow_the_word_index(royal, caplog):
    with caplog.at_level(logging.INFO, logger="fastemb"):
        matrix = royal.embedding_matrix(KERAS_WORD_INDEX)
    assert matrix.shape == (5, 3) and matrix.dtype == np.float32
    np.testing.assert_array_equal(matrix[0], 0)  # padding
    np.testing.assert_array_equal(matrix[[1, 2, 4]], royal[["king", "queen", "man"]])
    np.testing.assert_array_equal(matrix[3], 0)  # unicorn has no vector
    assert "3 of 4 words have a vector, 1 do not (zeros)" in caplog.text


def test_embedding_matrix_fills_missing_words_as_asked(royal):
    mean = royal.embedding_matrix(KERAS_WORD_INDEX, oov="mean", dtype=np.float64)
    assert mean.dtype == np.float64
    np.testing.assert_allclose(mean[3], royal.vectors.mean(axis=0), rtol=1e-6)
    np.testing.assert_array_equal(mean[0], 0)
    first = royal.embedding_matrix(KERAS_WORD_INDEX, oov="random", seed=7)
    again = royal.embedding_matrix(KERAS_WORD_INDEX, oov="random", seed=7)
    np.testing.assert_array_equal(first, again)
    assert np.all(first[3] != 0) and np.all(first[0] == 0)
    with pytest.raises(ValueError, match="oov='unknown': use one of zeros, random, mean"):
        royal.embedding_matrix(KERAS_WORD_INDEX, oov="unknown")


def test_embedding_matrix_from_a_list_and_with_num_words(royal):
    matrix = royal.embedding_matrix(["<pad>", "queen", "king"])
    np.testing.assert_array_equal(matrix, np.vstack([np.zeros(3), royal["queen"], royal["king"]]))
    assert royal.embedding_matrix(KERAS_WORD_INDEX, num_words=3).shape == (3, 3)
    with pytest.raises(ValueError, match=r"word_index\['king'\] = -1"):
        royal.embedding_matrix({"king": -1})
    with pytest.raises(ValueError, match="num_words=0"):
        royal.embedding_matrix(KERAS_WORD_INDEX, num_words=0)


def test_embedding_matrix_initialises_a_trainable_pytorch_embedding(royal):
    torch = pytest.importorskip("torch")
    matrix = royal.embedding_matrix(KERAS_WORD_INDEX)
    embedding = torch.nn.Embedding.from_pretrained(torch.from_numpy(matrix), freeze=False, padding_idx=0)
    batch = torch.tensor([[1, 2, 0], [4, 3, 0]])
    out = embedding(batch)
    assert out.shape == (2, 3, 3) and out.dtype == torch.float32
    np.testing.assert_array_equal(out[0, 0].detach().numpy(), royal["king"])
    # one optimiser step moves the pretrained rows that were used, and not the padding row
    optimiser = torch.optim.SGD(embedding.parameters(), lr=0.1)
    out.sum().backward()
    optimiser.step()
    weights = embedding.weight.detach().numpy()
    np.testing.assert_allclose(weights[1], royal["king"] - 0.1)
    np.testing.assert_array_equal(weights[0], 0)


# --- the similar and analogy commands ----------------------------------------------------------

def test_similar_command_prints_an_aligned_table(royal, tmp_path):
    result = run_cli("similar", tmp_path / "royal.txt", "king", "--topn", 2)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["word   cosine", "man    0.5000", "queen  0.0000"]
    assert "fastemb: loaded" in result.stderr and "the query took" in result.stderr


def test_similar_command_with_several_words(royal, tmp_path, capsys):
    assert cli.main(["similar", str(tmp_path / "royal.txt"), "king", "man", "--topn", "1", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["nearest to king:", "word  cosine", "man   0.5000", "", "nearest to man:",
                                "word  cosine", "king  0.5000"]
    assert err == ""


def test_analogy_command(royal, tmp_path, capsys):
    assert cli.main(["analogy", str(tmp_path / "royal.txt"), "man", "king", "woman", "--topn", "1"]) == 0
    assert capsys.readouterr().out.splitlines() == ["man is to king as woman is to:", "word   cosine",
                                                    "queen  1.0000"]
    assert cli.main(["analogy", str(tmp_path / "royal.txt"), "man", "king", "woman", "--method", "3cosmul",
                     "--topn", "1", "--quiet"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["word   3cosmul", "queen   1.5000"]  # 0.5 * 0.75 / 0.25


# Scores that round to zero: -1e-9 is what float32 gives on some machines for the cosine of
# orthogonal vectors (king and queen above), so the scores are planted to make every machine see it.
NEAR_ZERO = [("queen", -1e-9), ("apple", -0.00006), ("man", -0.00004)]
NEAR_ZERO_TABLE = ["word    cosine", "queen   0.0000", "apple  -0.0001", "man     0.0000"]


@pytest.mark.parametrize("command", [["similar", "king"], ["analogy", "man", "king", "woman"]])
def test_scores_rounding_to_zero_print_without_a_sign(royal, tmp_path, capsys, monkeypatch, command):
    monkeypatch.setattr(fastemb.WordVectors, "most_similar", lambda *args, **kwargs: NEAR_ZERO)
    assert cli.main([command[0], str(tmp_path / "royal.txt"), *command[1:], "--quiet"]) == 0
    assert capsys.readouterr().out.splitlines()[-4:] == NEAR_ZERO_TABLE


def test_correlations_rounding_to_zero_print_without_a_sign(royal, tmp_path, capsys, monkeypatch):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("king\tqueen\t1\nman\twoman\t2\n")
    monkeypatch.setattr(fastemb.WordVectors, "evaluate_word_pairs", lambda *args, **kwargs: dict(
        spearman=-1e-9, pearson=-0.00004, pairs=2, oov=0, coverage=1.0, restrict_vocab=5))
    assert cli.main(["eval", str(tmp_path / "royal.txt"), "--pairs", str(pairs), "--quiet"]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert row.split() == [str(pairs), "0.0000", "0.0000", "2", "0"] and len(row) == len(header)


@pytest.mark.parametrize("args,message", [
    (["similar", "{vectors}", "unicorn"], "fastemb: error: word 'unicorn' is not in the vocabulary (5 words)"),
    (["analogy", "{vectors}", "Man", "king", "woman"], "word 'Man' is not in the vocabulary (5 words); "
                                                       "did you mean 'man'?"),
    (["similar", "{tmp}/missing.txt", "king"], "missing.txt: no such vectors file"),
    (["similar", "{vectors}", "king", "--topn", "0"], "topn=0: give the number of words to return"),
    (["similar", "{vectors}", "king", "--limit", "0"], "limit=0: give the number of rows to read"),
])
def test_command_errors_are_one_line(royal, tmp_path, args, message):
    args = [a.format(vectors=tmp_path / "royal.txt", tmp=tmp_path) for a in args]
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
