"""A data-parallel run, from the corpus to a trained model: shards, one vocabulary, rounds.

``Model.train(corpus, workers=4, cluster="auto")`` comes here when ``workers``
is above 1 or a ``cluster`` is given. The corpus is cut into one shard per
worker (shards.py); each worker counts its own shard, the counts are merged
into the single machine's vocabulary (shard_vocab.py); each worker encodes
its shard on it and trains in rounds of ``sync_words`` words, merged after
every round (rounds.py, row_merge.py). The workers are Ray actors
(ray_cluster.py) or, with ``cluster="simulate"``, virtual workers run one after
another in this process.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Tuple

import numpy as np

from . import sentences, trainer
from ._backend import kernel_for
from .errors import CorpusError
from .progress import Bar, Progress
from .rounds import (RoundHook, RoundRecord, SimulatedPool, default_hot_splits, default_sync_words, rounds_per_epoch,
                     run_rounds)
from .shard_vocab import merged_vocab
from .shard_worker import Schedule
from .shards import plan_shards
from .vocab import Vocab

log = logging.getLogger("fastemb")
SIMULATE = "simulate"  # cluster= value: N virtual workers in this process, one after another
MAX_WORKERS = 4096
HOT_ROWS = 4096  # the most frequent words' rows: merged more often, with momentum (row_merge.py)


def check_arguments(workers, cluster, sync_words) -> None:
    """One-line ValueErrors for bad ``workers``, ``cluster`` or ``sync_words``, before anything is read."""
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise ValueError(f"workers={workers!r}: give a whole number of workers from 1 to {MAX_WORKERS} "
                         "(1: this process alone)")
    if cluster is not None and (not isinstance(cluster, str) or not cluster.strip()):
        raise ValueError(f"cluster={cluster!r}: give \"auto\", \"{SIMULATE}\" or a Ray address such as "
                         "\"ray://head:10001\"")
    if sync_words is not None and (isinstance(sync_words, bool) or not isinstance(sync_words, int) or sync_words < 1):
        raise ValueError(f"sync_words={sync_words!r}: give the words each worker trains between merges, 1 or more "
                         "(None: 4,000,000 / workers squared)")


def is_distributed(workers: int, cluster: Optional[str]) -> bool:
    """Whether a run goes through the workers' rounds (else: today's single-process trainer)."""
    return workers > 1 or cluster is not None


@dataclass
class DistributedRun:
    """What a data-parallel run gives the model."""

    vocab: Vocab
    w_in: np.ndarray
    w_out: np.ndarray
    tokens: int
    seconds: float
    loss: float
    build: str
    rounds: List[RoundRecord] = field(default_factory=list)
    invalid_bytes: int = 0


def train_distributed(corpus_paths, settings, workers: int, cluster: Optional[str], sync_words: Optional[int] = None,
                      progress: Progress = False, on_epoch: Optional[Callable] = None,
                      on_round: Optional[RoundHook] = None, pool=None, rule: str = "momentum",
                      hot_rows: int = HOT_ROWS, hot_splits: Optional[int] = None) -> DistributedRun:
    """Train from scratch on ``workers`` workers (see the module's note).
    ``on_round(record, pool)`` after each
    merge; ``pool``: workers already made (tests), else made here; ``rule``:
    the merge rule (row_merge.RULES; the default unless measuring another);
    ``hot_rows`` > 0: the rows of the ``hot_rows`` most frequent words are
    merged ``hot_splits`` times per round of ``sync_words`` (None:
    rounds.default_hot_splits), the others once (pWord2Vec's frequent rows
    merged more often), and are the rows the "momentum" rule gives momentum
    (the others take the sum).
    ``on_epoch(tokens, epoch, loss, examples, seconds, alpha_start, alpha_end)``
    after each epoch, ``tokens`` being the corpus's words."""
    if sentences.given(corpus_paths):
        raise CorpusError("workers > 1 read the corpus from files on every node: give file or directory paths, "
                          "not sentences from Python")
    if settings.phrases or settings.maxn:
        raise ValueError("phrases and subwords (maxn > 0) are not supported with workers > 1 yet; "
                         "train them with workers=1")
    _, build = kernel_for(settings)
    sync_words = sync_words or default_sync_words(workers)
    if pool is None:
        shards = plan_shards(corpus_paths, workers)
        if cluster == SIMULATE:
            pool = SimulatedPool(shards, settings)
        else:
            from .ray_cluster import RayPool

            pool = RayPool(shards, settings, cluster or "auto")
    started = time.perf_counter()
    bar = Bar(False, "training")
    try:
        counted = pool.count()
        vocab = merged_vocab(counted, settings.min_count, settings.max_vocab)
        if any(c.pruned for c in counted):
            log.warning("a shard had more than %s distinct words: its rarest were pruned while counting; "
                        "counts are lower bounds (--max-words-counting)", f"{settings.max_words_counting:,}")
        tokens = sum(c.tokens for c in counted)
        log.info("read %s words on %d workers; vocabulary %s words (min_count=%d) in %.1f s", f"{tokens:,}",
                 pool.size, f"{len(vocab):,}", settings.min_count, time.perf_counter() - started)
        entries = pool.encode(vocab.words)
        splits = (hot_splits or default_hot_splits(workers)) if hot_rows else 1
        schedule = Schedule(sum(entries), settings.epochs, rounds_per_epoch(entries, max(sync_words // splits, 1)),
                            settings.alpha, settings.min_alpha, hot_rows, splits)
        w_in, w_out = trainer.init_matrices(len(vocab), settings)
        pool.start(w_in, w_out, vocab.counts, schedule)
        log.info("training %s on %d workers x %d thread(s), %d round(s) of up to %s words per epoch",
                 settings.model, pool.size, settings.threads, schedule.rounds, f"{sync_words:,}")
        bar = Bar(progress, "training", sum(entries) * settings.epochs)
        epoch_hook = (lambda *record: on_epoch(tokens, *record)) if on_epoch is not None else None
        records, loss = run_rounds(pool, (w_in, w_out), schedule, epoch_hook, on_round=on_round,
                                   progress=lambda done, _seconds: bar.update(done),
                                   rule=rule)
    finally:
        bar.close()
        pool.close()
    return DistributedRun(vocab, w_in, w_out, tokens, time.perf_counter() - started, loss, build, records,
                          sum(c.invalid_bytes for c in counted))


def worker_matrices(pool) -> List[Tuple[np.ndarray, np.ndarray]]:
    """Every worker's copy of (w_in, w_out) (tests: all equal the merged state at the end)."""
    return pool.matrices()
