"""Real text nobody cleaned: every run ends in vectors that load back, or in one
clear line before training starts.

The inputs are this machine's own files (man pages, Python sources, Debian
changelogs), text built from them (CRLF line ends, a 10 MB line), vocabularies
of every power of two, and, when ../shared is beside the repository, the messy
corpora there. A refusal is checked to come before training by the log line
that training prints first.
"""
import os
import random
from pathlib import Path

import numpy as np
import pytest

import fastemb
from conftest import SHARED, run_cli, write

MESSY = SHARED / "corpora" / "messy"
QUICK = ["--dim", 16, "--epochs", 1, "--threads", 2]  # the traps are in the text, not in the settings


def train_or_refuse(tmp_path, corpus, *flags, binary=True):
    """Run ``fastemb train`` as a user would; return the loaded vectors, or the
    refusal line after checking it came alone and before training."""
    out = tmp_path / ("v.bin" if binary else "v.txt")
    result = run_cli("train", *corpus, "-o", out, *(["--binary"] if binary else []), *flags, timeout=900)
    if result.returncode == 0:
        summary = result.stderr.strip().splitlines()[-1]
        vocabulary = int(summary.split("vocabulary=")[1].split()[0])
        vectors = fastemb.load(out)
        assert len(vectors) == vocabulary and np.isfinite(vectors.vectors).all()
        return vectors
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and lines[-1].startswith("fastemb: error: "), result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert not any(line.startswith("fastemb: training ") for line in lines), "refused after training started"
    assert not out.exists()
    return lines[-1]


def some_files(pattern_root: Path, pattern: str, most: int, max_bytes: int):
    """Up to ``most`` files matching, sorted, at most ``max_bytes`` in all (skip when there are none)."""
    found, total = [], 0
    for path in sorted(pattern_root.glob(pattern)):
        if path.is_file() and not path.is_symlink():
            size = path.stat().st_size
            if total + size > max_bytes:
                break
            found.append(path)
            total += size
            if len(found) == most:
                break
    if not found:
        pytest.skip(f"no {pattern} under {pattern_root} on this machine")
    return found


def test_man_pages_as_installed(tmp_path):
    """gzip-compressed troff: backslash escapes, dots at line starts, odd bytes."""
    pages = some_files(Path("/usr/share/man/man1"), "*.gz", most=400, max_bytes=2 << 20)
    vectors = train_or_refuse(tmp_path, pages, "--min-count", 1, "--unicode-errors", "replace", *QUICK)
    assert "the" in vectors


def test_debian_changelogs(tmp_path):
    logs = some_files(Path("/usr/share/doc"), "*/changelog*.gz", most=300, max_bytes=2 << 20)
    vectors = train_or_refuse(tmp_path, logs, "--min-count", 1, "--unicode-errors", "replace", *QUICK)
    assert len(vectors) > 1000


