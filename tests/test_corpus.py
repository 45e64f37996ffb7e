"""The corpus reader: tokens, sentence ends, compression, directories, bad input."""
import bz2
import gzip
import lzma

from pathlib import Path

import numpy as np
import pytest

from conftest import write
from fastemb import _backend as fastemb_backend
from fastemb import corpus
from fastemb.errors import CorpusError
from fastemb import word_table
from fastemb.vocab import build_vocab


@pytest.fixture(autouse=True, params=["compiled", "python"])
def table_kind(request, monkeypatch):
    """Every test here runs on both word tables: the compiled one and the pure-Python one."""
    if request.param == "compiled" and fastemb_backend.cython_kernels() is None:
        pytest.skip("the Cython extension is not built")
    compiled = request.param == "compiled"
    monkeypatch.setattr(corpus, "new_word_table", lambda _=True: word_table.new_word_table(compiled))
    return request.param


def encoded_text(paths, min_count=1, **scan_args):
    """The encoded corpus as words, with '|' for sentence ends."""
    with corpus.scan(paths, **scan_args) as scanned:
        vocab, new_id = build_vocab(scanned.words, scanned.counts, min_count)
        ids = corpus.encode(scanned, new_id)
    return " ".join("|" if i == corpus.SENTENCE_END else vocab.words[i] for i in ids)


def test_lines_end_sentences_and_whitespace_splits(tmp_path):
    path = write(tmp_path / "a.txt", "the cat\tsat\r\non  the mat\n\nthe end")
    assert encoded_text(path) == "the cat sat | on the mat | | the end |"


def test_file_without_newline_is_one_sentence(tmp_path):
    assert encoded_text(write(tmp_path / "a.txt", "a b c a")) == "a b c a |"


def test_rare_words_are_removed_from_the_stream(tmp_path):
    path = write(tmp_path / "a.txt", "a b a c a b\nb z")
    assert encoded_text(path, min_count=2) == "a b a a b | b |"


@pytest.mark.parametrize("block_bytes", [1, 2, 3, 7, 64, 1 << 20])
def test_same_tokens_whatever_the_block_size(tmp_path, block_bytes):
    text = "héllo wörld  ünïcode\nline two\twith tabs\n" * 5 + "tail"
    path = write(tmp_path / "a.txt", text)
    expected = " | ".join(" ".join(line.split()) for line in text.split("\n")) + " |"
    assert encoded_text(path, block_bytes=block_bytes) == expected


