"""wv.keras_embedding and wv.torch_embedding: ready layers holding the vectors.

Each framework's tests skip when it is not installed (extras keras, torch);
CI installs both. Keras runs on PyTorch (KERAS_BACKEND=torch), with its
config file written under pytest's temporary directory.
"""
import logging
import sys

import numpy as np
import pytest

import fastemb

WORD_INDEX = {"king": 1, "queen": 2, "unicorn": 3, "man": 4}  # as Keras's Tokenizer.word_index: ids from 1


@pytest.fixture
def wv():
    words = ["man", "woman", "king", "queen", "apple"]
    vectors = np.arange(15, dtype=np.float32).reshape(5, 3) / 10 + 1
    return fastemb.WordVectors(words, vectors)


@pytest.fixture
def subword_wv():
    """Vocabulary vectors plus n-gram buckets: unseen words get vectors, "x" (shorter than minn - 2) none."""
    rng = np.random.default_rng(3)
    return fastemb.SubwordVectors(["king", "queen"], rng.normal(size=(2, 4)).astype(np.float32),
                                  rng.normal(size=(50, 4)).astype(np.float32), minn=4, maxn=5)


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def weights(layer) -> np.ndarray:
    return np.array(layer.get_weights()[0]) if hasattr(layer, "get_weights") else layer.weight.detach().numpy()


# --- both frameworks ---------------------------------------------------------------------------

@pytest.mark.parametrize("framework", ["keras", "torch"])
def test_layer_rows_are_the_vectors_and_row_0_is_padding(framework, wv, request, caplog):
    request.getfixturevalue(framework)
    make = wv.keras_embedding if framework == "keras" else wv.torch_embedding
    with caplog.at_level(logging.INFO, logger="fastemb"):
        layer = make(WORD_INDEX)
    matrix = weights(layer)
    assert matrix.shape == (5, 3) and matrix.dtype == np.float32
    np.testing.assert_array_equal(matrix[[1, 2, 4]], wv[["king", "queen", "man"]])
    np.testing.assert_array_equal(matrix[0], 0)  # padding
    np.testing.assert_array_equal(matrix[3], 0)  # unicorn: no vector, oov="zeros"
    assert layer.coverage.words == 4 and layer.coverage.found == 3 and layer.coverage.missing == ("unicorn",)
    assert f"{framework}_embedding: 5 x 3, frozen; 3 of 4 words have a vector, 1 do not (zeros)" in caplog.text


@pytest.mark.parametrize("framework", ["keras", "torch"])
def test_unseen_words_get_their_ngram_vectors(framework, subword_wv, request):
    request.getfixturevalue(framework)
    make = subword_wv.keras_embedding if framework == "keras" else subword_wv.torch_embedding
    layer = make({"king": 1, "kingdoms": 2, "x": 3}, oov="mean")
    matrix = weights(layer)
    np.testing.assert_allclose(matrix[1], subword_wv["king"])
    np.testing.assert_allclose(matrix[2], subword_wv["kingdoms"], rtol=1e-6)  # built from n-grams
    np.testing.assert_allclose(matrix[3], subword_wv.vectors.mean(axis=0), rtol=1e-6)  # "x" has no n-gram
    assert layer.coverage.from_ngrams == ("kingdoms",) and layer.coverage.missing == ("x",)
    assert str(layer.coverage) == "2 of 3 words have a vector (1 built from n-grams), 1 do not (mean)"


@pytest.mark.parametrize("framework", ["keras", "torch"])
def test_a_pad_token_at_id_0_keeps_a_zero_row(framework, wv, request, caplog):
    request.getfixturevalue(framework)
    make = wv.keras_embedding if framework == "keras" else wv.torch_embedding
    layer = make(["<pad>", "queen", "king"])  # a list: ids in order, "<pad>" at 0
    np.testing.assert_array_equal(weights(layer), np.vstack([np.zeros(3), wv["queen"], wv["king"]]))
    assert layer.coverage.words == 2
    with caplog.at_level(logging.WARNING, logger="fastemb"):
        layer = make(["man", "queen"])  # a real word at the padding row: a mistake, said so
    np.testing.assert_array_equal(weights(layer)[0], 0)
    assert "the word 'man' has id 0, the padding row, which stays zeros" in caplog.text


@pytest.mark.parametrize("module, call, extra", [("keras", "keras_embedding", "keras"),
                                                 ("torch", "torch_embedding", "torch")])
def test_a_missing_framework_is_one_line_naming_the_extra(module, call, extra, wv, monkeypatch):
    monkeypatch.setitem(sys.modules, module, None)  # import fails as when not installed
    with pytest.raises(ImportError, match=rf'^{call} needs .*: pip install "fastemb\[{extra}\]"$') as error:
        getattr(wv, call)(WORD_INDEX)
    assert error.value.name == module  # the docs' examples skip on a missing optional module by this name


