"""End-to-end training: planted structure recovered, threads, determinism, divergence."""
import numpy as np
import pytest

import fastemb
from fastemb.config import make_settings
from fastemb import demo
from fastemb.errors import TrainingDiverged


def train(path, backend, **settings):
    settings = {"dim": 30, "epochs": 5, "threads": 1, "seed": 1, "backend": backend, **settings}
    return fastemb.Model(**settings).train(path, progress=False)


METHODS = [("skipgram", "batched"), ("skipgram", "classic"), ("cbow", "batched")]


OUTPUTS = {"negative": {}, "hs": {"hs": True, "negative": 0}, "hs+negative": {"hs": True}}


@pytest.mark.parametrize("model,kernel", METHODS)
@pytest.mark.parametrize("output", OUTPUTS.values(), ids=OUTPUTS.keys())
def test_planted_analogies_are_recovered(planted_corpus, backend, model, kernel, output):
    result = demo.score(train(planted_corpus, backend, model=model, kernel=kernel, **output).wv)
    assert result.analogies_right >= 0.9 * result.analogies_total


@pytest.mark.parametrize("kernel", ["batched", "classic"])
def test_skipgram_puts_pair_partners_nearest(planted_corpus, backend, kernel):
    result = demo.score(train(planted_corpus, backend, kernel=kernel).wv)
    assert result.partners_right >= 0.9 * result.partners_total


def test_two_threads_reach_the_quality_of_one(planted_corpus, backend):
    one = demo.score(train(planted_corpus, backend, threads=1).wv)
    two = demo.score(train(planted_corpus, backend, threads=2).wv)
    assert two.analogies_right >= one.analogies_right - 0.05 * one.analogies_total
    assert two.partners_right >= one.partners_right - 2


@pytest.mark.parametrize("model,kernel", METHODS)
def test_one_thread_and_a_seed_are_reproducible(planted_corpus, backend, model, kernel):
    first = train(planted_corpus, backend, model=model, kernel=kernel, epochs=1)
    second = train(planted_corpus, backend, model=model, kernel=kernel, epochs=1)
    other_seed = train(planted_corpus, backend, model=model, kernel=kernel, epochs=1, seed=2)
    np.testing.assert_array_equal(first.w_in, second.w_in)
    np.testing.assert_array_equal(first.w_out, second.w_out)
    assert not np.array_equal(first.w_in, other_seed.w_in)


def test_backends_agree(planted_corpus):
    """Same draws, same algorithm: the two backends differ only by float rounding."""
    if not fastemb._backend.cython_available():
        pytest.skip("the Cython extension is not built")
    cython = train(planted_corpus, "cython", epochs=1)
    numba = train(planted_corpus, "numba", epochs=1)
    np.testing.assert_allclose(cython.w_in, numba.w_in, atol=1e-3)


def test_divergence_is_reported_and_nothing_returned(planted_corpus, backend):
    with pytest.raises(TrainingDiverged, match="lower --alpha"):
        train(planted_corpus, backend, alpha=10.0, min_alpha=10.0, sample=0)


def test_vectors_are_in_frequency_order_and_usable(planted_corpus, tmp_path, backend):
    model = train(planted_corpus, backend, epochs=1)
    wv = model.wv
    assert list(model.vocab.counts) == sorted(model.vocab.counts, reverse=True)
    assert wv["king"].dtype == np.float32 and wv["king"].shape == (30,)
    assert "king" in wv and "emperor" not in wv and len(wv) == len(model.vocab)
    with pytest.raises(KeyError, match="emperor"):
        wv["emperor"]
    assert model.stats.words == 180_000  # corpus words x 1 epoch


def test_train_shortcut_and_initialisation(planted_corpus, backend):
    wv = fastemb.train(planted_corpus, progress=False, dim=10, epochs=1, threads=1, backend=backend)
    assert isinstance(wv, fastemb.WordVectors) and wv.dim == 10
    start_in, start_out = fastemb.trainer.init_matrices(1000, make_settings(dim=50, seed=3))
    assert np.all(np.abs(start_in) <= 0.5 / 50) and start_in.std() > 0.2 / 50
    assert not start_out.any() and start_out.shape == (1000, 50)
    # hierarchical softmax adds a row per inner node of the Huffman tree (vocabulary - 1)
    assert fastemb.trainer.init_matrices(1000, make_settings(dim=50, hs=True))[1].shape == (1999, 50)
    assert fastemb.trainer.init_matrices(1000, make_settings(dim=50, hs=True, negative=0))[1].shape == (999, 50)


def test_the_progress_bar_shows_no_loss_before_one_is_known(capsys, monkeypatch):
    from fastemb.trainer import _Progress

    monkeypatch.setenv("TQDM_DELAY", "0")  # draw at once, however quick
    bar = _Progress(total=100, progress=True)
    bar.draw(0.025, float("nan"))
    first = capsys.readouterr().err.split("\r")[-1]
    assert "lr=0.02500" in first and "loss" not in first
    bar.draw(0.02, 1.5)
    last = capsys.readouterr().err.split("\r")[-1]
    assert "lr=0.02000" in last and "loss=1.5000" in last
    bar.close()
