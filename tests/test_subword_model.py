"""Subword models end to end: settings, what Model and wv hold, vectors for unseen
words, a planted corpus of word families, and the command line with --maxn."""
import numpy as np
import pytest

import fastemb
from conftest import run_cli
from fastemb.config import make_settings
from fastemb.subwords import SubwordTable, ngram_buckets
from fastemb.trainer import init_matrices
from fastemb.vectors import SubwordVectors

SUFFIXES = ["", "s", "ed", "ing"]  # the variants trained; "er" is never seen


def family_corpus(path, families=16, sentences=4000, seed=0):
    """Each family has a made-up stem (6 letters) and 8 made-up topic words. A
    sentence mixes words of one family: stem + one of SUFFIXES and topic words.
    Returns the stems."""
    rng = np.random.default_rng(seed)
    letters = list("bcdfgklmnprstvz")
    vowels = list("aeiou")

    def made_up(length):
        return "".join(rng.choice(vowels if k % 2 else letters) for k in range(length))

    stems = [made_up(6) for _ in range(families)]
    topics = [[made_up(5) + "q" for _ in range(8)] for _ in range(families)]
    lines = []
    for _ in range(sentences):
        k = rng.integers(families)
        words = [stems[k] + rng.choice(SUFFIXES) if rng.random() < 0.5 else rng.choice(topics[k])
                 for _ in range(10)]
        lines.append(" ".join(words))
    path.write_text("\n".join(lines) + "\n")
    return stems


@pytest.fixture(scope="module")
def family_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("families") / "families.txt"
    stems = family_corpus(path)
    model = fastemb.Model(dim=32, min_count=3, epochs=5, threads=1, seed=3, maxn=5, buckets=50_000,
                          sample=0).train(path, progress=False)
    return model, stems


def test_settings_validated():
    assert make_settings().maxn == 0  # plain word2vec by default
    assert make_settings(minn=5).minn == 5  # minn alone is fine while subwords are off
    with pytest.raises(ValueError, match="minn=5 must not exceed maxn=4"):
        make_settings(minn=5, maxn=4)
    with pytest.raises(ValueError, match="buckets"):
        make_settings(maxn=6, buckets=0)
    with pytest.raises(ValueError, match="maxn"):
        make_settings(maxn=-1)
    with pytest.raises(ValueError, match="hs=True with subwords"):
        make_settings(maxn=6, hs=True)


def test_plain_model_has_no_bucket_rows(planted_corpus):
    model = fastemb.Model(dim=8, epochs=1, threads=1).train(planted_corpus, progress=False)
    assert model.subwords is None and len(model.w_in) == len(model.vocab)
    assert type(model.wv) is fastemb.WordVectors


