"""The merge rule: a per-row mean of the workers' changes over the workers that touched the row.

After a round every worker sends, for each matrix, the rows it changed since
the last merge and by how much. The merged change of a row is the mean of the
changes of the workers that changed it; a row no worker touched stays as it
was. Not a sum of full vectors (Spark MLlib's, whose vectors grew without
bound, SPARK-24666), nor a mean over all workers, which would divide a rare
word's update by workers that never saw the word.

Every worker starts a round from the same merged state, so applying the same
merged change leaves them identical again, bit for bit: the arithmetic is
float32 in worker order, the same wherever it runs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import numpy as np


@dataclass
class RowDelta:
    """Changed rows of both matrices: row numbers (int64, rising) and their changes (float32)."""

    rows_in: np.ndarray
    delta_in: np.ndarray
    rows_out: np.ndarray
    delta_out: np.ndarray
    # "adaptive" rule only: per row, (second half's change . first half's, first half's . itself), float32
    halves_in: Optional[np.ndarray] = None
    halves_out: Optional[np.ndarray] = None

    @property
    def nbytes(self) -> int:
        """What moves between processes for this delta."""
        return sum(a.nbytes for a in (self.rows_in, self.delta_in, self.rows_out, self.delta_out,
                                      self.halves_in, self.halves_out) if a is not None)

    @property
    def rows(self) -> int:
        return len(self.rows_in) + len(self.rows_out)


def changed_rows(base: np.ndarray, current: np.ndarray, rows: Optional[np.ndarray] = None
                 ) -> Tuple[np.ndarray, np.ndarray]:
    """(rows where ``current`` differs from ``base``, current - base on them);
    among ``rows`` only, when given (a merge of some rows, see merge_rows)."""
    # np.take, not fancy indexing: the same values, several times faster for whole rows
    if rows is None:
        changed = np.flatnonzero((current != base).any(axis=1))
    else:
        changed = rows[(np.take(current, rows, axis=0) != np.take(base, rows, axis=0)).any(axis=1)]
    return changed, np.take(current, changed, axis=0) - np.take(base, changed, axis=0)


def row_delta(base: Tuple[np.ndarray, np.ndarray], current: Tuple[np.ndarray, np.ndarray],
              rows: Optional[Tuple[np.ndarray, np.ndarray]] = None,
              halfway: Optional[Tuple[np.ndarray, np.ndarray]] = None, lr_ratio: float = 1.0) -> RowDelta:
    """One worker's changes to (w_in, w_out) since ``base``, the last merged state;
    with ``halfway`` (the matrices half-way through the round, whose second
    half's learning rate was ``lr_ratio`` times the first's), also each changed
    row's halves (see merge_gain)."""
    rows = rows or (None, None)
    rows_in, delta_in = changed_rows(base[0], current[0], rows[0])
    rows_out, delta_out = changed_rows(base[1], current[1], rows[1])
    delta = RowDelta(rows_in, delta_in, rows_out, delta_out)
    if halfway is not None:
        delta.halves_in = halves(base[0], halfway[0], rows_in, delta_in, lr_ratio)
        delta.halves_out = halves(base[1], halfway[1], rows_out, delta_out, lr_ratio)
    return delta


def halves(base: np.ndarray, halfway: np.ndarray, rows: np.ndarray, delta: np.ndarray, lr_ratio: float
           ) -> np.ndarray:
    """Per row: (second half's change . first half's / lr_ratio, first half's change . itself), float32 (k, 2).
    Dividing by the ratio of the halves' learning rates makes a steady drift's ratio 1."""
    first = np.take(halfway, rows, axis=0) - np.take(base, rows, axis=0)
    second = delta - first
    return np.stack([np.einsum("ij,ij->i", second, first) / np.float32(lr_ratio),
                     np.einsum("ij,ij->i", first, first)], axis=1).astype(np.float32)


RULES = ("mean", "sum", "hybrid", "cap2", "cap4", "adaptive", "momentum", "nesterov", "momentum-keep", "nesterov-hot", "nesterov2", "nesterov-sum")  # the merge rules measured in bench/distributed.py; "mean" is the default
SUM_FROM = 8192
HOT_ROWS = 1024  # "hybrid": the rows of the most frequent words (ids are by frequency) take the mean


