"""The merge rule: how the workers' changes to a row become one change.

After a round every worker sends, for each matrix, the rows it changed since
the last merge and by how much; a row no worker touched stays as it was.
Only the workers that changed a row count for it: not a sum of full vectors
(Spark MLlib's, whose vectors grew without bound, SPARK-24666), nor a mean
over all workers, which would divide a rare word's update by workers that
never saw the word.

The default rule, "momentum", treats two kinds of rows apart (ids are by
frequency, so the most frequent words' rows come first):

- A rare word's row changes little in a round, once per occurrence: one
  process, training on all the workers' text, would have applied every
  worker's change, so the merge is their **sum**.
- A frequent word's row changes thousands of times in a round, and each
  worker moves it most of the way to where its own text pulls it. Their sum
  overshoots that k times (k touching workers): from k = 4 on it diverges
  (bench/results/2026-11-29-distributed.md). Their mean is stable but keeps
  one worker's progress, not k workers': quality falls with N like training
  on 1/N of the text. So these rows take the **mean with momentum**: a
  velocity per row, v <- (1 - 1/k) v + mean, applied with Nesterov's
  look-ahead, (1 - 1/k) v + mean. A drift that persists from round to round
  builds up to k times the mean, the sum's progress; a change that flips
  from round to round (a row pulled back and forth around where its text
  wants it) builds almost none. This is the outer momentum of local SGD (SlowMo,
  Wang et al. 2020; DiLoCo, Douillard et al. 2023), with the momentum of
  each row set by the workers that touched it. These rows are also merged
  several times a round (pWord2Vec's frequent rows synced more often, Ji et
  al. 2016): distributed.HOT_ROWS and rounds.default_hot_splits.

Every worker starts a round from the same merged state, so applying the same
merged change leaves them identical again, bit for bit: the arithmetic is
float32 in worker order, the same wherever it runs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import numpy as np

from ._backend import cython_kernels


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


def changed_rows(base: np.ndarray, current: np.ndarray, first: Optional[int] = None,
                 scratch: Optional[Tuple[np.ndarray, np.ndarray]] = None) -> Tuple[np.ndarray, np.ndarray]:
    """(rows where ``current`` differs from ``base``, current - base on them);
    among the ``first`` rows only, when given (a round that merges the frequent
    words' rows). With ``scratch`` (delta_scratch()) and the compiled kernels,
    both are views of it, valid until its next use."""
    if first is not None:
        base, current = base[:first], current[:first]
    kernels = cython_kernels()
    if scratch is not None and kernels is not None:
        rows, change = scratch
        if len(rows) < len(base) or change.shape[0] < len(base) or change.shape[1] != base.shape[1] \
                or current.shape != base.shape:  # the compiled pass writes up to a row per row of base
            raise ValueError(f"delta scratch {change.shape} is too small for matrices {base.shape}")
        n = kernels.changed_rows(base, current, rows, change)
        return rows[:n], change[:n]
    change = current - base
    changed = np.flatnonzero(change.any(axis=1))
    if len(changed) == len(base):  # every row: no gather
        return changed, change
    # np.take, not fancy indexing: the same values, several times faster for whole rows
    return changed, np.take(change, changed, axis=0)


def delta_scratch(shapes: Tuple[Tuple[int, int], Tuple[int, int]]) -> Optional[tuple]:
    """Memory a worker keeps for its changes to matrices of ``shapes`` (row_delta's
    ``scratch``): a row number and a row per row of each. None without the compiled kernels."""
    if cython_kernels() is None:
        return None
    # filled, not empty: the pages are touched here, not in the first round
    return tuple((np.full(rows, -1, np.int64), np.full((rows, dim), 0.0, np.float32)) for rows, dim in shapes)


def row_delta(base: Tuple[np.ndarray, np.ndarray], current: Tuple[np.ndarray, np.ndarray],
              first: Optional[int] = None, scratch: Optional[tuple] = None) -> RowDelta:
    """One worker's changes to (w_in, w_out) since ``base``, the last merged
    state; among the ``first`` rows of each only, when given; in ``scratch``
    (delta_scratch()) when given."""
    scratch = scratch or (None, None)
    rows_in, delta_in = changed_rows(base[0], current[0], first, scratch[0])
    rows_out, delta_out = changed_rows(base[1], current[1], first, scratch[1])
    return RowDelta(rows_in, delta_in, rows_out, delta_out)


RULES = ("momentum", "mean", "sum", "hybrid", "cap2", "cap4")  # measured in bench/distributed.py; the first is the default
HYBRID_ROWS = 1024  # "hybrid": the rows of the most frequent words take the mean


def row_union(rows: Sequence[np.ndarray]) -> Tuple[np.ndarray, list]:
    """(the rising union of the workers' rising row numbers ``rows``, where
    each worker's rows sit in it: an index array, or None where they are the
    whole union, as after a round that changed the same rows everywhere)."""
    if not rows:
        return np.zeros(0, np.int64), []
    first = np.asarray(rows[0], np.int64)
    if all(len(r) == len(first) and np.array_equal(r, first) for r in rows[1:]):
        return first, [None] * len(rows)
    # a mark per row number, not a sort of all the workers' rows: several times faster at a vocabulary's size
    seen = np.zeros(max((int(r[-1]) + 1 for r in rows if len(r)), default=0), bool)
    for r in rows:
        seen[r] = True
    union = np.flatnonzero(seen)
    position = np.empty(len(seen), np.int64)
    position[union] = np.arange(len(union))
    return union, [position[r] for r in rows]


def merged_rows_change(rows: Sequence[np.ndarray], deltas: Sequence[np.ndarray], dim: int, rule: str = "mean",
                       velocity: Optional[np.ndarray] = None) -> Tuple[np.ndarray, np.ndarray]:
    """(rows any worker changed, each one's merged change) under ``rule``:
    "momentum" (see the module's note: ``velocity`` holds the frequent rows'
    velocities, updated in place, and its length says how many rows are
    frequent); "mean" over the workers that changed the row; "sum" of their
    changes; "hybrid": the mean for the first HYBRID_ROWS rows, the sum for
    the others; "capK": the mean times min(touching workers, K)."""
    # on the rows some worker changed, not whole matrices: a round that merges only the frequent rows stays cheap
    merged_rows, positions = row_union(rows)
    if positions and positions[0] is None:  # every worker changed the same rows: no zeros, no indices
        summed = np.array(deltas[0], np.float32)
        for delta in deltas[1:]:
            summed += delta
        touched = np.full(len(merged_rows), len(deltas), np.int32)
    else:
        summed = np.zeros((len(merged_rows), dim), np.float32)
        touched = np.zeros(len(merged_rows), np.int32)
        for at, delta in zip(positions, deltas):  # in worker order: the same sums everywhere
            add_at(at, delta, summed)
            touched[at] += 1
    if rule == "sum":
        return merged_rows, summed
    divisor = touched.astype(np.float32)
    if rule == "momentum":
        hot = int(np.searchsorted(merged_rows, len(velocity)))  # the frequent rows come first
        mean = summed[:hot]
        mean /= divisor[:hot, None]
        momentum_step(velocity, merged_rows[:hot], mean, divisor[:hot])
        return merged_rows, summed
    if rule == "hybrid":
        divisor[merged_rows >= HYBRID_ROWS] = 1.0
    elif rule.startswith("cap"):
        divisor /= np.minimum(divisor, np.float32(int(rule[3:])))
    summed /= divisor[:, None]
    return merged_rows, summed


def momentum_step(velocity: np.ndarray, rows: np.ndarray, mean: np.ndarray, workers: np.ndarray) -> np.ndarray:
    """Overwrite ``mean``, the mean change of ``rows`` (rising) over the
    ``workers`` (float32) that touched each, with its Nesterov step with
    momentum 1 - 1/workers (0 for a row one worker touched: its change), and
    return it. ``velocity`` is updated in place."""
    carry = (np.float32(1.0) - np.float32(1.0) / workers)[:, None]
    if len(rows) == 0 or rows[-1] == len(rows) - 1:  # rows 0, 1, ...: the velocities in place, no gather
        moved = velocity[:len(rows)]
        moved *= carry
        moved += mean
    else:
        moved = carry * np.take(velocity, rows, axis=0) + mean
        velocity[rows] = moved
    mean += carry * moved
    return mean


def momentum_state(shapes: Tuple[Tuple[int, int], Tuple[int, int]], hot_rows: int
                   ) -> Tuple[np.ndarray, np.ndarray]:
    """Zero velocities for the first ``hot_rows`` rows of (w_in, w_out) of ``shapes``: the "momentum" rule's state."""
    return tuple(np.zeros((min(hot_rows, shape[0]), shape[1]), np.float32) for shape in shapes)


def merge(deltas: Sequence[RowDelta], shapes: Tuple[Tuple[int, int], Tuple[int, int]], rule: str = "mean",
          velocity: Optional[Tuple[np.ndarray, np.ndarray]] = None) -> RowDelta:
    """The merged change of the workers' ``deltas`` to matrices of ``shapes`` (w_in's, w_out's) under
    ``rule`` (RULES); ``velocity``: momentum_state(), which the "momentum" rule needs."""
    velocity = velocity or (None, None)
    rows_in, delta_in = merged_rows_change([d.rows_in for d in deltas], [d.delta_in for d in deltas], shapes[0][1],
                                           rule, velocity[0])
    rows_out, delta_out = merged_rows_change([d.rows_out for d in deltas], [d.delta_out for d in deltas],
                                             shapes[1][1], rule, velocity[1])
    return RowDelta(rows_in, delta_in, rows_out, delta_out)


def apply(merged: RowDelta, base: Tuple[np.ndarray, np.ndarray], current: Optional[Tuple] = None) -> None:
    """Add the merged change to the merged state ``base`` in place, and set the
    changed rows of ``current`` (a worker's working copy) to the result."""
    add_at(merged.rows_in, merged.delta_in, base[0], current and current[0])
    add_at(merged.rows_out, merged.delta_out, base[1], current and current[1])


def add_at(rows: np.ndarray, change: np.ndarray, matrix: np.ndarray, copy: Optional[np.ndarray] = None) -> None:
    """matrix[rows] += change in place (``rows`` rising and distinct), and copy[rows] = the result."""
    kernels = cython_kernels()
    if kernels is not None:
        # the compiled pass writes rows[i] of both matrices and reads change[i]: their bounds, checked here
        if change.shape != (len(rows), matrix.shape[1]) or len(rows) and (rows.min() < 0 or rows.max() >= len(matrix)) \
                or copy is not None and copy.shape != matrix.shape:
            raise ValueError(f"a change of {change.shape} on rows {rows.min() if len(rows) else None}.."
                             f"{rows.max() if len(rows) else None} does not fit a matrix of {matrix.shape}")
        kernels.add_rows(rows, change, matrix, matrix if copy is None else copy)
    elif len(rows) and rows[-1] == len(rows) - 1:  # rows 0, 1, ... (the frequent words'): slices, no gathers
        matrix[:len(rows)] += change
        if copy is not None:
            copy[:len(rows)] = matrix[:len(rows)]
    else:
        updated = np.take(matrix, rows, axis=0) + change
        matrix[rows] = updated
        if copy is not None:
            copy[rows] = updated
