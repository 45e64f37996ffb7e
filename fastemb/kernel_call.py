"""One kernel's call: the tables all calls share, the scratch each thread
needs, the arguments of one chunk, and the checks that keep the kernels'
writes in bounds.

``train_chunk`` (negative sampling and/or hierarchical softmax) and
``train_chunk_subword`` (input vectors composed of n-gram rows) take different
arrays. The trainer's thread pool (trainer.py) knows neither: it asks a
:class:`KernelCall` for one thread's scratch, then runs chunks with it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional, Tuple

import numpy as np

from .config import Settings
from .huffman import huffman_paths
from .id_cache import release
from .kernel_constants import CBOW, SENTENCE_END, SKIPGRAM_BATCHED, SKIPGRAM_CLASSIC, SUBWORD_CBOW, SUBWORD_SKIPGRAM
from .sampling import alias_table, keep_probabilities, logistic_table, noise_distribution

if TYPE_CHECKING:
    from .subwords import SubwordTable

# the settings' kernel methods; CBOW has one update per window either way
METHODS = {("cbow", "classic"): CBOW, ("cbow", "batched"): CBOW,
           ("skipgram", "classic"): SKIPGRAM_CLASSIC, ("skipgram", "batched"): SKIPGRAM_BATCHED}
SUBWORD_METHODS = {"cbow": SUBWORD_CBOW, "skipgram": SUBWORD_SKIPGRAM}  # train_chunk_subword's

@dataclass
class Tables:
    """The read-only arrays every kernel call shares."""

    keep_prob: np.ndarray
    noise_prob: np.ndarray
    noise_alias: np.ndarray
    path_offsets: np.ndarray  # hierarchical softmax: each word's Huffman path (CSR), all 0 without it
    path_rows: np.ndarray  # w_out rows of the path nodes
    path_signs: np.ndarray
    logistic: np.ndarray

    @classmethod
    def build(cls, counts: np.ndarray, settings: Settings) -> "Tables":
        accept, alias = alias_table(noise_distribution(counts))
        if settings.hs:
            paths = huffman_paths(counts)
            # inner nodes' rows follow the noise words' rows (none with negative=0)
            rows = paths.nodes + np.int32(len(counts) if settings.negative else 0)
            offsets, signs = paths.offsets, paths.signs
        else:
            offsets = np.zeros(len(counts) + 1, np.int64)
            rows, signs = np.empty(0, np.int32), np.empty(0, np.float32)
        return cls(keep_probabilities(counts, settings.sample), accept, alias, offsets, rows, signs,
                   logistic_table())


def most_targets(settings: Settings, tables: Tables) -> int:
    """The most output rows one centre word predicts: its Huffman path (with
    hierarchical softmax), then the centre and its noise words (with negatives)."""
    longest_path = int(np.diff(tables.path_offsets).max(initial=0))
    return longest_path + (1 + settings.negative if settings.negative else 0)


def work_shape(window: int, targets: int, dim: int):
    """Float scratch of one kernel call: first rows for a row per context word of a
    window and three spare (batched skip-gram's steps and padding), or, where that
    is more, for the in-place batched kernel's steps (one float per context word
    and target, packed); CBOW uses the first two for its gradient and mean. Then a
    row per target."""
    steps_rows = -(-2 * window * targets // dim)  # ceil
    return max(2 * window + 3, steps_rows) + targets, dim


# What keeps the kernels' writes in bounds. train_chunk and train_chunk_subword
# (Cython: no bounds checks outside FASTEMB_DEBUG=1 builds; Numba: none unless
# NUMBA_BOUNDSCHECK=1) index these arrays with values read from other arrays, so
# a wrong size or a stray id writes over other memory instead of failing.
# trainer.train checks every row below once per run (tables, matrices, ids: O(V + N),
# before the threads start) and once per worker thread (scratch: O(1)); none of it
# is in the loops.
#
# ============= ============================================ ====================================
# written       index                                         in bounds because (checked by)
# ============= ============================================ ====================================
# w_in rows     word id from ids (and, subword: rows[...])    -1 <= id < V = len(keep_prob) <=
#                                                             w_in rows; rows[] < w_in rows
#                                                             (check_kernel_inputs)
# w_in columns  k < dim = w_in.shape[1]                       w_out, work have dim columns (same)
# w_out rows    centre < V, alias draw < len(noise_prob),     w_out rows >= V and
#               path_rows[...]                                >= len(noise_prob) with negatives;
#                                                             alias, path_rows < w_out rows (same)
# path_offsets  centre + 1 <= V                               len V + 1, rising, ends within
#                                                             path_rows (same)
# sentence      kept < sentence.shape[0]                      the kernel stops there; capacity
#                                                             >= 1, or it would not advance
#                                                             (check_scratch)
# targets,signs <= most_targets per centre, two sets          2 * most_targets each (same)
#               (subword: 2 * window * (1 + negative))
# work          2 * window + 3 rows (or the packed steps     work_shape(); subword 2 rows (same)
#               if more), then a row per target
# logistic      (z + MAX_Z) * (L - 1) / (2 MAX_Z) < L - 1     z < MAX_Z in the kernel; L >= 2
# counters      examples, kept: int64; loss: float64          a chunk is ~65,536 words
# int32 values  word ids, w_out / w_in row numbers            V <= 10M (scan prunes; the word
#                                                             table refuses > 2**31 - 2); a row
#                                                             number that wrapped is negative:
#                                                             refused (check_kernel_inputs);
#                                                             V + buckets < 2**31 (subwords.py)
# ============= ============================================ ====================================


def check_kernel_inputs(w_in: np.ndarray, w_out: np.ndarray, ids: np.ndarray, tables: Tables,
                        settings: Settings, subwords: Optional["SubwordTable"] = None) -> None:
    """Raise ValueError unless every index the kernels will compute from these
    arrays is in bounds (see the table above). Once per run, not per chunk."""
    vocab_size = len(tables.keep_prob)
    dim = w_in.shape[1]
    _require(w_out.shape[1] == dim, f"w_in has {dim} columns but w_out {w_out.shape[1]}")
    _require(w_in.shape[0] >= vocab_size, f"w_in has {w_in.shape[0]} rows for {vocab_size} words")
    _require(tables.logistic.ndim == 2 and tables.logistic.shape[0] == 2 and tables.logistic.shape[1] >= 2,
             f"logistic table of shape {tables.logistic.shape}, not (2, >= 2)")
    low, high = _id_range(ids)
    _require(low >= SENTENCE_END and high < vocab_size,
             f"the corpus has word ids {low}..{high}, outside -1..{vocab_size - 1} (vocabulary of {vocab_size})")
    if settings.negative:
        n_noise = len(tables.noise_prob)
        _require(w_out.shape[0] >= vocab_size, f"w_out has {w_out.shape[0]} rows for {vocab_size} words")
        _require(1 <= n_noise <= w_out.shape[0] and len(tables.noise_alias) == n_noise,
                 f"noise table of {n_noise} entries ({len(tables.noise_alias)} aliases) for {w_out.shape[0]} rows")
        _require(_within(tables.noise_alias, n_noise), f"noise aliases outside 0..{n_noise - 1}")
    if subwords is None:
        offsets = tables.path_offsets
        _require(len(offsets) == vocab_size + 1, f"{len(offsets)} path offsets for {vocab_size} words")
        _require(offsets[0] >= 0 and bool(np.all(np.diff(offsets) >= 0)) and offsets[-1] <= len(tables.path_rows)
                 and len(tables.path_signs) == len(tables.path_rows), "path offsets do not index path_rows")
        _require(_within(tables.path_rows, w_out.shape[0]), f"path rows outside w_out's {w_out.shape[0]} rows")
    else:
        offsets = subwords.offsets
        _require(len(offsets) == vocab_size + 1 and offsets[0] == 0 and offsets[-1] == len(subwords.rows)
                 and bool(np.all(np.diff(offsets) >= 1)),
                 f"subword offsets ({len(offsets)}) are not a row list for each of {vocab_size} words")
        _require(_within(subwords.rows, w_in.shape[0]), f"subword rows outside w_in's {w_in.shape[0]} rows")


def check_scratch(sentence: np.ndarray, targets: np.ndarray, signs: np.ndarray, work: np.ndarray,
                  settings: Settings, n_targets: int, subword: bool) -> None:
    """Raise ValueError unless one thread's scratch arrays hold what a kernel call
    writes (see the table above). O(1): once per worker thread."""
    needed = 2 * settings.window * (1 + settings.negative) if subword else 2 * n_targets
    rows = 2 if subword else work_shape(settings.window, n_targets, settings.dim)[0]
    _require(len(sentence) >= 1, "sentence buffer of 0 words: the kernel would never advance")
    _require(len(targets) >= needed and len(signs) >= len(targets),
             f"targets/signs of {len(targets)}/{len(signs)} entries, need {needed}")
    _require(work.shape[0] >= rows and work.shape[1] == settings.dim,
             f"work of shape {work.shape}, need ({rows}, {settings.dim})")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(f"kernel arguments out of bounds: {message}")


def _within(values: np.ndarray, size: int) -> bool:
    return len(values) == 0 or (int(values.min()) >= 0 and int(values.max()) < size)


def _id_range(ids: np.ndarray, block: int = 1 << 22):
    """Smallest and largest id, a block at a time (ids may be a memory map larger than memory)."""
    low, high = SENTENCE_END, SENTENCE_END
    for start in range(0, len(ids), block):
        part = ids[start: start + block]
        low, high = min(low, int(part.min())), max(high, int(part.max()))
        release(ids, start, start + len(part))
    return low, high


class KernelCall:
    """``train_chunk``'s call for one run: the method, matrices and tables fixed,
    the scratch per thread, the ids, learning rates and seed per chunk."""

    def __init__(self, kernel: Callable, w_in: np.ndarray, w_out: np.ndarray, tables: Tables, settings: Settings):
        self.kernel, self.w_in, self.w_out, self.tables, self.settings = kernel, w_in, w_out, tables, settings
        self.method = METHODS[settings.model, settings.kernel]
        self.n_targets = most_targets(settings, tables)

    def scratch(self) -> tuple:
        """One thread's buffers: (sentence, targets, signs, work), checked to hold what a call writes."""
        s = self.settings
        buffers = (np.empty(s.max_sentence_length, np.int32),
                   np.empty(2 * self.n_targets, np.int32),  # this window's targets and the next's
                   np.empty(2 * self.n_targets, np.float32),
                   np.empty(work_shape(s.window, self.n_targets, s.dim), np.float32))
        check_scratch(*buffers, s, self.n_targets, subword=False)
        return buffers

    def run(self, scratch: tuple, ids: np.ndarray, lr_first: float, lr_last: float, seed) -> Tuple[float, int]:
        """Train on one chunk of ids; returns (summed loss, examples)."""
        s, t = self.settings, self.tables
        loss, examples, _ = self.kernel(self.method, self.w_in, self.w_out, ids, t.keep_prob, t.noise_prob,
                                        t.noise_alias, t.path_offsets, t.path_rows, t.path_signs, t.logistic,
                                        *scratch, s.window, s.negative, lr_first, lr_last, seed)
        return loss, examples