def mean_over_touching(rows: Sequence[np.ndarray], deltas: Sequence[np.ndarray], n_rows: int, dim: int,
                       rule: str = "mean", halves: Optional[Sequence[np.ndarray]] = None,
                       velocity: Optional[np.ndarray] = None) -> Tuple[np.ndarray, np.ndarray]:
    """(rows any worker changed, each one's mean change over the workers that changed it);
    ``rule="sum"``: the sum of their changes instead (what one process would
    have applied, were the changes small); ``"hybrid"``: the mean for the first
    HOT_ROWS rows (the most frequent words, whose changes saturate: each worker's
    is already a whole step), the sum for the others; ``"capK"``: the mean times
    min(touching workers, K), the sum up to K workers."""
    total = np.zeros((n_rows, dim), np.float32)
    touched = np.zeros(n_rows, np.int32)
    for worker_rows, delta in zip(rows, deltas):  # in worker order: the same sums everywhere
        total[worker_rows] = np.take(total, worker_rows, axis=0) + delta  # a worker's rows are distinct
        touched[worker_rows] += 1
    merged_rows = np.flatnonzero(touched)
    summed = np.take(total, merged_rows, axis=0)
    if rule == "sum":
        return merged_rows, summed
    divisor = touched[merged_rows].astype(np.float32)
    if rule == "adaptive":
        ratio = np.ones(n_rows, np.float64)  # rows none changed in a first half: a steady drift
        dots, norms = np.zeros(n_rows), np.zeros(n_rows)
        for worker_rows, pair in zip(rows, halves):
            np.add.at(dots, worker_rows, pair[:, 0])
            np.add.at(norms, worker_rows, pair[:, 1])
        seen = norms > 0
        ratio[seen] = dots[seen] / norms[seen]
        divisor /= merge_gain(ratio[merged_rows], touched[merged_rows]).astype(np.float32)
    elif rule in ("momentum", "nesterov", "momentum-keep", "nesterov-hot", "nesterov2", "nesterov-sum"):
        mean = summed / divisor[:, None]
        carry = (np.float32(1.0) - np.float32(1.0) / divisor)[:, None]  # 0 for a row one worker changed
        if rule == "nesterov-hot":
            carry[merged_rows < HOT_ROWS] = 0.0
        if rule == "nesterov2":
            carry = np.where(divisor[:, None] > 1, np.float32(1.0) - np.float32(0.5) / divisor[:, None], 0.0
                             ).astype(np.float32)
        moved = carry * np.take(velocity, merged_rows, axis=0) + mean
        if rule == "momentum":
            velocity[...] = 0.0  # a row no worker changed this round loses its velocity
        velocity[merged_rows] = moved
        step = carry * moved + mean if rule.startswith("nesterov") else moved
        if rule == "nesterov-sum":
            rare = merged_rows >= SUM_FROM
            step[rare] = summed[rare]
        return merged_rows, step
    elif rule == "hybrid":
        divisor[merged_rows >= HOT_ROWS] = 1.0
    elif rule.startswith("cap"):
        divisor /= np.minimum(divisor, np.float32(int(rule[3:])))
    return merged_rows, summed / divisor[:, None]


def merge_gain(ratio: np.ndarray, workers: np.ndarray) -> np.ndarray:
    """How many workers' mean change to apply to a row, from ``ratio``, its
    second half-round's change over its first (both projected on the first),
    and the ``workers`` that changed it.

    A row that moves a fraction f of the way to where its data pull it in
    each half-round keeps ratio = 1 - f of its move from one half to the
    next. One process, training on all ``workers`` workers' rounds in turn,
    would have made 2 x workers such halves: 1 - ratio**(2 x workers) of the
    way, against 1 - ratio**2 for each worker's. Their quotient is the gain:
    ``workers`` for a steady drift (ratio 1: the sum of the changes), 1 for a
    row each worker already took all the way (ratio 0: their mean), and never
    more than one process's step, so the merge cannot overshoot (the sum's
    divergence at 4 workers and more, bench/results/2026-11-29-distributed.md).
    A row's noise (halves that do not point the same way) counts as ratio 0.
    """
    ratio = np.clip(ratio, 0.0, 1.0)
    steady = ratio > 1.0 - 1e-6
    ratio2 = np.where(steady, 0.0, ratio * ratio)
    gain = (1.0 - ratio2 ** workers) / (1.0 - ratio2)
    return np.where(steady, workers.astype(np.float64), gain)


def merge(deltas: Sequence[RowDelta], shapes: Tuple[Tuple[int, int], Tuple[int, int]], rule: str = "mean",
          velocity: Optional[Tuple[np.ndarray, np.ndarray]] = None) -> RowDelta:
    """The merged change of the workers' ``deltas`` to matrices of ``shapes`` (w_in's, w_out's)."""
    adaptive = rule == "adaptive"
    velocity = velocity or (None, None)
    rule_in, rule_out = rule.split("/") if "/" in rule else (rule, rule)  # "A/B": rule A for w_in, B for w_out
    rows_in, delta_in = mean_over_touching([d.rows_in for d in deltas], [d.delta_in for d in deltas], *shapes[0],
                                           rule_in, [d.halves_in for d in deltas] if adaptive else None, velocity[0])
    rows_out, delta_out = mean_over_touching([d.rows_out for d in deltas], [d.delta_out for d in deltas],
                                             *shapes[1], rule_out, [d.halves_out for d in deltas] if adaptive else None,
                                             velocity[1])
    return RowDelta(rows_in, delta_in, rows_out, delta_out)


def apply(merged: RowDelta, base: Tuple[np.ndarray, np.ndarray], current: Optional[Tuple] = None) -> None:
    """Add the merged change to the merged state ``base`` in place, and set the
    changed rows of ``current`` (a worker's working copy) to the result."""
    for rows, delta, matrix, working in ((merged.rows_in, merged.delta_in, base[0], current and current[0]),
                                         (merged.rows_out, merged.delta_out, base[1], current and current[1])):
        updated = np.take(matrix, rows, axis=0) + delta
        matrix[rows] = updated
        if working is not None:
            working[rows] = updated