def test_bad_arguments_are_named(wv):
    with pytest.raises(ValueError, match="oov='nothing': use one of zeros, random, mean"):
        wv.embedding_matrix(WORD_INDEX, oov="nothing")
    with pytest.raises(ValueError, match=r"word_index\['king'\] = 1.5"):
        wv.embedding_matrix({"king": 1.5})


def test_bad_padding_idx_is_named(wv, torch):
    with pytest.raises(ValueError, match="padding_idx=-1: give a row number"):
        wv.torch_embedding(WORD_INDEX, padding_idx=-1)
    with pytest.raises(ValueError, match=r"padding_idx=7: the matrix has 3 rows \(num_words=3\)"):
        wv.torch_embedding(WORD_INDEX, padding_idx=7, num_words=3)


# --- Keras -------------------------------------------------------------------------------------

def keras_step(keras, layer, ids, labels):
    """One SGD step of embedding -> masked mean -> linear; returns the embedding's rows after it."""
    model = keras.Sequential([keras.Input((ids.shape[1],), dtype="int32"), layer,
                              keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.train_on_batch(ids, labels)
    return weights(layer)


def test_keras_frozen_layer_stays_and_trainable_layer_learns(keras, wv):
    ids, labels = np.array([[1, 2, 0], [4, 0, 0]]), np.array([0, 1])
    frozen = wv.keras_embedding(WORD_INDEX)
    assert not frozen.trainable and frozen.trainable_weights == []
    np.testing.assert_array_equal(keras_step(keras, frozen, ids, labels), wv.embedding_matrix(WORD_INDEX))
    tuned = wv.keras_embedding(WORD_INDEX, trainable=True)
    after = keras_step(keras, tuned, ids, labels)
    before = wv.embedding_matrix(WORD_INDEX)
    assert all(np.abs(after[i] - before[i]).max() > 1e-4 for i in (1, 2, 4))  # the rows the batch used
    np.testing.assert_array_equal(after[[0, 3]], before[[0, 3]])  # padding (masked) and unused rows


def test_keras_mask_zero_masks_padding(keras, wv):
    layer = wv.keras_embedding(WORD_INDEX)
    ids = np.array([[1, 2, 0, 0], [4, 0, 0, 0]])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer.compute_mask(ids)), ids != 0)
    pooled = keras.Sequential([keras.Input((4,), dtype="int32"), layer, keras.layers.GlobalAveragePooling1D()])
    means = keras.ops.convert_to_numpy(pooled(ids))
    np.testing.assert_allclose(means, [wv[["king", "queen"]].mean(axis=0), wv["man"]], rtol=1e-6)
    unmasked = wv.keras_embedding(WORD_INDEX, mask_zero=False)
    assert unmasked.compute_mask(ids) is None


# --- PyTorch -----------------------------------------------------------------------------------

def torch_step(torch, layer, ids, labels):
    """One SGD step of embedding -> mean -> linear; returns the embedding's rows after it."""
    torch.manual_seed(0)
    linear = torch.nn.Linear(layer.embedding_dim, 2)
    parameters = [p for p in (*layer.parameters(), *linear.parameters()) if p.requires_grad]
    optimiser = torch.optim.SGD(parameters, lr=0.5)
    ids = torch.as_tensor(ids)
    loss = torch.nn.functional.cross_entropy(linear(layer(ids).mean(dim=1)), torch.as_tensor(labels))
    loss.backward()
    optimiser.step()
    return weights(layer)


def test_torch_frozen_layer_stays_and_trainable_layer_learns(torch, wv):
    ids, labels = np.array([[1, 2, 0], [4, 0, 0]]), np.array([0, 1])
    before = wv.embedding_matrix(WORD_INDEX)
    frozen = wv.torch_embedding(WORD_INDEX)
    assert not frozen.weight.requires_grad and frozen.padding_idx == 0
    np.testing.assert_array_equal(torch_step(torch, frozen, ids, labels), before)
    tuned = wv.torch_embedding(WORD_INDEX, freeze=False)
    after = torch_step(torch, tuned, ids, labels)
    assert all(np.abs(after[i] - before[i]).max() > 1e-4 for i in (1, 2, 4))
    np.testing.assert_array_equal(after[[0, 3]], before[[0, 3]])  # padding_idx gets no gradient; 3 unused


def test_torch_without_padding_keeps_row_0_a_word(torch, wv):
    layer = wv.torch_embedding(["man", "queen"], padding_idx=None)
    assert layer.padding_idx is None
    np.testing.assert_array_equal(weights(layer), wv[["man", "queen"]])