class SubwordKernelCall(KernelCall):
    """``train_chunk_subword``'s call: input vectors are means of each word's rows."""

    def __init__(self, kernel: Callable, w_in: np.ndarray, w_out: np.ndarray, tables: Tables, settings: Settings,
                 subwords: "SubwordTable"):
        super().__init__(kernel, w_in, w_out, tables, settings)
        self.method, self.subwords = SUBWORD_METHODS[settings.model], subwords

    def scratch(self) -> tuple:
        """(sentence, targets, signs, work): a whole window's examples are drawn
        before its input vector is composed, and work holds that vector and its step."""
        s = self.settings
        n_examples = 2 * s.window * (1 + s.negative)
        buffers = (np.empty(s.max_sentence_length, np.int32), np.empty(n_examples, np.int32),
                   np.empty(n_examples, np.float32), np.empty((2, s.dim), np.float32))
        check_scratch(*buffers, s, self.n_targets, subword=True)
        return buffers

    def run(self, scratch: tuple, ids: np.ndarray, lr_first: float, lr_last: float, seed) -> Tuple[float, int]:
        s, t = self.settings, self.tables
        loss, examples, _ = self.kernel(self.method, self.w_in, self.w_out, self.subwords.offsets, self.subwords.rows,
                                        ids, t.keep_prob, t.noise_prob, t.noise_alias, t.logistic, *scratch,
                                        s.window, s.negative, lr_first, lr_last, seed)
        return loss, examples


def kernel_call(kernel: Callable, w_in: np.ndarray, w_out: np.ndarray, tables: Tables, settings: Settings,
                subwords: Optional["SubwordTable"] = None) -> KernelCall:
    """The call of ``kernel`` (train_chunk, or train_chunk_subword with ``subwords``) for one run."""
    if subwords is None:
        return KernelCall(kernel, w_in, w_out, tables, settings)
    return SubwordKernelCall(kernel, w_in, w_out, tables, settings, subwords)
