"""word2vec text/binary files: round trips, other readers, atomic writes, strict loading."""
import os

import numpy as np
import pytest

import fastemb
from conftest import write
from fastemb import formats, outputs
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


@pytest.mark.parametrize("first_word", ["a" * n for n in range(1, 17)])
def test_text_rows_longer_than_the_format_sniff_load(tmp_path, first_word):
    # at dim 300 a text row (up to 16 bytes a number) runs past the bytes read to tell text from
    # binary; a first word of 1 to 16 letters moves that cut through every character of a number,
    # an exponent's included ("1.23e-0"), which once made a text file pass for binary
    matrix = (np.random.default_rng(len(first_word)).standard_normal((3, 300)) * 1e-5).astype(np.float32)
    path = tmp_path / "v.txt"
    fastemb.WordVectors([first_word, "b", "c"], matrix).save(path)
    loaded = fastemb.load(path)
    assert loaded.index_to_word == [first_word, "b", "c"]
    np.testing.assert_array_equal(loaded.vectors, matrix)


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
    (b"", r"line 1: must be the header"),
    (b"2 3\nhello 0.1 0.2 0.3\n", r"ends after 1 rows, but the header promises 2"),
    (b"2 3\nhello 0.1 0.2 0.3\nworld 0.1 0.2\n", r"line 3: expected a word and 3 numbers, got 3 fields"),
    (b"2 2\nhello 0.1 0.2\nworld 0.1 abc\n", r"line 3: b'abc' is not a number"),
    (b"1 2\n\xff\xfe 0.1 0.2\n", r"line 2: the word .* is not valid UTF-8"),
    (b"1 2\nhello " + np.float32([1, 2]).tobytes()[:5], r"truncated at byte offset 4"),
])
def test_corrupt_files_name_the_place(tmp_path, content, message):
    path = write(tmp_path / "bad.vec", content)
    with pytest.raises(VectorsFormatError, match=message):
        fastemb.load(path)


@pytest.mark.parametrize("word", ["", "a b", "a\tb", "a\nb", "a\rb", "a\x0bb", "a\x0cb", "a\x00b"])
def test_words_with_ascii_whitespace_cannot_be_written(tmp_path, word):
    with pytest.raises(ValueError, match="has ASCII whitespace"):
        formats.write_vectors(tmp_path / "v.txt", [word], np.zeros((1, 2), np.float32))
    assert os.listdir(tmp_path) == []


# Corpora are split on ASCII whitespace only (as word2vec.c and fastText split them),
# so everything else is part of a word: Unicode spaces, other control characters.
CORPUS_WORDS = ["\xa0\\t]*)([=:])([", "a\u2028b", "x\x1cy\x1dz\x1e\x1f", "\x85nel", "esc\x1b[1m", "\u3000",
                "\ufeffbom", "del\x7f"]


@pytest.mark.parametrize("binary", [False, True])
def test_any_word_a_corpus_gives_round_trips(tmp_path, binary):
    matrix = np.arange(len(CORPUS_WORDS) * 3, dtype=np.float32).reshape(-1, 3)
    path = tmp_path / "v.bin"
    fastemb.WordVectors(CORPUS_WORDS, matrix).save(path, binary=binary)
    loaded = fastemb.load(path)
    assert loaded.index_to_word == CORPUS_WORDS
    np.testing.assert_array_equal(loaded.vectors, matrix)


@pytest.mark.parametrize("binary", [False, True])
def test_gensim_reads_words_with_unicode_spaces(tmp_path, binary):
    gensim_models = pytest.importorskip("gensim.models")
    words = ["no\xa0break", "ideographic\u3000space", "plain"]
    path = tmp_path / "v.bin"
    fastemb.WordVectors(words, np.eye(3, dtype=np.float32)).save(path, binary=binary)
    theirs = gensim_models.KeyedVectors.load_word2vec_format(str(path), binary=binary)
    assert theirs.index_to_key == words


def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(tmp_path, vectors):
    words, matrix = vectors
    old_mask = os.umask(0o027)
    try:
        fresh = tmp_path / "fresh.txt"
        fastemb.WordVectors(words, matrix).save(fresh)
        assert fresh.stat().st_mode & 0o777 == 0o640
        kept = write(tmp_path / "kept.txt", "old")
        os.chmod(kept, 0o604)
        fastemb.WordVectors(words, matrix).save(kept)
        assert kept.stat().st_mode & 0o777 == 0o604 and fastemb.load(kept).index_to_word == words
    finally:
        os.umask(old_mask)