@pytest.mark.parametrize("suffix,opener", [(".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)])
def test_compressed_files_read_transparently(tmp_path, suffix, opener):
    path = tmp_path / f"a.txt{suffix}"
    with opener(path, "wb") as stream:
        stream.write(b"one two\nthree")
    assert encoded_text(path) == "one two | three |"


def test_directories_give_their_files_sorted(tmp_path):
    write(tmp_path / "b.txt", "second")
    write(tmp_path / "a.txt", "first")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "c.txt", "third")
    write(tmp_path / ".hidden", "never")
    assert encoded_text(tmp_path) == "first | second | third |"
    assert encoded_text([tmp_path / "b.txt", tmp_path / "a.txt"]) == "second | first |"


def test_counts_are_exact(tmp_path):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in rng.zipf(1.5, 20_000) % 500]
    path = write(tmp_path / "a.txt", " ".join(words))
    with corpus.scan(path, block_bytes=4096) as scanned:
        counted = dict(zip((w.decode() for w in scanned.words), scanned.counts.tolist()))
    expected = {}
    for word in words:
        expected[word] = expected.get(word, 0) + 1
    assert counted == expected


def test_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.txt"):
        corpus.scan(tmp_path / "nope.txt")


@pytest.mark.parametrize("text", ["", "   \n\t\n  "])
def test_empty_or_blank_file(tmp_path, text):
    path = write(tmp_path / "empty.txt", text)
    with pytest.raises(CorpusError, match="empty.txt: no words found"):
        corpus.scan(path)


def test_directory_without_files(tmp_path):
    (tmp_path / "nothing").mkdir()
    with pytest.raises(CorpusError, match="contains no files"):
        corpus.scan(tmp_path / "nothing")


def test_invalid_utf8_names_file_and_offset(tmp_path):
    path = write(tmp_path / "bad.txt", b"good words \xff\xfe here")
    with pytest.raises(CorpusError, match=r"bad.txt: invalid UTF-8 at byte offset 11"):
        corpus.scan(path, block_bytes=4)


def test_strict_is_the_default_and_names_the_way_out(tmp_path):
    path = write(tmp_path / "bad.txt", b"caf\xe9 ol\xe9\n")
    with pytest.raises(CorpusError, match=r"--unicode-errors replace \(unicode_errors='replace'\)"):
        corpus.scan(path)


LATIN1 = b"caf\xe9 au lait\n\xff\xfe na\xefve caf\xe9\r\nvalid \xc3\xa9t\xc3\xa9 \xe2\x82\n"  # 7 bad bytes


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("block_bytes", [3, 1 << 20])
def test_replace_and_ignore_decode_as_python_does_and_count_bytes(tmp_path, compiled, block_bytes):
    path = write(tmp_path / "latin.txt", LATIN1)
    for errors in ("replace", "ignore"):
        expected = LATIN1.decode("utf-8", errors).encode("utf-8").split()
        with corpus.scan(path, unicode_errors=errors, compiled=compiled, block_bytes=block_bytes) as scanned:
            counted = dict(zip(scanned.words, scanned.counts.tolist()))
            assert scanned.tokens == len(expected)
            assert counted == {word: expected.count(word) for word in set(expected)}
            assert scanned.invalid.per_file == {str(path): 7}
            verb = "replaced" if errors == "replace" else "dropped"
            assert scanned.invalid.summary(errors) == f"{verb} 7 invalid UTF-8 bytes in 1 file ({path})"


def test_valid_text_reports_nothing_replaced(tmp_path):
    path = write(tmp_path / "good.txt", "naïve café\n")
    with corpus.scan(path, unicode_errors="replace") as scanned:
        assert scanned.invalid.per_file == {} and scanned.invalid.summary("replace") is None


def test_unicode_errors_must_be_a_known_choice(tmp_path):
    with pytest.raises(ValueError, match="unicode_errors='skip' is not one of strict, replace, ignore"):
        corpus.scan(write(tmp_path / "a.txt", "a b\n"), unicode_errors="skip")


@pytest.mark.parametrize("given,kind", [(42, "got int"), ([b"a.txt"], "sentence 0 is a bytes"),
                                        ([Path("a.txt"), 3], "sentence 0 is a PosixPath")])
def test_something_that_is_neither_paths_nor_sentences_is_one_clear_type_error(given, kind):
    with pytest.raises(TypeError, match=kind):
        corpus.scan(given)


def test_nul_bytes_mean_binary(tmp_path):
    path = write(tmp_path / "bin.dat", b"abc \x00\x01\x02")
    with pytest.raises(CorpusError, match=r"bin.dat: NUL byte at byte offset 4"):
        corpus.scan(path)


def test_long_word_without_whitespace_is_split_not_held(tmp_path):
    path = write(tmp_path / "a.txt", "é" * 5_000 + " y")
    blocks = list(corpus.iter_blocks(path, block_bytes=1000, max_run_bytes=3000))
    assert max(map(len, blocks)) <= 4000 and len(blocks) > 2
    assert b"".join(blocks) == path.read_bytes()
    assert all(block.decode("utf-8") for block in blocks)  # cut between characters
    assert encoded_text(path, block_bytes=4096).split() == ["y", "|"]  # 10,000 bytes: too long to be a word


def test_word_table_grows_past_its_first_sizes(tmp_path, table_kind):
    """More distinct words and bytes than the tables start with (65,536 slots, 1 MiB of words)."""
    words = [f"word{i:06d}" for i in range(120_000)]
    path = write(tmp_path / "many.txt", " ".join(words) + "\n" + " ".join(words[::-1]))
    with corpus.scan(path, block_bytes=100_000) as scanned:
        assert [w.decode() for w in scanned.words] == words
        assert set(scanned.counts.tolist()) == {2}


def test_pruning_keeps_the_table_bounded_and_frequent_words_exact(tmp_path):
    """word2vec.c's ReduceVocab: past max_words distinct words the rarest are dropped."""
    rare = [f"r{i}" for i in range(3000)]
    lines = [f"the {word} of {word[::-1]} and" for word in rare]  # every rare word once
    path = write(tmp_path / "a.txt", "\n".join(lines) + "\n")
    with corpus.scan(path, block_bytes=256, max_words=100) as scanned:
        assert len(scanned.words) <= 100 + 256 // 2 and scanned.prunes  # checked after each block
        counts = dict(zip(scanned.words, scanned.counts.tolist()))
        assert counts[b"the"] == counts[b"of"] == counts[b"and"] == 3000  # never pruned: exact
        vocab, new_id = build_vocab(scanned.words, scanned.counts, min_count=1)
        ids = corpus.encode(scanned, new_id)
    text = [("|" if i == corpus.SENTENCE_END else vocab.words[i]) for i in ids]
    assert text.count("|") == 3001
    for word in ("the", "of", "and"):  # every occurrence of a survivor is trained on
        assert text.count(word) == 3000
    for word, count in zip(vocab.words, vocab.counts):  # counts match the encoded text
        assert text.count(word) == count


def test_a_pruned_word_that_comes_back_counts_from_then_on(tmp_path):
    text = "a a b b c c d d e e x f g h i j\n" + "y\n" * 50 + "x x x\n"  # x is among the rarest
    path = write(tmp_path / "a.txt", text)
    with corpus.scan(path, block_bytes=8, max_words=10) as scanned:
        counts = dict(zip(scanned.words, scanned.counts.tolist()))
        assert counts[b"x"] == 3  # a lower bound: the first x was pruned
        vocab, new_id = build_vocab(scanned.words, scanned.counts, min_count=1)
        ids = corpus.encode(scanned, new_id)
    words = [vocab.words[i] for i in ids if i >= 0]
    assert words.count("x") == 3  # only the occurrences after the prune are trained on
    assert [words.count(word) for word in vocab.words] == vocab.counts.tolist()


def test_encoded_ids_live_in_an_anonymous_file_in_the_cache_dir(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    path = write(tmp_path / "a.txt", "a b a\n" * 100)
    with corpus.scan(path) as scanned:
        vocab, new_id = build_vocab(scanned.words, scanned.counts, min_count=1)
        ids = corpus.encode(scanned, new_id, cache_dir=str(cache))
    assert isinstance(ids, np.memmap) and len(ids) == 401  # and the file end
    assert list(ids[:4]) == [0, 1, 0, corpus.SENTENCE_END]
    assert list(cache.iterdir()) == []  # no name ever: nothing to clean up, even after a kill
    del ids


def test_a_full_cache_dir_is_a_clean_error(tmp_path, monkeypatch):
    import errno
    import os

    def no_space(*_):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "posix_fallocate", no_space)
    path = write(tmp_path / "a.txt", "a b a\n")
    with corpus.scan(path) as scanned:
        vocab, new_id = build_vocab(scanned.words, scanned.counts, min_count=1)
        with pytest.raises(CorpusError, match=r"cannot hold the encoded corpus.*No space left.*--cache-dir"):
            corpus.encode(scanned, new_id, cache_dir=str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_a_10_mb_line_and_a_10_mb_word_are_read_in_bounded_memory(tmp_path):
    """One long sentence, then a long run without whitespace: memory while reading
    does not grow with them (10 MB each against 3 MB each). A block is at most
    BLOCK_BYTES + MAX_RUN_BYTES (2 MiB), and the word table reserves room for one
    block's worth of new words, so the peak is a constant (~40 MB), reached by both."""
    import tracemalloc

    def peak_reading(megabytes):
        words = 170_000 * megabytes
        line = " ".join(f"w{i % 5000}" for i in range(words)).encode()  # no newline
        path = write(tmp_path / f"{megabytes}.txt", line + b"\n" + b"x" * (megabytes * 1_000_000) + b" end")
        tracemalloc.start()
        try:
            with corpus.scan(path) as scanned:
                peak = tracemalloc.get_traced_memory()[1]
                vocab, _ = build_vocab(scanned.words, scanned.counts, min_count=1)
        finally:
            tracemalloc.stop()
        assert len(vocab) == 5001 and "end" in vocab.index  # the long "word" is dropped (> 1,000 bytes)
        return peak

    small, big = peak_reading(3), peak_reading(10)
    assert big < small * 1.1 + 1e6, f"{small / 1e6:.0f} MB traced for 6 MB of text, {big / 1e6:.0f} MB for 20 MB"


def test_a_full_disk_while_counting_is_a_clean_error(tmp_path, monkeypatch):
    """The provisional ids go to cache_dir too; a failed write names it and says what to do."""
    import errno

    path = write(tmp_path / "a.txt", "a b a\n")
    scanned = corpus.ScannedCorpus(cache_dir=str(tmp_path))

    class FullDisk:
        def write(self, _):
            raise OSError(errno.ENOSPC, "No space left on device")

    scanned.ids_file.close()
    scanned.ids_file = FullDisk()
    with pytest.raises(CorpusError, match=rf"{tmp_path}: cannot write the corpus's word ids \(No space left"):
        scanned.append(np.zeros(3, np.int32))
    with corpus.scan(path, cache_dir=str(tmp_path)) as scanned:
        assert scanned.tokens == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
