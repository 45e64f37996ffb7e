"""word2vec text/binary files: round trips, other readers, atomic writes, strict loading."""
import os

import numpy as np
import pytest

import fastemb
from conftest import write
from fastemb import formats
from fastemb.errors import VectorsFormatError


@pytest.fixture
def vectors():
    rng = np.random.default_rng(0)
    words = ["the", "of", "naïve", "köln", "x"]
    return words, (rng.standard_normal((len(words), 7)) * [1, 1e-3, 1e3, 1, 1, 1, 1e-7]).astype(np.float32)


@pytest.mark.parametrize("binary", [False, True])
def test_round_trip_is_exact(tmp_path, vectors, binary):
    words, matrix = vectors
    path = tmp_path / "v.bin"
    fastemb.WordVectors(words, matrix).save(path, binary=binary)
    loaded = fastemb.load(path)
    assert loaded.index_to_word == words
    np.testing.assert_array_equal(loaded.vectors, matrix)
    assert fastemb.load(path, limit=2).index_to_word == words[:2]


@pytest.mark.parametrize("binary", [False, True])
def test_gensim_reads_our_files(tmp_path, vectors, binary):
    gensim_models = pytest.importorskip("gensim.models")
    words, matrix = vectors
    path = tmp_path / "v.out"
    formats.write_vectors(path, words, matrix, binary=binary)
    kv = gensim_models.KeyedVectors.load_word2vec_format(str(path), binary=binary)
    assert list(kv.index_to_key) == words
    np.testing.assert_allclose(kv.vectors, matrix, rtol=1e-6)


@pytest.mark.parametrize("binary", [False, True])
def test_we_read_gensim_files(tmp_path, vectors, binary):
    gensim_models = pytest.importorskip("gensim.models")
    words, matrix = vectors
    kv = gensim_models.KeyedVectors(vector_size=matrix.shape[1])
    kv.add_vectors(words, matrix)
    path = tmp_path / "g.out"
    kv.save_word2vec_format(str(path), binary=binary)
    loaded = fastemb.load(path)
    assert loaded.index_to_word == words
    np.testing.assert_allclose(loaded.vectors, matrix, rtol=1e-6)


def test_fasttext_vec_with_trailing_spaces(tmp_path):
    path = write(tmp_path / "a.vec", "2 3\nhello 0.1 0.2 0.3 \nworld -1 2e-3 4 \n")
    wv = fastemb.load(path)
    np.testing.assert_allclose(wv["world"], [-1, 2e-3, 4])


def test_failed_write_keeps_existing_file_and_leaves_no_temporary(tmp_path, vectors, monkeypatch):
    words, matrix = vectors
    path = write(tmp_path / "v.txt", "precious")

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        formats.write_vectors(path, words, matrix)
    assert path.read_text() == "precious"
    assert os.listdir(tmp_path) == ["v.txt"]


def test_output_directory_must_exist(tmp_path, vectors):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        formats.write_vectors(tmp_path / "missing" / "v.txt", *vectors)


@pytest.mark.parametrize("content,message", [
    (b"", r"line 1 must be the header"),
    (b"2 3\nhello 0.1 0.2 0.3\n", r"ends after 1 rows, but the header promises 2"),
    (b"2 3\nhello 0.1 0.2 0.3\nworld 0.1 0.2\n", r"line 3: expected a word and 3 numbers, got 3 fields"),
    (b"2 2\nhello 0.1 0.2\nworld 0.1 abc\n", r"line 3: b'abc' is not a number"),
    (b"1 2\n\xff\xfe 0.1 0.2\n", r"line 2: the word is not valid UTF-8"),
    (b"1 2\nhello " + np.float32([1, 2]).tobytes()[:5], r"truncated at byte offset 4"),
])
def test_corrupt_files_name_the_place(tmp_path, content, message):
    path = write(tmp_path / "bad.vec", content)
    with pytest.raises(VectorsFormatError, match=message):
        fastemb.load(path)


def test_words_with_whitespace_cannot_be_written(tmp_path):
    with pytest.raises(ValueError, match="has whitespace"):
        formats.write_vectors(tmp_path / "v.txt", ["a b"], np.zeros((1, 2), np.float32))