@pytest.mark.parametrize("min_count", [1, 5])
def test_python_sources_and_their_crlf_twin(tmp_path, min_count):
    stdlib = Path(os.__file__).parent
    text = b"".join(path.read_bytes() for path in some_files(stdlib, "*.py", most=60, max_bytes=2 << 20))
    source = write(tmp_path / "src.py.txt", text)
    crlf = write(tmp_path / "crlf.txt", text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    for corpus, binary in ((source, True), (crlf, False)):
        result = train_or_refuse(tmp_path, [corpus], "--min-count", min_count, "--unicode-errors", "replace",
                                 *QUICK, binary=binary)
        assert not isinstance(result, str), result
        assert "def" in result and not any("\r" in word for word in result.index_to_word)


def test_a_10_mb_line_of_words_and_symbols(tmp_path):
    rng = random.Random(0)
    symbols = ["{", "}", "->", "a\u00a0b", "\u2028", "naïve", "\x1b[1m", "\ufeff", "x" * 2000]
    words = [f"w{rng.randrange(5000)}" if rng.random() < 0.9 else rng.choice(symbols) for _ in range(1_400_000)]
    line = write(tmp_path / "line.txt", " ".join(words))  # ~10 MB, no newline at all
    assert line.stat().st_size > 9_000_000
    vectors = train_or_refuse(tmp_path, [line], "--min-count", 1, *QUICK, binary=False)
    assert "a\u00a0b" in vectors and "\x1b[1m" in vectors and "\u2028" in vectors
    assert "x" * 2000 not in vectors  # words over 1,000 bytes are dropped, and said so


@pytest.mark.parametrize("given", ["strict", "replace", "ignore"])
def test_latin1_is_refused_before_training_unless_asked(tmp_path, given):
    corpus = write(tmp_path / "latin1.txt", ("caf\xe9 cr\xe8me br\xfbl\xe9e " * 200 + "\n").encode("latin-1"))
    result = train_or_refuse(tmp_path, [corpus], "--min-count", 1, "--unicode-errors", given, *QUICK)
    if given == "strict":
        assert "invalid UTF-8 at byte offset 3" in result and "--unicode-errors replace" in result
    else:
        assert len(result) == 3 and ("caf\ufffd" in result) == (given == "replace")


@pytest.mark.parametrize("content,message", [
    (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 40, "NUL byte"),
    (b" \n\r\n\t \x0b\x0c", "no words found"),
    (b"", "no words found"),
])
def test_what_is_not_text_is_one_line_before_training(tmp_path, content, message):
    corpus = write(tmp_path / "odd.dat", content)
    assert message in train_or_refuse(tmp_path, [corpus], "--min-count", 1, *QUICK)


@pytest.mark.parametrize("bits", range(1, 18))
def test_vocabularies_of_every_power_of_two(tmp_path, bits):
    """2**bits and 2**bits + 1 distinct words, of varied lengths, each seen once or
    twice, trained in-process and read back from the binary format."""
    for size in (2 ** bits, 2 ** bits + 1):
        rng = np.random.default_rng(size)
        words = [f"{'é' * (i % 7)}w{i}" for i in range(size)]
        order = rng.permutation(np.repeat(np.arange(size), 1 + (np.arange(size) % 2)))
        lines = [" ".join(words[i] for i in chunk) for chunk in np.array_split(order, max(1, len(order) // 50))]
        corpus = write(tmp_path / f"v{size}.txt", "\n".join(lines) + "\n")
        model = fastemb.Model(min_count=1, dim=4, epochs=1, threads=1, sample=0).train(corpus, progress=False)
        assert sorted(model.vocab.words) == sorted(words)
        assert model.vocab.counts.sum() == len(order)
        model.wv.save(tmp_path / "v.bin", binary=True)
        assert fastemb.load(tmp_path / "v.bin").index_to_word == model.vocab.words


def messy(name: str) -> Path:
    path = MESSY / name
    if not path.is_file():
        pytest.skip(f"{path} is not here (../shared is beside the repository in CI and for developers)")
    return path


@pytest.mark.parametrize("min_count", [1, 5])
def test_messy_python_sources(tmp_path, min_count):
    vectors = train_or_refuse(tmp_path, [messy("python-stdlib-source.txt")], "--min-count", min_count, *QUICK)
    assert not isinstance(vectors, str), vectors
    assert "def" in vectors and "self" in vectors
    if min_count == 1:
        assert "\xa0\\t]*)([=:])([" in vectors  # the no-break-space token that once lost a run at the save


@pytest.mark.parametrize("min_count", [1, 5])
def test_messy_debian_docs(tmp_path, min_count):
    corpus = messy("debian-docs.txt")
    refusal = train_or_refuse(tmp_path, [corpus], "--min-count", min_count, *QUICK)
    assert "invalid UTF-8 at byte offset 3677771" in refusal
    vectors = train_or_refuse(tmp_path, [corpus], "--min-count", min_count, "--unicode-errors", "replace", *QUICK,
                              binary=False)
    assert not isinstance(vectors, str), vectors
    assert "the" in vectors
