# A data-parallel worker's two passes over whole matrices each round: changed_rows and add_rows.
# (included by _kernels.pyx: one compiled module, a file per concept; row_merge.py sizes and checks the arrays)
#
# numpy does each in several passes over fresh temporaries (a subtraction, a
# test, a gather; a gather, an addition, two scatters): here each is one pass,
# into memory that stays. With them the sync of 2 Ray workers at 1M words a
# round fell from 117-132 ms a round (three runs) to 57 (two; docs/distributed.md).


def changed_rows(const float[:, ::1] base, const float[:, ::1] current, int64_t[::1] rows,
                 float[:, ::1] change):
    """Write the numbers of the rows where ``current`` differs from ``base``
    in value into rows[:n], and current - base on them into change[:n];
    return n. ``rows`` and ``change`` hold at least as many rows as ``base``."""
    cdef Py_ssize_t n_rows = base.shape[0], dim = base.shape[1], r, j, n = 0
    cdef float d
    cdef bint differs
    with nogil:
        for r in range(n_rows):
            differs = False
            for j in range(dim):  # every row's change is written, and kept (n moves on) only if it is not zero
                d = current[r, j] - base[r, j]
                change[n, j] = d
                differs = differs | (d != 0)
            if differs:
                rows[n] = r
                n += 1
    return n


def add_rows(const int64_t[::1] rows, const float[:, ::1] change, float[:, ::1] base, float[:, ::1] current):
    """base[rows[i]] += change[i], and current[rows[i]] = the result, for every i
    (``current`` may be ``base``). ``rows`` are distinct and below both matrices' rows.
    Also the merge's sum: base is the zeroed sum, current the same array."""
    cdef Py_ssize_t n = rows.shape[0], dim = change.shape[1], i, j, r
    cdef float value
    with nogil:
        for i in range(n):
            r = rows[i]
            for j in range(dim):
                value = base[r, j] + change[i, j]
                base[r, j] = value
                current[r, j] = value
