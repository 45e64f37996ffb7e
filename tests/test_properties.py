"""Property tests (hypothesis): any bytes in, a consistent result or a clean error out.

The corpus reader is checked on both word tables against a plain reference
(bytes.split per line); the vectors loader must return vectors or raise
VectorsFormatError, never crash, hang or raise anything else. Examples are few
and small so that the file runs in a few seconds; fuzz/ runs longer searches.
"""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import fastemb
from fastemb import _backend, corpus
from fastemb.errors import CorpusError, VectorsFormatError
from fastemb.vocab import LONGEST_WORD_BYTES, build_vocab

TABLES = [pytest.param(True, id="compiled"), pytest.param(False, id="python")]
# FASTEMB_EXAMPLES=5000 pytest tests/test_properties.py searches longer than the default run
# database=None: no .hypothesis/ directory is left in the working tree; the timing checks are off (conftest.py)
FEW = settings(max_examples=int(os.environ.get("FASTEMB_EXAMPLES", 60)), database=None,
               suppress_health_check=[*settings.default.suppress_health_check, HealthCheck.function_scoped_fixture])

# text that is mostly words and whitespace, with some bytes that must be refused or are unusual
TEXT_PIECES = st.sampled_from([b"a", b"b", b"cat", b"\xc3\xa9", b"\xe2\x80\x83", b" ", b"  ", b"\t", b"\n",
                               b"\r\n", b"\x0b", b"\x0c", b"\x1f", b"\xff", b"\xc3", b"\x00", b"\x85"])
CORPUS_BYTES = st.one_of(st.binary(max_size=300), st.lists(TEXT_PIECES, max_size=200).map(b"".join))


@pytest.fixture(params=TABLES)
def compiled(request):
    if request.param and _backend.cython_kernels() is None:
        pytest.skip("the Cython extension is not built")
    return request.param


def reference_stream(data: bytes):
    """What the reader must produce: words split on ASCII whitespace, '|' at each line end and the file's end."""
    stream = []
    for line in data.split(b"\n"):
        stream += [word for word in line.split() if len(word) <= LONGEST_WORD_BYTES] + [b"|"]
    return stream


def read_stream(path, compiled, **scan_args):
    """The encoded corpus as a list of words (bytes), '|' for sentence ends."""
    with corpus.scan(path, compiled=compiled, **scan_args) as scanned:
        vocab, new_id = build_vocab(scanned.words, scanned.counts, min_count=1)
        ids = corpus.encode(scanned, new_id)
        stream = [b"|" if i == corpus.SENTENCE_END else vocab.words[i].encode() for i in ids]
        return stream, vocab


def is_clean_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data and any(len(w) <= LONGEST_WORD_BYTES for w in data.split())


@FEW
@given(data=CORPUS_BYTES, block_bytes=st.integers(1, 40))
def test_any_bytes_give_the_reference_tokens_or_a_corpus_error(tmp_path, compiled, data, block_bytes):
    path = tmp_path / "c.txt"
    path.write_bytes(data)
    if not is_clean_text(data):
        with pytest.raises(CorpusError, match="c.txt"):
            read_stream(path, compiled, block_bytes=block_bytes)
        return
    stream, _ = read_stream(path, compiled, block_bytes=block_bytes)
    assert stream == reference_stream(data)  # whatever the block size


@FEW
@given(words=st.lists(st.sampled_from([f"w{i}" for i in range(40)] + ["\n"]), min_size=1, max_size=400),
       max_words=st.integers(10, 30), block_bytes=st.integers(4, 64))
def test_pruning_keeps_a_consistent_subsequence(tmp_path, compiled, words, max_words, block_bytes):
    """With pruning, the stream is the text with some occurrences left out, and counts match it."""
    data = " ".join(words).encode() + b" x"
    path = tmp_path / "c.txt"
    path.write_bytes(data)
    stream, vocab = read_stream(path, compiled, block_bytes=block_bytes, max_words=max_words)
    full = iter(reference_stream(data))
    assert all(token in full for token in stream)  # a subsequence of the text
    assert stream.count(b"|") == data.count(b"\n") + 1  # no sentence end is lost
    assert [stream.count(w.encode()) for w in vocab.words] == vocab.counts.tolist()


# vectors files: random bytes, and near-valid text and binary files with damage
NUMBER = st.sampled_from(["0.5", "-1", "1e3", "nan", "inf", "1e999", "x", "", "0x1", "1,5", "\t"])
TEXT_ROW = st.tuples(st.sampled_from(["a", "b", "é", "", "\xa0", "1"]), st.lists(NUMBER, max_size=4)).map(
    lambda row: " ".join([row[0]] + row[1]))
TEXT_FILE = st.tuples(st.sampled_from(["2 3", "2 2", "0 0", "3", "-1 2", "2 3 4", ""]),
                      st.lists(TEXT_ROW, max_size=4)).map(lambda f: ("\n".join([f[0]] + f[1]) + "\n").encode())
BINARY_FILE = st.tuples(st.sampled_from([b"2 2\n", b"1 3\n", b"2 1\n"]), st.binary(max_size=40)).map(b"".join)
VECTORS_BYTES = st.one_of(st.binary(max_size=200), TEXT_FILE, BINARY_FILE)


@FEW
@given(data=VECTORS_BYTES, suffix=st.sampled_from([".txt", ".bin", ".gz"]))
def test_any_bytes_load_or_raise_a_clean_error(tmp_path, data, suffix):
    path = tmp_path / f"v{suffix}"
    path.write_bytes(data)
    try:
        wv = fastemb.load(path)
    except VectorsFormatError as error:
        assert str(path) in str(error) and "\n" not in str(error)
        return
    assert wv.vectors.dtype == np.float32 and wv.vectors.shape == (len(wv), wv.dim)
    assert len(wv.index_to_word) == len(wv)
