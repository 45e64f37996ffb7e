"""Fuzz target: the corpus reader (atheris). Run through fuzz/run.sh.

Any bytes must give either a CorpusError or the words a plain reference finds
(bytes.split per line), the same from the compiled and the Python word table,
with a small block size so that block boundaries fall everywhere.
"""
import atexit
import shutil
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from fastemb import corpus
    from fastemb.errors import CorpusError
    from fastemb.vocab import LONGEST_WORD_BYTES, build_vocab

WORKDIR = Path(tempfile.mkdtemp(prefix="fastemb-fuzz-"))
atexit.register(shutil.rmtree, WORKDIR, ignore_errors=True)


def reference(data: bytes):
    """The expected stream: words split on ASCII whitespace, b'|' per line end and at the file's end."""
    stream = []
    for line in data.split(b"\n"):
        stream += [word for word in line.split() if len(word) <= LONGEST_WORD_BYTES] + [b"|"]
    return stream


def read(path: Path, compiled: bool, block_bytes: int, max_words: int):
    """The encoded corpus as words, or the CorpusError's message."""
    try:
        with corpus.scan(path, block_bytes=block_bytes, compiled=compiled, max_words=max_words) as scanned:
            vocab, new_id = build_vocab(scanned.words, scanned.counts, min_count=1)
            ids = corpus.encode(scanned, new_id)
            return [b"|" if i == corpus.SENTENCE_END else vocab.words[i].encode() for i in ids]
    except CorpusError as error:
        assert str(path) in str(error) and "\n" not in str(error), error
        return str(error)


def test_one_input(data: bytes) -> None:
    if len(data) < 2:
        return
    block_bytes, max_words, text = 1 + data[0] % 64, 10 + data[1] * 4, data[2:]
    path = WORKDIR / "corpus.txt"
    path.write_bytes(text)
    compiled = read(path, True, block_bytes, max_words)
    python = read(path, False, block_bytes, max_words)
    assert compiled == python, (compiled, python)
    if isinstance(compiled, list) and max_words >= len(set(text.split())):  # no pruning: exact
        assert compiled == reference(text), (compiled, reference(text))


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