def test_outputs_written_together_appear_together_or_not_at_all(tmp_path, vectors):
    words, matrix = vectors
    wv = fastemb.WordVectors(words, matrix)
    with outputs.written_together() as done:
        wv.save(tmp_path / "a.txt")
        assert os.listdir(tmp_path) != [] and not (tmp_path / "a.txt").exists()  # only the temporary so far
        wv.save(tmp_path / "b.bin", binary=True)
    assert done == [tmp_path / "a.txt", tmp_path / "b.bin"]
    assert sorted(os.listdir(tmp_path)) == ["a.txt", "b.bin"]

    with pytest.raises(ValueError, match="ASCII whitespace"):
        with outputs.written_together():
            wv.save(tmp_path / "c.txt")
            fastemb.WordVectors(["bad word"], matrix[:1]).save(tmp_path / "d.txt")
    assert sorted(os.listdir(tmp_path)) == ["a.txt", "b.bin"]  # c.txt was written, but not put in place


def test_a_failed_rename_says_what_was_written(tmp_path, vectors, monkeypatch):
    from fastemb.errors import PartiallyWritten

    words, matrix = vectors
    wv = fastemb.WordVectors(words, matrix)
    real_replace = os.replace

    def replace(source, target):
        if str(target).endswith("second.txt"):
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(PartiallyWritten, match=r"written: .*first.txt; not written: .*second.txt"):
        with outputs.written_together():
            wv.save(tmp_path / "first.txt")
            wv.save(tmp_path / "second.txt")
    assert sorted(os.listdir(tmp_path)) == ["first.txt"]


# --- files written by other tools, by their writers' rules ---------------------------------------

def word2vec_c_text(words, matrix):
    """word2vec.c -binary 0: '%lld %lld\\n', then per word '%s ' and '%lf ' per value, '\\n'."""
    rows = "".join(word + " " + "".join("%lf " % value for value in row) + "\n" for word, row in zip(words, matrix))
    return (f"{len(words)} {matrix.shape[1]}\n" + rows).encode()


def word2vec_c_binary(words, matrix):
    """word2vec.c -binary 1: the header, then per word '%s ', the float32 bytes, '\\n'."""
    rows = b"".join(w.encode() + b" " + row.astype("<f4").tobytes() + b"\n" for w, row in zip(words, matrix))
    return f"{len(words)} {matrix.shape[1]}\n".encode() + rows


def fasttext_vec(words, matrix):
    """fastText's .vec: the header, then per word the word, ' ', each value (5 significant
    digits) followed by a space, and a newline; '</s>' is a word."""
    rows = "".join(word + " " + "".join(f"{value:.5g} " for value in row) + "\n" for word, row in zip(words, matrix))
    return (f"{len(words)} {matrix.shape[1]}\n" + rows).encode()


def glove_txt(words, matrix):
    """GloVe: no header; per word the word and the values, separated by single spaces."""
    return "".join(word + " " + " ".join("%.6f" % v for v in row) + "\n" for word, row in zip(words, matrix)).encode()


@pytest.mark.parametrize("writer,precision", [(word2vec_c_text, 1e-6), (word2vec_c_binary, 0),
                                              (fasttext_vec, 1e-4), (glove_txt, 1e-6)])
def test_other_tools_files_load(tmp_path, vectors, writer, precision):
    words, matrix = vectors
    words, matrix = ["</s>"] + words, np.vstack([np.full((1, 7), 0.25, np.float32), matrix / 1000])
    path = write(tmp_path / "other.vec", writer(words, matrix))
    wv = fastemb.load(path)
    assert wv.index_to_word == words
    np.testing.assert_allclose(wv.vectors, matrix, rtol=precision, atol=precision)
    assert fastemb.load(path, limit=3).index_to_word == words[:3]


@pytest.mark.parametrize("suffix", [".txt.gz", ".bin.bz2", ".vec.xz"])
def test_compressed_files_round_trip(tmp_path, vectors, suffix):
    words, matrix = vectors
    path = tmp_path / f"v{suffix}"
    fastemb.WordVectors(words, matrix).save(path, binary=".bin" in suffix)
    assert path.read_bytes()[:2] != b"7 "  # compressed
    loaded = fastemb.load(path)
    assert loaded.index_to_word == words
    np.testing.assert_array_equal(loaded.vectors, matrix)


