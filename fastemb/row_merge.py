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

    @property
    def nbytes(self) -> int:
        """What moves between processes for this delta."""
        return sum(a.nbytes for a in (self.rows_in, self.delta_in, self.rows_out, self.delta_out))

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
              rows: Optional[Tuple[np.ndarray, np.ndarray]] = None) -> RowDelta:
    """One worker's changes to (w_in, w_out) since ``base``, the last merged state."""
    rows = rows or (None, None)
    rows_in, delta_in = changed_rows(base[0], current[0], rows[0])
    rows_out, delta_out = changed_rows(base[1], current[1], rows[1])
    return RowDelta(rows_in, delta_in, rows_out, delta_out)


RULES = ("mean", "sum", "hybrid", "cap2", "cap4")  # the merge rules measured in bench/distributed.py; "mean" is the default
HOT_ROWS = 1024  # "hybrid": the rows of the most frequent words (ids are by frequency) take the mean


def mean_over_touching(rows: Sequence[np.ndarray], deltas: Sequence[np.ndarray], n_rows: int, dim: int,
                       rule: str = "mean") -> Tuple[np.ndarray, np.ndarray]:
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
    if rule == "hybrid":
        divisor[merged_rows >= HOT_ROWS] = 1.0
    elif rule.startswith("cap"):
        divisor /= np.minimum(divisor, np.float32(int(rule[3:])))
    return merged_rows, summed / divisor[:, None]


def merge(deltas: Sequence[RowDelta], shapes: Tuple[Tuple[int, int], Tuple[int, int]], rule: str = "mean"
          ) -> RowDelta:
    """The merged change of the workers' ``deltas`` to matrices of ``shapes`` (w_in's, w_out's)."""
    rows_in, delta_in = mean_over_touching([d.rows_in for d in deltas], [d.delta_in for d in deltas], *shapes[0],
                                           rule)
    rows_out, delta_out = mean_over_touching([d.rows_out for d in deltas], [d.delta_out for d in deltas],
                                             *shapes[1], rule)
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