def test_model_layout_and_composed_vectors(family_model):
    model, _ = family_model
    vocab_size = len(model.vocab)
    assert model.w_in.shape == (vocab_size + 50_000, 32) and model.w_out.shape == (vocab_size, 32)
    wv = model.wv
    assert isinstance(wv, SubwordVectors) and len(wv) == vocab_size
    table = model.subwords
    for i in (0, vocab_size // 2, vocab_size - 1):
        rows = table.rows_of(i)
        assert rows[0] == i and (rows[1:] >= vocab_size).all()
        np.testing.assert_allclose(wv.vectors[i], model.w_in[rows].mean(axis=0), rtol=1e-5, atol=1e-7)
    assert model.wv is wv  # composed once per trained model


def test_unseen_word_is_the_mean_of_its_ngram_rows(family_model):
    model, _ = family_model
    word = "qqzzyyx"
    assert word not in model.wv
    rows = len(model.vocab) + ngram_buckets(word, 3, 5, 50_000)
    np.testing.assert_allclose(model.wv[word], model.w_in[rows].mean(axis=0), rtol=1e-6)
    assert not model.wv[""].any()  # no n-gram at all: zero vector, as fastText
    with pytest.raises(KeyError):
        fastemb.WordVectors(model.wv.index_to_word, model.wv.vectors)[word]  # plain vectors still refuse


def test_embedding_matrix_builds_unseen_words(family_model):
    model, stems = family_model
    wv = model.wv
    seen, unseen = stems[0] + "ing", stems[0] + "er"
    matrix = wv.embedding_matrix({seen: 1, unseen: 2, "": 3}, oov="mean")
    np.testing.assert_array_equal(matrix[1], wv[seen])
    np.testing.assert_allclose(matrix[2], wv[unseen], rtol=1e-6)
    np.testing.assert_allclose(matrix[3], wv.vectors.mean(axis=0), rtol=1e-5)  # no n-gram: the oov fill
    assert not matrix[0].any()


def test_family_members_are_close_and_an_unseen_variant_finds_its_family(family_model):
    model, stems = family_model
    wv = model.wv
    hits = 0
    for k, stem in enumerate(stems):
        family = {stem + suffix for suffix in SUFFIXES}
        others = [other + "ed" for j, other in enumerate(stems) if j != k]
        inside = wv.similarity(stem + "ed", stem + "ing")
        assert inside > max(wv.similarity(stem + "ing", other) for other in others)
        unseen = stem + "er"
        assert unseen not in wv
        nearest = [word for word, _ in wv.most_similar(unseen, topn=3)]
        hits += bool(family & set(nearest))
    assert hits >= len(stems) - 1  # an unseen variant lands beside its relatives


def test_saved_file_holds_the_composed_vectors(family_model, tmp_path):
    model, _ = family_model
    model.wv.save(tmp_path / "v.txt")
    loaded = fastemb.load(tmp_path / "v.txt")
    assert loaded.index_to_word == model.wv.index_to_word
    np.testing.assert_array_equal(loaded.vectors, model.wv.vectors)


def test_one_thread_and_a_seed_repeat_exactly(tmp_path):
    path = tmp_path / "c.txt"
    family_corpus(path, families=4, sentences=300)
    runs = [fastemb.Model(dim=8, min_count=1, epochs=1, threads=1, maxn=4, buckets=1000, model=model)
            .train(path, progress=False) for model in ("skipgram", "skipgram", "cbow")]
    np.testing.assert_array_equal(runs[0].w_in, runs[1].w_in)
    assert not np.array_equal(runs[0].w_in, runs[2].w_in)
    vocab_size = len(runs[0].vocab)
    start, _ = init_matrices(vocab_size, make_settings(dim=8, seed=1, maxn=4, buckets=1000))
    moved = np.any(runs[0].w_in != start, axis=1)
    assert moved[vocab_size:].sum() > 100  # bucket rows were trained


def test_cli_trains_with_maxn(tmp_path):
    path = tmp_path / "c.txt"
    family_corpus(path, families=4, sentences=300)
    out = tmp_path / "v.txt"
    r = run_cli("train", path, "-o", out, "--maxn", 5, "--minn", 2, "--buckets", 5000, "--dim", 12,
                "--min-count", 1, "--threads", 1, "--epochs", 1, "--quiet")
    assert r.returncode == 0, r.stderr
    wv = fastemb.load(out)
    assert wv.dim == 12 and "words_per_second=" in r.stderr
    table = SubwordTable.build(wv.index_to_word, 2, 5, 5000)
    assert len(table.rows) > 3 * len(wv)  # these words do have n-grams to train


def test_cli_rejects_hs_with_subwords(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b c\n")
    r = run_cli("train", path, "-o", tmp_path / "v.txt", "--maxn", 6, "--hs")
    assert r.returncode == 2 and "hs=True with subwords" in r.stderr
    assert not (tmp_path / "v.txt").exists()


def test_cli_rejects_minn_above_maxn(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b c\n")
    r = run_cli("train", path, "-o", tmp_path / "v.txt", "--minn", 5, "--maxn", 3)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "minn=5" in r.stderr


def test_saved_model_keeps_vectors_for_unseen_words(family_model, tmp_path):
    model, stems = family_model
    model.save_model(tmp_path / "m.npz")
    loaded = fastemb.load_model(tmp_path / "m.npz")
    assert (loaded.settings.minn, loaded.settings.maxn, loaded.settings.buckets) == (3, 5, 50_000)
    assert loaded.w_in.shape == model.w_in.shape
    unseen = stems[0] + "er"
    assert isinstance(loaded.wv, SubwordVectors) and unseen not in loaded.wv
    np.testing.assert_array_equal(loaded.wv[unseen], model.wv[unseen])
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)


def test_query_commands_read_a_model_file_and_answer_for_unseen_words(family_model, tmp_path):
    model, stems = family_model
    model.save_model(tmp_path / "m.npz")
    unseen = stems[0] + "er"
    result = run_cli("similar", tmp_path / "m.npz", unseen, "--topn", 3)
    assert result.returncode == 0, result.stderr
    nearest = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    assert nearest == [word for word, _ in model.wv.most_similar(unseen, topn=3)]
    assert any(word.startswith(stems[0]) for word in nearest)
    result = run_cli("similar", tmp_path / "m.npz", unseen, "--limit", 10)
    assert result.returncode == 2 and "is a model file, which is read whole" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_train_more_with_new_words_keeps_bucket_rows_in_place(tmp_path):
    """New words' rows go in after the old words' and before the buckets, so
    bucket b stays at row V + b: buckets no n-gram of the new text uses keep
    their values, and the new word's vector is the mean of its rows."""
    path = tmp_path / "c.txt"
    family_corpus(path, families=4, sentences=300)
    model = fastemb.Model(dim=8, min_count=1, epochs=1, threads=1, maxn=4, buckets=1000, sample=0)
    model.train(path, progress=False)
    before = len(model.vocab)
    buckets_before = model.w_in[before:].copy()
    more = tmp_path / "more.txt"
    more.write_text("zzqqxy zzqqxy zzqqxy\n" * 3)
    model.train_more(more, update_vocab=True, epochs=1, progress=False)
    after = len(model.vocab)
    assert after == before + 1 and model.w_in.shape == (after + 1000, 8)
    new_rows = model.subwords.rows_of(after - 1)
    assert new_rows[0] == after - 1 and (new_rows[1:] >= after).all()
    untouched = np.setdiff1d(np.arange(1000), new_rows[1:] - after)
    np.testing.assert_array_equal(model.w_in[after:][untouched], buckets_before[untouched])
    assert not np.array_equal(model.w_in[after:][new_rows[1:] - after], buckets_before[new_rows[1:] - after])
    np.testing.assert_allclose(model.wv["zzqqxy"], model.w_in[new_rows].mean(axis=0), rtol=1e-6)


def test_cli_saves_a_subword_model(tmp_path):
    path = tmp_path / "c.txt"
    family_corpus(path, families=4, sentences=300)
    r = run_cli("train", path, "-o", tmp_path / "v.txt", "--save-model", tmp_path / "m.npz", "--maxn", 4,
                "--buckets", 2000, "--dim", 8, "--min-count", 1, "--threads", 1, "--epochs", 1, "--quiet")
    assert r.returncode == 0, r.stderr
    model = fastemb.load_model(tmp_path / "m.npz")
    assert model.settings.maxn == 4 and len(model.w_in) == len(model.vocab) + 2000
    assert model.wv["neverseenword"].any()


def test_subword_run_resumes_to_the_uninterrupted_result(planted_corpus, tmp_path, monkeypatch):
    from test_continue import SMALL, interrupted_run

    settings = dict(SMALL, epochs=10, maxn=5, buckets=5000)
    whole = fastemb.Model(**settings).train(planted_corpus, progress=False)
    checkpoint = tmp_path / "run.npz"
    interrupted_run(planted_corpus, checkpoint, monkeypatch, **settings)
    resumed = fastemb.resume(checkpoint, planted_corpus, progress=False)
    np.testing.assert_array_equal(resumed.w_in, whole.w_in)
    np.testing.assert_array_equal(resumed.w_out, whole.w_out)
    np.testing.assert_array_equal(resumed.wv["unseenword"], whole.wv["unseenword"])