@pytest.mark.parametrize("content,message", [
    (b"1 2\nhello 0.1 0.2\nworld 0.3 0.4\n", r"line 3: more rows than the 1 the header announces"),
    (b"1 2\nhello " + np.float32([1, 2]).tobytes() + b"\nworld " + np.float32([1, 2]).tobytes() + b"\n",
     r"byte offset 19: more data after the 1 rows the header announces"),
    (b"3 2\nhello " + np.float32([1, 2]).tobytes(), r"truncated: the header promises 3 rows of 2 float32"),
    (b"2 2\n\xffhello " + np.float32([1, 2]).tobytes() + b"\nworld " + np.float32([1, 2]).tobytes(),
     r"byte offset 4: the word b'\\xffhello' is not valid UTF-8 \(load\(..., unicode_errors='replace'\)"),
    (b"hello 0.1 0.2\nworld 0.3\n", r"line 2: expected a word and 2 numbers, got 2 fields"),
    (b"hello 0.1 0.2\n\nworld 0.3 0.4\n", r"line 2: empty line in the middle of the file"),
    (b"2 2\nhello 0.1 0.2\n\n", r"line 3: expected a word and 2 numbers, got an empty line"),
    (b"hello\n", r"line 1: must be the header 'V D' \(words, dimensions\) or a GloVe row"),
    (b"2 0\n", r"line 1: the header says 0 dimensions"),
])
def test_more_corrupt_files_name_the_place(tmp_path, content, message):
    path = write(tmp_path / "bad.vec", content)
    with pytest.raises(VectorsFormatError, match=message):
        fastemb.load(path)


def test_headers_may_be_followed_by_blank_lines_and_glove_by_a_final_blank(tmp_path):
    assert len(fastemb.load(write(tmp_path / "a.txt", "1 2\nhello 0.1 0.2\n\n\n"))) == 1
    assert len(fastemb.load(write(tmp_path / "b.txt", "hello 0.1 0.2\nworld 1 2\n\n"))) == 2


def test_a_non_utf8_word_loads_when_asked(tmp_path):
    path = write(tmp_path / "latin1.vec", "1 2\ncafé 0.1 0.2\n".encode("latin-1"))
    with pytest.raises(VectorsFormatError, match="line 2: the word b'caf\\\\xe9' is not valid UTF-8"):
        fastemb.load(path)
    assert fastemb.load(path, unicode_errors="replace").index_to_word == ["caf\ufffd"]
    with pytest.raises(ValueError, match="unicode_errors='lenient': use one of strict, replace, ignore"):
        fastemb.load(path, unicode_errors="lenient")


@pytest.mark.parametrize("limit", [0, -1, 2.5, True])
def test_limit_must_be_a_row_count(tmp_path, vectors, limit):
    path = tmp_path / "v.txt"
    fastemb.WordVectors(*vectors).save(path)
    with pytest.raises(ValueError, match=r"limit=.*: give the number of rows to read \(1 or more\)"):
        fastemb.load(path, limit=limit)


def test_a_directory_or_missing_file_is_not_a_vectors_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.txt: no such vectors file"):
        fastemb.load(tmp_path / "missing.txt")
    with pytest.raises(FileNotFoundError, match="no such vectors file"):
        fastemb.load(tmp_path)


@pytest.mark.parametrize("content,message", [
    (b"2 3\nhello 0.1 0.2\nworld 0.3 0.4\n", r"line 2: expected a word and 3 numbers, got 3 fields"),
    (b"2 1\nhello 0.1 0.2\nworld 0.3 0.4\n", r"line 2: expected a word and 1 numbers, got 3 fields"),
    (b"2 3\nhello " + np.float32([1, 2]).tobytes() + b"\nworld " + np.float32([3, 4]).tobytes() + b"\n",
     r"truncated"),
    (b"2 1\nhello " + np.float32([1, 2]).tobytes() + b"\nworld " + np.float32([3, 4]).tobytes() + b"\n",
     r"byte offset 14: the word .* has control characters: the rows do not hold the 1 floats"),
])
def test_a_header_with_the_wrong_dimensions_is_caught(tmp_path, content, message):
    with pytest.raises(VectorsFormatError, match=message):
        fastemb.load(write(tmp_path / "bad.vec", content))


