"""Running the kernel: chunks, threads, learning-rate schedule, progress, NaN and Ctrl-C
(how one kernel is called, and the bounds of its writes: kernel_call.py).

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
from .id_cache import release
from .kernel_call import Tables, check_kernel_inputs, kernel_call
from .progress import Bar, Progress

if TYPE_CHECKING:
    from .subwords import SubwordTable

CHUNK_WORDS = 65_536  # ~0.1 s of work per call: Ctrl-C and progress stay responsive
POLL_SECONDS = 0.1


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
    """Counts words done across threads and draws the bar, if asked."""

    def __init__(self, total: int, progress: Progress, done: int = 0):
        self.done = done  # before this process: a resumed run's bar starts where the checkpoint was
        self.loss = 0.0
        self.examples = 0
        self.lock = threading.Lock()
        self.bar = Bar(progress, "training", total, initial=done)

    def add(self, words: int, loss: float, examples: int) -> None:
        with self.lock:
            self.done += words
            self.loss += loss
            self.examples += examples

    def draw(self, lr: float, recent_loss: float) -> None:
        # no loss until a chunk has reported one, rather than "loss=nan"
        shown = {"lr": f"{lr:.5f}"} if math.isnan(recent_loss) else {"lr": f"{lr:.5f}", "loss": f"{recent_loss:.4f}"}
        self.bar.move_to(self.done, **shown)

    def close(self) -> None:
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
          settings: Settings, progress: Progress = False, control: Optional[RunControl] = None,
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
    call = kernel_call(kernel, w_in, w_out, tables, settings, subwords)

    def lr_at(position: int) -> float:
        return settings.alpha - (settings.alpha - settings.min_alpha) * (position / max(total - 1, 1))

    def worker() -> None:
        try:
            scratch = call.scratch()
            while not stop.is_set() and not pause.is_set():
                job = jobs.take()
                if job is None:
                    return
                epoch, chunk = divmod(job, n_chunks)
                begin, end = int(bounds[chunk]), int(bounds[chunk + 1])
                offset = epoch * words_per_epoch
                loss, examples = call.run(scratch, ids[begin:end], lr_at(offset + begin), lr_at(offset + end - 1),
                                          chunk_seed(settings.seed, epoch, chunk))
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
