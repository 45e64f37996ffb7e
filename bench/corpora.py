"""The benchmark's corpus files: word counts, prefixes, and gensim's line copy.

Derived files (prefixes for the size-scaling runs, the 1,000-word-line copy
for gensim's corpus_file mode) are written to a cache directory outside the
repository (corpora are never copied into it), named after the source file's
name, size and modification time, so a second run reuses them and a changed
source gets new ones. Each is written to a temporary name and renamed, so an
interrupted run never leaves half a file under the final name.
"""

import os
from pathlib import Path

BLOCK = 1 << 22  # bytes read at a time: the corpora are one 100 MB line
WHITESPACE = b" \t\n\r\f\v"
WORDS_PER_LINE = 1000  # gensim's corpus_file mode loses words with 10,000-word lines


def default_cache_dir():
    """$XDG_CACHE_HOME/fastemb-bench, else ~/.cache/fastemb-bench."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "fastemb-bench"


def count_words(path):
    """Whitespace-separated words in a file, streamed (bytes.split's notion of
    whitespace, which is what every tool here splits on)."""
    n, carry = 0, b""
    with open(path, "rb") as f:
        while block := f.read(BLOCK):
            block = carry + block
            words = block.split()
            # A word cut by the block boundary is carried into the next block.
            carry = words.pop() if words and block[-1:] not in WHITESPACE else b""
            n += len(words)
    return n + bool(carry)


def _derived_name(src, what):
    st = Path(src).stat()
    return f"{Path(src).stem}-{st.st_size}-{st.st_mtime_ns}-{what}.txt"


def _write_atomically(dst, write):
    """Call write(file) on a temporary file beside dst, then rename it to dst."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + f".tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            write(f)
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
    return dst


def _last_space_before(f, n):
    """Offset of the last whitespace byte in the first n bytes of f."""
    end = n
    while end > 0:
        start = max(0, end - BLOCK)
        f.seek(start)
        chunk = f.read(end - start)
        i = max(chunk.rfind(bytes([c])) for c in WHITESPACE)
        if i >= 0:
            return start + i
        end = start
    raise ValueError(f"no whitespace in the first {n} bytes")


def prefix(src, n_bytes, cache_dir):
    """A file with the first ~n_bytes of src, cut at the last whitespace before
    n_bytes (so no word is cut). src itself if it is not longer than that."""
    if os.path.getsize(src) <= n_bytes:
        return Path(src)
    dst = Path(cache_dir) / _derived_name(src, f"prefix{n_bytes}")
    if dst.exists():
        return dst

    def write(out):
        with open(src, "rb") as f:
            remaining = _last_space_before(f, n_bytes)
            f.seek(0)
            while remaining:
                block = f.read(min(BLOCK, remaining))
                out.write(block)
                remaining -= len(block)

    return _write_atomically(dst, write)


def line_copy(src, cache_dir, words_per_line=WORDS_PER_LINE):
    """A copy of src whose lines have at most `words_per_line` words, for
    gensim's corpus_file mode. Existing line ends are kept; longer lines are
    cut. Words are separated by single spaces."""
    dst = Path(cache_dir) / _derived_name(src, f"lines{words_per_line}")
    if dst.exists():
        return dst

    def write(out):
        on_line, carry = 0, b""
        with open(src, "rb") as f:
            while True:
                block = f.read(BLOCK)
                data = carry + block
                if block:  # keep a word cut by the block boundary for the next round
                    cut = max(data.rfind(bytes([c])) for c in WHITESPACE) + 1
                    data, carry = data[:cut], data[cut:]
                for k, segment in enumerate(data.split(b"\n")):
                    if k and on_line:  # a line end of the source
                        out.write(b"\n")
                        on_line = 0
                    words, i = segment.split(), 0
                    while i < len(words):
                        take = words[i:i + words_per_line - on_line]
                        i += len(take)
                        out.write((b" " if on_line else b"") + b" ".join(take))
                        on_line += len(take)
                        if on_line == words_per_line:
                            out.write(b"\n")
                            on_line = 0
                if not block:
                    break
        if on_line:
            out.write(b"\n")

    return _write_atomically(dst, write)