@pytest.mark.parametrize("content,message", [
    (b" 1 " + b"8" * 80 + b"\n2 \x01-\n", "line 1: the header says 8888"),  # found by fuzz/fuzz_loader.py
    (b"1 1000000000\na 0.5\n", "line 1: the header says 1000000000 dimensions; a vectors file has 1 to 100,000"),
])
def test_an_absurd_header_is_an_error_not_an_allocation(tmp_path, content, message):
    path = write(tmp_path / "v.txt", content)
    with pytest.raises(VectorsFormatError, match=message):
        fastemb.load(path)


def test_a_compressed_binary_header_promising_too_many_rows_is_not_preallocated(tmp_path):
    import gzip

    path = tmp_path / "v.bin.gz"
    with gzip.open(path, "wb") as stream:  # 10^12 rows of 1000 floats promised, one given
        stream.write(b"1000000000000 1000\nw " + np.ones(1000, "<f4").tobytes())
    with pytest.raises(VectorsFormatError, match="truncated at byte offset .*row 2 of 1000000000000 is missing"):
        fastemb.load(path)


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "python"])
def test_text_numbers_read_back_to_the_same_float32(compiled, monkeypatch):
    """Every finite float32 (and the special values) survives text: 9 significant digits."""
    from fastemb import _backend

    if compiled and _backend.cython_kernels() is None:
        pytest.skip("the Cython extension is not built")
    if not compiled:
        monkeypatch.setattr(_backend, "cython_kernels", lambda: None)
    rng = np.random.default_rng(5)
    bits = rng.integers(0, 2**32, 200_000, dtype=np.uint64).astype(np.uint32).view(np.float32)
    special = np.array([0.0, -0.0, 1.0, -1.0, 0.5, 1e-45, 3.4028235e38, 1e-4, 9.99999e-5, 123456789,
                        1e9, 1e8, 99999999, 0.1, np.inf, -np.inf, np.nan], np.float32)
    values = np.concatenate([special, bits, rng.standard_normal(10_000).astype(np.float32) * 0.01])
    values = values[: len(values) // 10 * 10].reshape(-1, 10)
    words = [f"w{i}" for i in range(len(values))]
    text = b"".join(formats._text_lines(words, values)).decode()
    assert [line.split(" ", 1)[0] for line in text.splitlines()] == words
    back = np.array([line.split()[1:] for line in text.splitlines()], dtype=np.float32)
    same = (back == values) | (np.isnan(back) & np.isnan(values))
    assert same.all()
    assert np.array_equal(np.signbit(back[np.isfinite(back)]), np.signbit(values[np.isfinite(values)]))
    assert text.splitlines()[0].split()[:5] == ["w0", "0", "-0", "1", "-1"]


def test_text_of_many_blocks_keeps_row_order_and_every_number(tmp_path, monkeypatch):
    """Blocks are formatted on two threads: the file must still hold every row once,
    in order, whatever block finishes first (small blocks: many of them, odd tail)."""
    monkeypatch.setattr(formats, "_FORMAT_FLOATS", 7 * 13)
    rng = np.random.default_rng(5)
    words = [f"w{i}é" for i in range(1001)]
    matrix = (rng.standard_normal((1001, 13)) * 10.0 ** rng.integers(-30, 30, (1001, 13))).astype(np.float32)
    path = tmp_path / "v.txt"
    formats.write_vectors(path, words, matrix)
    got_words, got = formats.read_vectors(path)
    assert got_words == words
    np.testing.assert_array_equal(got, matrix)


@pytest.mark.parametrize("binary", [False, True])
def test_the_saving_bar_counts_every_row_of_every_block(tmp_path, monkeypatch, capsys, binary):
    monkeypatch.setattr(formats, "_FORMAT_FLOATS", 5 * 3)  # text: 3 rows a block
    monkeypatch.setattr(formats, "_ROWS_PER_BLOCK", 4)  # binary, and text without the compiled kernel
    monkeypatch.setenv("TQDM_DELAY", "0")
    words = [f"w{i}" for i in range(23)]
    matrix = np.arange(23 * 5, dtype=np.float32).reshape(23, 5)
    formats.write_vectors(tmp_path / "v", words, matrix, binary=binary, progress=True)
    assert "saving: 100%" in capsys.readouterr().err.split("\r")[-1]
    got_words, got = formats.read_vectors(tmp_path / "v")
    assert got_words == words
    np.testing.assert_array_equal(got, matrix)
