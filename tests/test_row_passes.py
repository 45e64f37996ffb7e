"""A data-parallel worker's passes over whole matrices (row_merge: changed_rows,
add_at): the compiled ones against their definition and against numpy, bit for
bit; their bounds; and a simulated run that ends in the same bits either way."""
import numpy as np
import pytest

import fastemb
from fastemb import _backend, row_merge

DIM = 5  # not a multiple of any vector width


@pytest.fixture(params=["compiled", "numpy"])
def passes(request, monkeypatch):
    """row_merge with its compiled passes, or with the numpy ones (a machine without a compiler)."""
    if request.param == "compiled":
        if _backend.cython_kernels() is None:
            pytest.skip("fastemb._kernels is not built")
    else:
        monkeypatch.setattr(row_merge, "cython_kernels", lambda: None)
    return request.param


def worker_round(rng, rows=40):
    """(the last merge, a worker's copy after a round): some rows changed, one to a value-equal -0.0."""
    base = rng.standard_normal((rows, DIM)).astype(np.float32)
    base[3] = 0.0
    current = base.copy()
    changed = np.sort(rng.choice(rows, rows // 3, replace=False))
    current[changed] += rng.standard_normal((len(changed), DIM)).astype(np.float32)
    current[3, 2] = -0.0  # the same value: not a change
    current[changed[0], 1] = base[changed[0], 1]  # a changed row with an unchanged entry
    return base, current


def test_changed_rows_are_the_rows_whose_values_moved_and_by_how_much(passes):
    rng = np.random.default_rng(1)
    base, current = worker_round(rng)
    moved = [r for r in range(len(base)) if any(current[r, j] != base[r, j] for j in range(DIM))]
    for first in (None, 10):
        scratch = row_merge.delta_scratch((base.shape, base.shape))
        rows, change = row_merge.changed_rows(base, current, first, scratch and scratch[0])
        expected = [r for r in moved if first is None or r < first]
        assert rows.tolist() == expected and 3 not in expected
        np.testing.assert_array_equal(change, current[expected] - base[expected])


def test_add_at_adds_each_row_once_and_copies_the_result(passes):
    rng = np.random.default_rng(2)
    matrix = rng.standard_normal((30, DIM)).astype(np.float32)
    copy, before = np.zeros_like(matrix), matrix.copy()
    for rows in (np.array([0, 1, 2, 3]), np.array([2, 7, 29])):  # the frequent rows' prefix; any rows
        change = rng.standard_normal((len(rows), DIM)).astype(np.float32)
        change.setflags(write=False)  # as Ray hands a merge over: read-only
        row_merge.add_at(rows, change, matrix, copy)
        np.testing.assert_array_equal(matrix[rows], before[rows] + change)
        np.testing.assert_array_equal(copy[rows], matrix[rows])
        before = matrix.copy()
    untouched = np.setdiff1d(np.arange(30), [0, 1, 2, 3, 7, 29])
    np.testing.assert_array_equal(copy[untouched], 0)


def test_the_compiled_passes_give_numpys_bits():
    kernels = _backend.cython_kernels()
    if kernels is None:
        pytest.skip("fastemb._kernels is not built")
    rng = np.random.default_rng(3)
    base, current = worker_round(rng, rows=500)
    rows, change = np.zeros(500, np.int64), np.zeros((500, DIM), np.float32)
    n = kernels.changed_rows(base, current, rows, change)
    expected = np.flatnonzero((current - base).any(axis=1))
    assert rows[:n].tolist() == expected.tolist()
    assert change[:n].tobytes() == (current[expected] - base[expected]).tobytes()
    matrix, copy = base.copy(), current.copy()
    kernels.add_rows(rows[:n], change[:n], matrix, copy)
    assert matrix[expected].tobytes() == (base[expected] + change[:n]).tobytes() == copy[expected].tobytes()


def test_passes_refuse_arrays_they_would_write_past():
    if _backend.cython_kernels() is None:
        pytest.skip("fastemb._kernels is not built")
    base = np.zeros((8, DIM), np.float32)
    with pytest.raises(ValueError, match="too small"):
        row_merge.changed_rows(base, base + 1, None, (np.zeros(7, np.int64), np.zeros((7, DIM), np.float32)))
    with pytest.raises(ValueError, match="does not fit"):
        row_merge.add_at(np.array([2, 8]), np.ones((2, DIM), np.float32), base)
    with pytest.raises(ValueError, match="does not fit"):  # out of order: the largest row is still checked
        row_merge.add_at(np.array([9, 2]), np.ones((2, DIM), np.float32), base)
    with pytest.raises(ValueError, match="does not fit"):
        row_merge.add_at(np.array([-1, 2]), np.ones((2, DIM), np.float32), base)
    with pytest.raises(ValueError, match="does not fit"):
        row_merge.add_at(np.array([2, 3]), np.ones((2, DIM + 1), np.float32), base)


def test_a_simulated_run_ends_in_the_same_bits_with_either_passes(planted_corpus, monkeypatch):
    if _backend.cython_kernels() is None:
        pytest.skip("fastemb._kernels is not built")

    def run():
        model = fastemb.Model(dim=DIM * 4, epochs=2, threads=1, seed=4)
        return model._train_distributed(planted_corpus, False, None, None, 3, "simulate", 5_000, hot_rows=8,
                                        hot_splits=2)

    compiled = run()
    monkeypatch.setattr(row_merge, "cython_kernels", lambda: None)
    numpy_only = run()
    assert compiled.w_in.tobytes() == numpy_only.w_in.tobytes()
    assert compiled.w_out.tobytes() == numpy_only.w_out.tobytes()
