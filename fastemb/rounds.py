"""The rounds of a data-parallel run: every worker trains a round, the changes are merged, all take the merge.

The driver holds the merged state (both matrices) and asks a *pool* of workers
for each round. Two pools give the same numbers: :class:`SimulatedPool` runs N
ShardWorkers one after another in this process (the deterministic simulation:
quality at N = 16 on a 2-core machine), and ray_cluster.RayPool runs each as a
Ray actor. The last round of an epoch merges everything, so all workers end
each epoch identical (and every round, since every changed row is merged).
Each round records what it moved and what it cost.
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np

from .config import Settings
from .errors import TrainingDiverged
from .row_merge import RowDelta, apply, merge, momentum_state
from .shard_vocab import ShardCounts
from .shard_worker import RoundResult, Schedule, ShardWorker
from .shards import Shard

log = logging.getLogger("fastemb")
SYNC_WORDS_AT_2 = 1_000_000  # words each of 2 workers trains between full merges: --sync-words's default
HOT_SPLITS_MAX = 8  # merges of the frequent rows per round, at most (default_hot_splits)


def default_sync_words(workers: int) -> int:
    """Words each of ``workers`` workers trains between full merges unless
    --sync-words says otherwise: 1,000,000 for 2 workers, falling with the
    square of the workers (62,500 for 8, 15,625 for 16). A merge has to absorb
    more workers' stale changes as either grows; one process's quality held
    at 8 and 16 workers with rounds this short (docs/distributed.md)."""
    return max(1, SYNC_WORDS_AT_2 * 4 // (workers * workers))


def default_hot_splits(workers: int) -> int:
    """Merges of the most frequent words' rows per round of sync words, unless
    told otherwise: workers² / 8 between 1 and HOT_SPLITS_MAX, so 1 for 2
    workers, 2 for 4, 8 from 8 on. Each merge is a round trip to every
    worker, and few workers need few: one process's quality held within a
    point at each of these (docs/distributed.md), and 2 Ray workers spend
    about 6% of a round in the sync with one merge a round, 11% with 8."""
    return min(HOT_SPLITS_MAX, max(1, workers * workers // 8))


@dataclass
class RoundRecord:
    """One round: its place, wall seconds, what moved and where the time went."""

    epoch: int  # 0-based
    round: int
    seconds: float  # wall time of the round, merge included
    compute_seconds: float  # the slowest worker's kernel time (parallel pools) or all workers' (simulation)
    sync_seconds: float  # finding changed rows, moving them, merging, applying
    bytes: int  # changes sent to the driver plus the merge sent back to every worker
    rows: int  # distinct rows in the merge (both matrices)

    def as_dict(self) -> dict:
        return asdict(self)


def rounds_per_epoch(entries: Sequence[int], sync_words: int) -> int:
    """Rounds in an epoch: the largest shard's ids over ``sync_words``, at least 1."""
    return max(1, math.ceil(max(entries) / sync_words))


class SimulatedPool:
    """N virtual workers run one after another in this process: the same rounds
    and merges as on a cluster, without Ray."""

    parallel = False

    def __init__(self, shards: Sequence[Shard], settings: Settings):
        self.workers = [ShardWorker(i, shard, settings) for i, shard in enumerate(shards)]

    @property
    def size(self) -> int:
        return len(self.workers)

    def count(self) -> List[ShardCounts]:
        return [worker.count() for worker in self.workers]

    def encode(self, words: List[str]) -> List[int]:
        return [worker.encode(words) for worker in self.workers]

    def start(self, w_in: np.ndarray, w_out: np.ndarray, counts: np.ndarray, schedule: Schedule) -> None:
        for worker in self.workers:
            worker.start(w_in, w_out, counts, schedule)

    def run_round(self, epoch: int, round_: int) -> List[RoundResult]:
        return [worker.run_round(epoch, round_) for worker in self.workers]

    def apply(self, merged: RowDelta) -> None:
        for worker in self.workers:
            worker.apply(merged)

    def matrices(self) -> List[Tuple[np.ndarray, np.ndarray]]:
        """Every worker's working copy of (w_in, w_out)."""
        return [worker.matrices() for worker in self.workers]

    def close(self) -> None:
        for worker in self.workers:
            worker.close()


RoundHook = Callable[[RoundRecord, object], None]  # (the round just merged, the pool)


def run_rounds(pool, state: Tuple[np.ndarray, np.ndarray], schedule: Schedule,
               on_epoch: Optional[Callable] = None, on_round: Optional[RoundHook] = None,
               progress=None, rule: str = "momentum") -> Tuple[List[RoundRecord], float]:
    """Train ``schedule.epochs`` epochs of ``schedule.rounds`` rounds, merging
    after each into ``state`` (the driver's merged (w_in, w_out), updated in
    place) and into every worker. ``on_epoch(epoch, loss, examples, seconds,
    alpha_start, alpha_end)`` after each epoch; ``on_round(record, pool)``
    after each merge. Returns the rounds' records and the run's mean loss.
    Raises TrainingDiverged when a round's loss is not finite. ``rule``: row_merge.RULES."""
    shapes = (state[0].shape, state[1].shape)
    velocity = momentum_state(shapes, schedule.hot_rows) if rule == "momentum" else None
    records: List[RoundRecord] = []
    run_loss, run_examples = 0.0, 0
    for epoch in range(schedule.epochs):
        epoch_started, epoch_loss, epoch_examples = time.perf_counter(), 0.0, 0
        for round_ in range(schedule.rounds):
            started = time.perf_counter()
            results = pool.run_round(epoch, round_)
            trained = time.perf_counter()
            loss = sum(r.loss for r in results)
            if not math.isfinite(loss):
                raise TrainingDiverged(f"training diverged (loss is {loss}) at epoch {epoch + 1}; "
                                       f"lower --alpha (now {schedule.alpha})")
            merged = merge([r.delta for r in results], shapes, rule, velocity)
            pool.apply(merged)  # first: a cluster's workers apply it while this process does
            apply(merged, state)
            ended = time.perf_counter()
            compute = [r.compute_seconds for r in results]
            kernel = max(compute) if pool.parallel else sum(compute)
            # parallel: the round's wall time past the slowest kernel; simulated: what is not kernel time
            record = RoundRecord(epoch, round_, ended - started, kernel, ended - started - kernel,
                                 sum(r.delta.nbytes for r in results) + merged.nbytes * pool.size, merged.rows)
            records.append(record)
            epoch_loss += loss
            epoch_examples += sum(r.examples for r in results)
            if progress is not None:
                progress(sum(r.entries for r in results), trained - started)
            if on_round is not None:
                on_round(record, pool)
        run_loss, run_examples = run_loss + epoch_loss, run_examples + epoch_examples
        if on_epoch is not None:
            first = epoch * schedule.corpus_entries
            on_epoch(epoch, epoch_loss / max(epoch_examples, 1), epoch_examples, time.perf_counter() - epoch_started,
                     schedule.lr_at(first), schedule.lr_at(first + schedule.corpus_entries - 1))
    return records, run_loss / max(run_examples, 1)
