"""The compiled word table grows its arrays right at every size: checked against
the pure-Python table (ids, words, counts, prunes) across power-of-two boundaries.

count_block writes into arrays Python sized, without bounds checks in the
normal build: a table that grows one array too little corrupts the heap (the
`free(): invalid pointer` of issue 14) or, more quietly, loses counts. Here the
counts of every word must come back, so an array left too short fails the
comparison even where the overrun does not crash; the CI's bounds-checked build
turns it into an IndexError.
"""
import importlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastemb import _backend
from fastemb import word_table
from fastemb.word_table import CompiledWordTable, PythonWordTable



CYTHON_BUILDS = ["_kernels", "_kernels_avx2"]


@pytest.fixture(scope="module", params=CYTHON_BUILDS)
def kernels(request):
    """Each Cython build this machine runs: the portable one and, with AVX2 + FMA, that one.
    Imported here, not at collection, so that other tests can still pretend it is not built."""
    if request.param == "_kernels_avx2" and not _backend._cpu_has_avx2_fma():
        pytest.skip("this CPU lacks AVX2 or FMA")
    try:
        return importlib.import_module(f"fastemb.{request.param}")
    except ImportError:
        pytest.skip(f"fastemb.{request.param} is not built")


def compiled_table(kernels, words=1, pool_bytes=1):
    """A table that starts tiny, so that small inputs cross many doublings."""
    return CompiledWordTable(kernels.count_block, kernels.rehash, words=words, pool_bytes=pool_bytes)


DIGITS = bytes(c for c in range(33, 127) if c != ord("z"))  # printable ASCII; z pads


def word(i: int, length: int) -> bytes:
    """Distinct words of at least ``length`` bytes: i in base 93, padded with z.
    Short: two bytes cover 8,649 words, so blocks hold many words in few bytes."""
    digits = bytearray()
    while True:
        i, digit = divmod(i, len(DIGITS))
        digits.append(DIGITS[digit])
        if i == 0:
            break
    return bytes(digits) + b"z" * max(0, length - len(digits))


class Twins:
    """The compiled table and the Python one fed the same blocks; every answer compared."""

    def __init__(self, compiled):
        self.compiled, self.python = compiled, PythonWordTable()
        self.made = 0  # distinct words made so far (not counting prunes)

    def new_words(self, count: int, length: int):
        made = [word(self.made + i, length) for i in range(count)]
        self.made += count
        return made

    def add(self, block: bytes) -> None:
        got, expected = self.compiled.add(block), self.python.add(block)
        np.testing.assert_array_equal(got, expected)
        self.check()

    def prune(self, keep) -> None:
        np.testing.assert_array_equal(self.compiled.prune(keep.copy()), self.python.prune(keep.copy()))
        self.check()

    def check(self) -> None:
        assert len(self.compiled) == len(self.python)
        assert self.compiled.words() == self.python.words()
        np.testing.assert_array_equal(self.compiled.counts(), self.python.counts())


def block_of(words, separator=b" ") -> bytes:
    return separator.join(words) + separator if words else b""


# One block: which array's size it aims at, then what fills it. Aiming at an array
# sizes the block so that, with it, the table needs exactly that array's current
# length + delta (delta -1, 0, +1: just fits, fits exactly, must grow):
#   _offsets, _counts: room for that many words (room: n + bytes // 2 + 1, what
#   the table reserves for a block), _offsets one entry more;
#   _table: twice the room (it stays at most half full); _pool: the words' bytes
#   so far plus the block's. "free": no aim.
# The block is filled with new words (and repeats of old ones) as far as its
# bytes go, then padded with spaces to its exact size. The aim reads the array
# lengths; the check is only the comparison with the Python table.
ARRAYS = ["_offsets", "_counts", "_table", "_pool"]
block_plans = st.lists(
    st.tuples(
        st.sampled_from(ARRAYS + ["free"]),
        st.sampled_from([0, -1, 1]),  # delta
        st.integers(1, 12),           # the new words' length in bytes
        st.integers(0, 3000),         # new words (at most, when aiming)
        st.integers(0, 100),          # repeats of words seen before
        st.booleans(),                # newlines (sentence ends) between words, or spaces
        st.booleans(),                # prune after the block (keep the more frequent half)
    ),
    min_size=1, max_size=10,
)
MAX_BLOCK = 1 << 16


