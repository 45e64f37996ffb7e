"""Running the kernel: chunks, threads, learning-rate schedule, progress, NaN and Ctrl-C.

The encoded corpus is cut into chunks of about ``CHUNK_WORDS`` words, ending at
a sentence end where one is near. Worker threads take chunks in order from a
shared counter and call the kernel, which releases the GIL, on the same
matrices without locks (Hogwild). Everything a chunk's result depends on, its
random seed and its learning rates, is a function of its position in the
corpus, never of the thread that runs it: with one thread and a seed, two runs
give identical vectors.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Callable, List, Optional

import numpy as np

from .config import Settings
from .corpus import SENTENCE_END
from .errors import CorpusError, TrainingDiverged
from .history import EpochTally
from .huffman import huffman_paths
from .id_cache import release
from .kernel_constants import CBOW, SKIPGRAM_BATCHED, SKIPGRAM_CLASSIC, SUBWORD_CBOW, SUBWORD_SKIPGRAM
from .sampling import alias_table, keep_probabilities, logistic_table, noise_distribution

if TYPE_CHECKING:
    from .subwords import SubwordTable

# the settings' kernel methods; CBOW has one update per window either way
METHODS = {("cbow", "classic"): CBOW, ("cbow", "batched"): CBOW,
           ("skipgram", "classic"): SKIPGRAM_CLASSIC, ("skipgram", "batched"): SKIPGRAM_BATCHED}
SUBWORD_METHODS = {"cbow": SUBWORD_CBOW, "skipgram": SUBWORD_SKIPGRAM}  # train_chunk_subword's
CHUNK_WORDS = 65_536  # ~0.1 s of work per call: Ctrl-C and progress stay responsive
POLL_SECONDS = 0.1


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


@dataclass
class TrainingStats:
    """What a training run did: words, wall seconds and mean loss."""

    words: int = 0  # words processed, all epochs (before subsampling)
    seconds: float = 0.0
    loss: float = 0.0  # mean over positive examples, of the positive + its noise words
    skipped_words: int = 0  # train_more: occurrences per pass of words not in the vocabulary
    invalid_bytes: int = 0  # invalid UTF-8 bytes replaced or dropped in the corpus (unicode_errors)
    kernel: str = ""  # the kernel build that ran (_backend.BUILDS): exact repeats need the same one

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0


def most_targets(settings: Settings, tables: Tables) -> int:
    """The most output rows one centre word predicts: its Huffman path (with
    hierarchical softmax), then the centre and its noise words (with negatives)."""
    longest_path = int(np.diff(tables.path_offsets).max(initial=0))
    return longest_path + (1 + settings.negative if settings.negative else 0)


def work_shape(window: int, targets: int, dim: int):
    """Float scratch of one kernel call: a row per context word of a window (CBOW
    uses the first two for its gradient and mean), three spare rows (batched
    skip-gram's padding), then a row per target."""
    return 2 * window + 3 + targets, dim


def input_rows(vocab_size: int, settings: Settings) -> int:
    """Rows of w_in: one per word, then, with subwords (maxn > 0), one per n-gram bucket."""
    return vocab_size + (settings.buckets if settings.maxn else 0)


def output_rows(vocab_size: int, settings: Settings) -> int:
    """Rows of w_out: one per word for negative sampling, then one per inner node of the Huffman tree."""
    return (vocab_size if settings.negative else 0) + (vocab_size - 1 if settings.hs else 0)


def chunk_bounds(ids: np.ndarray, target: int = CHUNK_WORDS) -> np.ndarray:
    """Start positions of chunks (plus the end), cut after a sentence end when one
    lies in the second half of a chunk, else at ``target``: a cut inside a very
    long sentence is just one more sentence cut. Looks at one chunk at a time,
    so memory does not grow with the corpus."""
    bounds = [0]
    n = len(ids)
    while bounds[-1] + target < n:
        start = bounds[-1]
        half = start + target // 2  # the last sentence end at or after this position
        ends = np.flatnonzero(ids[half: start + target] == SENTENCE_END)
        bounds.append(half + int(ends[-1]) + 1 if len(ends) else start + target)
        release(ids, start, start + target)
    bounds.append(n)
    return np.asarray(bounds, dtype=np.int64)


# What keeps the kernels' writes in bounds. train_chunk and train_chunk_subword
# (Cython: no bounds checks outside FASTEMB_DEBUG=1 builds; Numba: none unless
# NUMBA_BOUNDSCHECK=1) index these arrays with values read from other arrays, so
# a wrong size or a stray id writes over other memory instead of failing.
# train() checks every row below once per run (tables, matrices, ids: O(V + N),
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
# work          2 * window context rows, 3 spare, targets    work_shape(); subword 2 rows (same)
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


def init_matrices(vocab_size: int, settings: Settings):
    """word2vec.c's start: input vectors uniform in [-0.5/dim, 0.5/dim), output vectors zero.
    With subwords (maxn > 0) the input matrix has ``buckets`` more rows, one per
    n-gram bucket, drawn alike (see subwords.py)."""
    w_in = random_input_rows(input_rows(vocab_size, settings), settings.dim, settings.seed)
    return w_in, np.zeros((output_rows(vocab_size, settings), settings.dim), dtype=np.float32)


def random_input_rows(rows: int, dim: int, seed) -> np.ndarray:
    """New input vectors: uniform in [-0.5/dim, 0.5/dim), float32, drawn from ``seed``."""
    w_in = np.random.default_rng(seed).random((rows, dim), dtype=np.float32)
    w_in -= 0.5
    w_in /= dim
    return w_in


def grow_matrices(w_in: np.ndarray, w_out: np.ndarray, vocab_size: int, added: int, seed) -> tuple:
    """Copies of both matrices with ``added`` rows inserted after the first
    ``vocab_size`` (the word rows; any rows after them stay after them): input
    rows drawn as init_matrices draws them (from ``seed``), output rows zero.
    Negative sampling's output rows only: hierarchical softmax's inner nodes
    belong to a tree that changes with the vocabulary."""
    dim = w_in.shape[1]
    return (np.concatenate([w_in[:vocab_size], random_input_rows(added, dim, seed), w_in[vocab_size:]]),
            np.concatenate([w_out[:vocab_size], np.zeros((added, dim), np.float32), w_out[vocab_size:]]))


def chunk_seed(seed: int, epoch: int, chunk: int) -> np.uint64:
    """A 64-bit seed for one chunk of one epoch, independent of thread scheduling."""
    return np.random.SeedSequence([seed, epoch, chunk]).generate_state(1, np.uint64)[0]


class _Progress:
    """Counts words done across threads and draws the bar (tqdm), if asked."""

    def __init__(self, total: int, show: bool, done: int = 0):
        self.done = done  # before this process: a resumed run's bar starts where the checkpoint was
        self.loss = 0.0
        self.examples = 0
        self.lock = threading.Lock()
        self.bar = None
        if show:
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=done, unit="word", unit_scale=True, smoothing=0.1,
                            mininterval=0.5)

    def add(self, words: int, loss: float, examples: int) -> None:
        with self.lock:
            self.done += words
            self.loss += loss
            self.examples += examples

    def draw(self, lr: float, recent_loss: float) -> None:
        if self.bar is not None:
            self.bar.n = self.done
            # no loss until a chunk has reported one, rather than "loss=nan"
            shown = {"lr": f"{lr:.5f}"} if math.isnan(recent_loss) else {"lr": f"{lr:.5f}", "loss": f"{recent_loss:.4f}"}
            self.bar.set_postfix(refresh=False, **shown)
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@dataclass
class Position:
    """Where a run stands between chunks: jobs (epoch x chunks_per_epoch + chunk)
    below ``next_job`` are done. What a checkpoint saves and a resume starts from."""

    next_job: int = 0
    chunks_per_epoch: int = 0
    words_per_epoch: int = 0  # entries of the encoded corpus, sentence ends included
    tally: Optional[dict] = None  # history.EpochTally.state() of unfinished epochs
    seconds: float = 0.0  # wall time of the run before this point

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class RunControl:
    """What a run does besides training: start where a checkpoint left off, save
    one every ``checkpoint_seconds``, tell ``on_epoch`` about each finished epoch.
    ``checkpoint_seconds=0`` saves one after every ``threads`` chunks, at places
    that depend on the job count only, never on timing.
    The callbacks run on the calling (main) thread while no chunk is in flight
    (``checkpoint``) or between polls (``on_epoch``)."""

    start: Optional[Position] = None
    checkpoint: Optional[Callable[[Position], None]] = None
    checkpoint_seconds: float = math.inf
    on_epoch: Optional[Callable[[int, float, int, float, float, float], None]] = None


