"""One data-parallel worker, without Ray: its shard, its copies of both matrices, its rounds.

A ShardWorker counts its shard (corpus.scan on its pieces), encodes it on the
merged vocabulary, then trains in rounds: each round runs the single-machine
trainer (trainer.train: the compiled kernel, its threads, its NaN and Ctrl-C
handling) on the next slice of the shard, with the learning rate of the GLOBAL
schedule, and returns its changes since the last merge (row_merge.py). The
Ray actor (ray_cluster.py) is this class run remotely, and the simulation
(rounds.SimulatedPool) runs N of them one after another, so both give the same
numbers by construction.

Schedule: every worker goes through its shard in the same number of rounds
per epoch, so after round r of epoch e each has done the fraction
(r + 1) / rounds of its shard; the global word count is then that fraction of
the corpus, and a slice's learning rates are those of the matching global
positions. A round's random draws come from (seed, epoch, worker, round).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import List, Optional, Sequence, Tuple

import numpy as np

from . import corpus, trainer
from ._backend import kernel_for
from .config import Settings
from .row_merge import RowDelta, apply, delta_scratch, row_delta
from .shard_vocab import ShardCounts
from .shards import Piece
from .vocab import Vocab, map_to_vocab


@dataclass(frozen=True)
class Schedule:
    """The global learning-rate schedule: ``corpus_entries`` ids per epoch (all
    shards, sentence ends included), ``epochs`` epochs, ``rounds`` rounds per epoch."""

    corpus_entries: int
    epochs: int
    rounds: int
    alpha: float
    min_alpha: float
    hot_rows: int = 0  # > 0: rounds merge only rows below this (the most frequent words)
    full_every: int = 1  # ...except every full_every-th round and the epoch's last, which merge all

    def full_merge(self, round_: int) -> bool:
        """Whether round ``round_`` merges every changed row (else only the hot rows)."""
        return self.hot_rows == 0 or (round_ + 1) % self.full_every == 0 or round_ == self.rounds - 1

    def lr_at(self, position: float) -> float:
        """The learning rate at a global position (ids from the run's start), as trainer.train's."""
        total = self.corpus_entries * self.epochs
        return self.alpha - (self.alpha - self.min_alpha) * (position / max(total - 1, 1))


@dataclass
class RoundResult:
    """What one worker's round gives the driver."""

    delta: RowDelta  # may be a view of the worker's memory: valid until its next round
    loss: float  # summed over examples
    examples: int
    entries: int  # ids trained (sentence ends included)
    compute_seconds: float  # in the kernel's threads
    delta_seconds: float  # finding the changed rows


def round_seed(seed: int, epoch: int, worker: int, round_: int) -> int:
    """The seed of one worker's round, in [0, 2**63): independent of timing and placement."""
    state = np.random.SeedSequence([seed, epoch, worker, round_]).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(1))


class ShardWorker:
    """Worker ``index`` of a run, on ``pieces`` (shards.Piece) with ``settings``
    (``threads`` is this worker's)."""

    def __init__(self, index: int, pieces: Sequence[Piece], settings: Settings):
        self.index, self.pieces, self.settings = index, list(pieces), settings
        self._scanned: Optional[corpus.ScannedCorpus] = None
        self.ids: Optional[np.ndarray] = None
        self.base: Optional[Tuple[np.ndarray, np.ndarray]] = None  # the last merged state
        self.current: Optional[Tuple[np.ndarray, np.ndarray]] = None  # this worker's copy

    def count(self) -> ShardCounts:
        """Read the shard once: its words and counts (the text waits as provisional ids for encode)."""
        s = self.settings
        self.close()
        self._scanned = scanned = corpus.scan(None, max_words=s.max_words_counting, cache_dir=s.cache_dir,
                                              unicode_errors=s.unicode_errors, pieces=self.pieces)
        return ShardCounts(scanned.words, scanned.counts, scanned.tokens, scanned.entries, len(scanned.prunes),
                           sum(scanned.invalid.per_file.values()))

    def encode(self, words: List[str]) -> int:
        """Encode the counted shard on the merged vocabulary ``words``; returns its ids (sentence ends included)."""
        scanned = self._scanned
        if scanned is None:
            raise RuntimeError("count() the shard before encoding it")
        _, new_id = map_to_vocab(Vocab(words, np.zeros(len(words), np.int64)), scanned.words, scanned.counts)
        scanned.words = []
        self.ids = corpus.encode(scanned, new_id, cache_dir=self.settings.cache_dir)
        self.close()
        return len(self.ids)

    def start(self, w_in: np.ndarray, w_out: np.ndarray, counts: np.ndarray, schedule: Schedule) -> None:
        """Take the merged state (copied twice: the base and this worker's working copy) and the tables."""
        self.base = (np.array(w_in, np.float32), np.array(w_out, np.float32))
        self.current = (self.base[0].copy(), self.base[1].copy())
        self.scratch = delta_scratch((w_in.shape, w_out.shape))  # each round's changes: a view of it
        self.tables = trainer.Tables.build(np.asarray(counts, np.int64), self.settings)
        self.kernel, self.build = kernel_for(self.settings)
        self.schedule = schedule

    def run_round(self, epoch: int, round_: int) -> RoundResult:
        """Train round ``round_`` of ``epoch`` on this worker's copy; return its changes since the last merge."""
        plan, ids = self.schedule, self.ids
        begin, end = (len(ids) * round_ // plan.rounds, len(ids) * (round_ + 1) // plan.rounds)
        loss, examples, compute = 0.0, 0, 0.0
        if end > begin:
            def global_position(local: int) -> float:
                return (epoch + local / len(ids)) * plan.corpus_entries

            settings = replace(self.settings, epochs=1, seed=round_seed(self.settings.seed, epoch, self.index, round_),
                               alpha=plan.lr_at(global_position(begin)),
                               min_alpha=plan.lr_at(global_position(end - 1)))
            tally = []
            control = trainer.RunControl(on_epoch=lambda _e, mean, n, *rest: tally.append((mean * n, n)))
            stats = trainer.train(self.kernel, self.current[0], self.current[1], ids[begin:end], self.tables,
                                  settings, control=control)
            loss, examples = tally[0] if tally else (0.0, 0)
            compute = stats.seconds
        started = time.perf_counter()
        delta = row_delta(self.base, self.current, None if plan.full_merge(round_) else plan.hot_rows, self.scratch)
        return RoundResult(delta, loss, examples, end - begin, compute, time.perf_counter() - started)

    def apply(self, merged: RowDelta) -> None:
        """Take the merged change: base and working copy become the new merged state."""
        apply(merged, self.base, self.current)

    def reset(self, w_in: np.ndarray, w_out: np.ndarray) -> None:
        """Go back to a merged state (after another worker was lost mid-round)."""
        self.base[0][...] = w_in
        self.base[1][...] = w_out
        self.current[0][...] = w_in
        self.current[1][...] = w_out

    def matrices(self) -> Tuple[np.ndarray, np.ndarray]:
        """This worker's working copy of (w_in, w_out)."""
        return self.current

    def close(self) -> None:
        if self._scanned is not None:
            self._scanned.close()
            self._scanned = None