def aimed_size(table: CompiledWordTable, aim: str, delta: int, n: int, used: int):
    """The block size in bytes that puts the table's need for ``aim`` at its length + delta."""
    if aim == "_pool":
        return len(table._pool) + delta - used
    words = {"_offsets": len(table._offsets) - 1, "_counts": len(table._counts),
             "_table": len(table._table) // 2}[aim] + delta
    return 2 * (words - n - 1)


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(plan=block_plans, start_words=st.sampled_from([1, 2, 8]), start_bytes=st.sampled_from([1, 3, 64]),
       seed=st.integers(0, 2**32 - 1))
def test_growth_matches_the_python_table(kernels, plan, start_words, start_bytes, seed):
    """Blocks sized to land on, just below or just past the length of each array,
    from a tiny start: the arrays double many times, one at a time or several
    at once, with prunes in between."""
    rng = np.random.default_rng(seed)
    twins = Twins(compiled_table(kernels, start_words, start_bytes))
    for aim, delta, length, new, repeats, newlines, prune in plan:
        n, used = len(twins.python), sum(map(len, twins.python.words()))
        size = None if aim == "free" else aimed_size(twins.compiled, aim, delta, n, used)
        if size is not None and not 0 <= size <= MAX_BLOCK:
            size = None
        words = twins.new_words(new if size is None else min(new, size // 2 + 1), length)
        seen = twins.python.words()
        if seen and repeats:
            words += [seen[i] for i in rng.integers(0, len(seen), repeats)]
        rng.shuffle(words)
        separator = b"\n" if newlines else b" "
        block = block_of(words, separator)
        if size is not None:
            block = block[:size]
            block = block[: block.rfind(separator) + 1]  # whole words only
            block += b" " * (size - len(block))
        twins.add(block)
        if prune and len(twins.python):
            counts = twins.python.counts()
            keep = np.zeros(len(counts), bool)
            keep[np.argsort(-counts, kind="stable")[: (len(counts) + 1) // 2]] = True
            twins.prune(keep)


# Exactly at each boundary: a block whose room (n + bytes // 2 + 1 words, its bytes in
# the pool) is 2^k - 1, 2^k or 2^k + 1, then a block of new words that fills
# that room, then one more. Issue 14: room for exactly 2^k words grew _offsets
# (which needs 2^k + 1) but not _counts, and the next block counted past its end.
@pytest.mark.parametrize("k", range(1, 13))
@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_words_at_a_power_of_two(kernels, k, delta):
    twins = Twins(compiled_table(kernels))
    first = b"z " * (2 ** k + delta - 1)  # room for exactly 2^k + delta words, one of them new
    twins.add(first)
    # as many one- and two-byte-separated new words as the room allows without growing again
    words = twins.new_words(2 ** k + 2, 1)
    twins.add(block_of(words))
    twins.add(block_of(twins.new_words(3, 1) + words[:5]))


@pytest.mark.parametrize("k", range(2, 16))
@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_pool_bytes_at_a_power_of_two(kernels, k, delta):
    """The words' bytes fill the pool to 2^k + delta, then the next block's words follow."""
    total = 2 ** k + delta
    twins = Twins(compiled_table(kernels, pool_bytes=4))
    words = twins.new_words((total - 2) // 8, 7)  # 8 bytes each with the separator
    words.append(b"~" * (total - 8 * len(words) - 1))  # the rest, but for its separator
    block = block_of(words)
    assert len(block) == total
    twins.add(block)
    twins.add(block_of(twins.new_words(50, 7)))
    # one word and no separator: its bytes alone fill the pool to 2^k + delta
    twins = Twins(compiled_table(kernels, pool_bytes=4))
    twins.add(b"~" * total)
    twins.add(b"~" * (total + 1) + b" ~")


def test_default_sizes_counts_past_the_first_offsets_doubling(kernels):
    """The crash of issue 14 at the real starting sizes: room for exactly 2^15
    words (so _offsets doubled to 2^16), then 35,000 new words in one block."""
    twins = Twins(CompiledWordTable(kernels.count_block, kernels.rehash))
    twins.add(b"z " * (2 ** 15 - 1))  # "z": never one of word()'s words
    short = twins.new_words(34_000, 1)  # 1 to 3 bytes: room for 31,816 more words, no growth
    twins.add(block_of(short))
    assert len(twins.compiled) == 34_001


def test_starting_words_must_be_a_power_of_two(kernels):
    with pytest.raises(ValueError, match="power of two"):
        compiled_table(kernels, words=3)


def test_more_words_than_int32_ids_is_an_error(kernels, monkeypatch):
    monkeypatch.setattr(word_table, "MAX_WORDS", 100)
    table = compiled_table(kernels)
    table.add(b"x " * 99)  # room for 100 words: fits
    with pytest.raises(OverflowError, match="int32"):
        table.add(b"y " * 99)  # 1 + 100 words would not