class _Jobs:
    """The shared job counter: hands out job numbers in order until ``end``
    (the run's end, or where the next checkpoint is due)."""

    def __init__(self, first: int, end: int):
        self.next, self.end = first, end
        self.lock = threading.Lock()

    def take(self) -> Optional[int]:
        with self.lock:
            if self.next >= self.end:
                return None
            self.next += 1
            return self.next - 1


def train(kernel: Callable, w_in: np.ndarray, w_out: np.ndarray, ids: np.ndarray, tables: Tables,
          settings: Settings, progress: bool = False, control: Optional[RunControl] = None,
          subwords: Optional["SubwordTable"] = None) -> TrainingStats:
    """Run ``settings.epochs`` passes of ``kernel`` over ``ids``, updating w_in and w_out in place.

    With ``subwords``, ``kernel`` is ``train_chunk_subword`` and w_in has a row
    per word and per n-gram bucket (see subwords.py).

    The learning rate falls linearly from ``alpha`` at the first word of the
    first epoch to ``min_alpha`` at the last word of the last one. Raises
    TrainingDiverged if the loss becomes NaN or infinite (the matrices are then
    garbage), and KeyboardInterrupt within about a second of Ctrl-C, after the
    threads have stopped.

    ``control`` (see RunControl) resumes from a Position, and saves checkpoints:
    when one is due, the threads stop taking chunks, finish the ones they hold,
    and stop; the checkpoint is saved; new threads continue from the next chunk.
    Since a chunk's seed and learning rates depend only on its position, a run
    resumed with one thread gives the vectors of an uninterrupted one.
    """
    check_kernel_inputs(w_in, w_out, ids, tables, settings, subwords)
    control = control or RunControl()
    start = control.start or Position()
    bounds = chunk_bounds(ids)
    n_chunks = len(bounds) - 1
    words_per_epoch = len(ids)
    if start.next_job and (start.chunks_per_epoch, start.words_per_epoch) != (n_chunks, words_per_epoch):
        raise CorpusError(f"the corpus has {words_per_epoch:,} words and sentence ends in {n_chunks} chunks; "
                          f"the checkpoint was taken on {start.words_per_epoch:,} in {start.chunks_per_epoch}: "
                          "resume with the same corpus")
    total = words_per_epoch * settings.epochs
    epoch_done, chunk_done = divmod(start.next_job, n_chunks)
    meter = _Progress(total, progress, done=epoch_done * words_per_epoch + int(bounds[chunk_done]))
    tally = EpochTally(settings.epochs, n_chunks, start.tally)
    stop = threading.Event()  # Ctrl-C or a failure: threads return after their chunk
    pause = threading.Event()  # a checkpoint is due: the same, then training goes on
    failure: List[BaseException] = []
    all_jobs = settings.epochs * n_chunks
    jobs = _Jobs(start.next_job, all_jobs)
    # a time-based checkpoint lands wherever the chunks stand when it is due; 0 minutes asks for each batch
    every_batch = control.checkpoint is not None and control.checkpoint_seconds == 0
    if subwords is None:
        method = METHODS[settings.model, settings.kernel]
    else:
        method = SUBWORD_METHODS[settings.model]

    def lr_at(position: int) -> float:
        return settings.alpha - (settings.alpha - settings.min_alpha) * (position / max(total - 1, 1))

    def worker() -> None:
        sentence = np.empty(settings.max_sentence_length, np.int32)
        n_targets = most_targets(settings, tables)
        targets = np.empty(2 * n_targets, np.int32)  # this window's and the next
        signs = np.empty(2 * n_targets, np.float32)
        work = np.empty(work_shape(settings.window, n_targets, settings.dim), np.float32)
        # train_chunk_subword draws a whole window's examples before composing its input vector
        subword_targets = np.empty(2 * settings.window * (1 + settings.negative), np.int32)
        subword_signs = np.empty(len(subword_targets), np.float32)
        try:
            if subwords is None:
                check_scratch(sentence, targets, signs, work, settings, n_targets, subword=False)
            else:
                check_scratch(sentence, subword_targets, subword_signs, work[:2], settings, n_targets, subword=True)
            while not stop.is_set() and not pause.is_set():
                job = jobs.take()
                if job is None:
                    return
                epoch, chunk = divmod(job, n_chunks)
                begin, end = int(bounds[chunk]), int(bounds[chunk + 1])
                offset = epoch * words_per_epoch
                lr_first, lr_last = lr_at(offset + begin), lr_at(offset + end - 1)
                if subwords is None:
                    loss, examples, _ = kernel(
                        method, w_in, w_out, ids[begin:end], tables.keep_prob, tables.noise_prob,
                        tables.noise_alias, tables.path_offsets, tables.path_rows, tables.path_signs,
                        tables.logistic, sentence, targets, signs, work, settings.window, settings.negative,
                        lr_first, lr_last, chunk_seed(settings.seed, epoch, chunk),
                    )
                else:
                    loss, examples, _ = kernel(
                        method, w_in, w_out, subwords.offsets, subwords.rows, ids[begin:end], tables.keep_prob,
                        tables.noise_prob, tables.noise_alias, tables.logistic, sentence, subword_targets,
                        subword_signs, work[:2],
                        settings.window, settings.negative, lr_first, lr_last,
                        chunk_seed(settings.seed, epoch, chunk),
                    )
                if not math.isfinite(loss):
                    raise TrainingDiverged(
                        f"training diverged (loss is {loss}) at epoch {epoch + 1}; "
                        f"lower --alpha (now {settings.alpha})"
                    )
                release(ids, begin, end)  # the page cache keeps them for the next epoch
                meter.add(end - begin, loss, examples)
                tally.add(epoch, loss, examples)
        except BaseException as error:  # reported by the main thread
            failure.append(error)
            stop.set()

    def report_epochs() -> None:
        for epoch, loss, examples, seconds in tally.report():
            if control.on_epoch is not None:
                first = epoch * words_per_epoch
                control.on_epoch(epoch, loss, examples, seconds, lr_at(first), lr_at(first + words_per_epoch - 1))

    started = time.perf_counter()
    last_checkpoint = started
    threads: List[threading.Thread] = []
    try:
        seen_loss, seen_examples, recent = 0.0, 0, float("nan")
        while True:
            jobs.end = min(jobs.next + settings.threads, all_jobs) if every_batch else all_jobs
            threads = [threading.Thread(target=worker, daemon=True, name=f"fastemb-{i}")
                       for i in range(settings.threads)]
            for thread in threads:
                thread.start()
            for thread in threads:
                while thread.is_alive():
                    thread.join(POLL_SECONDS)
                    loss, examples = meter.loss, meter.examples
                    if examples > seen_examples:
                        recent = (loss - seen_loss) / (examples - seen_examples)
                        seen_loss, seen_examples = loss, examples
                    meter.draw(lr_at(meter.done), recent)
                    report_epochs()
                    if (control.checkpoint is not None and not every_batch
                            and time.perf_counter() - last_checkpoint >= control.checkpoint_seconds):
                        pause.set()
            meter.draw(lr_at(meter.done), recent)
            if failure:
                raise failure[0]
            report_epochs()
            if jobs.next >= all_jobs or control.checkpoint is None:
                break
            control.checkpoint(Position(jobs.next, n_chunks, words_per_epoch, tally.state(),
                                        start.seconds + time.perf_counter() - started))
            last_checkpoint = time.perf_counter()
            pause.clear()
    except BaseException:  # Ctrl-C, or a callback's error: stop the threads first
        stop.set()
        for thread in threads:
            if thread.ident is not None:  # Ctrl-C may land between creating and starting them
                thread.join()
        raise
    finally:
        meter.close()
    return TrainingStats(meter.done, start.seconds + time.perf_counter() - started, tally.mean_loss())
