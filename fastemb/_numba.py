"""The Numba backend: the same loops as _kernels.pyx, for machines without a C compiler.

Same algorithm, same random draws, same ``train_chunk`` signature; compiled on
first use with ``nogil=True`` (so trainer threads run it in parallel, Hogwild)
and cached on disk (``cache=True``). fastmath allows reassociation so that dot
products vectorise, but not 'nnan'/'ninf': a NaN must reach the returned loss.
Like the Cython loops they index without bounds checks (Numba's default; the CI
runs them with NUMBA_BOUNDSCHECK=1), and rely on the same invariants, which
kernel_call.check_kernel_inputs and check_scratch check once per run (see the table
in trainer.py). Numba also wraps negative indices, so a stray id below -1 would
silently read from the end: ids are checked to be >= -1 there too.
"""
import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from .kernel_constants import (CBOW, IN_PLACE_MIN_DIM, MAX_Z as _MAX_Z, SKIPGRAM_BATCHED, SKIPGRAM_CLASSIC,
                               SUBWORD_CBOW, SUBWORD_SKIPGRAM)

MAX_Z = np.float32(_MAX_Z)
_FAST = {"reassoc", "nsz", "arcp", "contract"}
# every kernel function: no Python-style checks (division by zero) in the loops
_JIT = dict(nogil=True, cache=True, error_model="numpy")
_U64 = np.uint64
_GOLDEN, _MIX1, _MIX2 = _U64(0x9E3779B97F4A7C15), _U64(0xBF58476D1CE4E5B9), _U64(0x94D049BB133111EB)
_LOW24, _TO_UNIT = _U64(0xFFFFFF), np.float32(1.0 / 16777216.0)


@intrinsic
def _prefetch(typingctx, matrix, row, column):
    """LLVM's prefetch of &matrix[row, column] for reading, into L2 (locality 2), as
    the Cython kernel's prefetch_row; Numba has no such function."""
    def codegen(context, builder, signature, args):
        matrix_type, row_type, column_type = signature.args
        array = context.make_array(matrix_type)(context, builder, args[0])
        row = context.cast(builder, args[1], row_type, types.intp)
        column = context.cast(builder, args[2], column_type, types.intp)
        pointer = cgutils.get_item_pointer(context, builder, matrix_type, array, [row, column])
        byte_pointer, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        function = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]), "llvm.prefetch.p0i8")
        builder.call(function, [builder.bitcast(pointer, byte_pointer), i32(0), i32(2), i32(1)])
        return context.get_dummy_value()
    return types.void(matrix, row, column), codegen


@njit(**_JIT)
def _prefetch_row(matrix, row):
    for column in range(0, matrix.shape[1], 16):  # a 64-byte cache line per 16 floats
        _prefetch(matrix, row, column)


@njit(**_JIT)
def _next_random(state):
    """splitmix64; ``state`` is a one-element uint64 array (Numba has no pointers)."""
    state[0] += _GOLDEN
    z = state[0]
    z = (z ^ (z >> _U64(30))) * _MIX1
    z = (z ^ (z >> _U64(27))) * _MIX2
    return z ^ (z >> _U64(31))


@njit(**_JIT)
def _unit_float(r):
    return np.float32(r & _LOW24) * _TO_UNIT


@njit(**_JIT)
def _below(r, n):
    return np.int64(((r >> _U64(32)) * _U64(n)) >> _U64(32))


# Vectors are passed as (matrix, row), never as row views: a view of a shared
# matrix increments and decrements its reference count, atomically, at every
# use, which in these loops cost more than the arithmetic (and two threads
# fight over that counter's cache line).

@njit(fastmath=_FAST, **_JIT)
def _dot(a, i, b, j):
    total = np.float32(0.0)
    for k in range(a.shape[1]):
        total += a[i, k] * b[j, k]
    return total


@njit(fastmath=_FAST, **_JIT)
def _add_scaled(y, i, scale, x, j):
    """y[i] += scale * x[j]"""
    for k in range(y.shape[1]):
        y[i, k] += scale * x[j, k]


@njit(fastmath=_FAST, **_JIT)
def _zero(y, i):
    for k in range(y.shape[1]):
        y[i, k] = 0.0


@njit(fastmath=_FAST, **_JIT)
def _logistic_gradient(f, label_sign, lr, logistic):
    """(step g, loss) of one example with score f; see _kernels.logistic_gradient."""
    z = -label_sign * f
    if z <= -MAX_Z:
        return np.float32(0.0), 0.0
    elif z < MAX_Z:
        i = np.int64((z + MAX_Z) * np.float32((logistic.shape[1] - 1) / (2 * _MAX_Z)))
        return lr * label_sign * logistic[0, i], np.float64(logistic[1, i])
    return lr * label_sign, np.float64(z)


@njit(fastmath=_FAST, **_JIT)
def _update_output(h, h_row, w_out, target, grad, lr, label_sign, logistic):
    """One example of input h[h_row] against output row `target`: the output row moves
    now, the input's step accumulates in grad[0]."""
    g, loss = _logistic_gradient(_dot(h, h_row, w_out, target), label_sign, lr, logistic)
    if g != 0:
        _add_scaled(grad, 0, g, w_out, target)
        _add_scaled(w_out, target, g, h, h_row)
    return loss


@njit(**_JIT)
def _draw_noise(state, noise_prob, noise_alias):
    r = _next_random(state)
    column = _below(r, noise_prob.shape[0])
    if _unit_float(r) < noise_prob[column]:
        return column
    return np.int64(noise_alias[column])


@njit(**_JIT)
def _read_sentence(ids, pos, sentence, keep_prob, state):
    n, capacity, kept = ids.shape[0], sentence.shape[0], 0
    while pos < n and kept < capacity:
        word = ids[pos]
        if word < 0:
            pos += 1
            break
        if _unit_float(_next_random(state)) < keep_prob[word]:
            sentence[kept] = word
            kept += 1
        pos += 1
    return pos, kept


@njit(**_JIT)
def _draw_targets(centre, negative, targets, signs, state, noise_prob, noise_alias,
                  path_offsets, path_rows, path_signs):
    """The centre's Huffman path, then centre and noise words; see _kernels.draw_targets."""
    count = 0
    for k in range(path_offsets[centre], path_offsets[centre + 1]):
        targets[count] = path_rows[k]
        signs[count] = path_signs[k]
        count += 1
    if negative == 0:
        return count
    targets[count] = centre
    signs[count] = 1.0
    count += 1
    for _ in range(negative):
        target = _draw_noise(state, noise_prob, noise_alias)
        if target != centre:
            targets[count] = target
            signs[count] = -1.0
            count += 1
    return count


@njit(fastmath=_FAST, **_JIT)
def _predict_targets(h, h_row, w_out, targets, signs, n_targets, grad, lr, logistic):
    """h[h_row] predicts its targets one example after another; its step accumulates in grad[0]."""
    loss = 0.0
    _zero(grad, 0)
    for t in range(n_targets):
        loss += _update_output(h, h_row, w_out, targets[t], grad, lr, signs[t], logistic)
    return loss


@njit(fastmath=_FAST, **_JIT)
def _skipgram_batched(w_in, w_out, sentence, c, lo, hi, lr, targets, signs, n_targets, logistic, work, rows):
    """Window-batched skip-gram, four context words per pass over a target row, as
    _kernels.skipgram_batched, with the same layout of ``work`` (rows: scratch of
    four ids). The vector loops are written out here rather than called: LLVM then
    keeps the arrays' data pointers and strides in registers across them, and
    each loop writes one row, which it vectorises.
    One SGD step on the window's loss (its context words against the shared
    targets) with the gradient at the window's starting parameters; classic
    skip-gram steps pair by pair instead (see _kernels.skipgram_batched)."""
    loss = 0.0
    dim = w_in.shape[1]
    first_target_row = work.shape[0] - n_targets
    for row in range(hi - lo - 1):
        for k in range(dim):
            work[row, k] = 0.0
    for t in range(n_targets):
        for k in range(dim):
            work[first_target_row + t, k] = 0.0
    n = 0
    j = lo
    while j < hi:
        group = 0
        while group < 4 and j < hi:
            if j != c:
                rows[group] = sentence[j]
                group += 1
            j += 1
        if group == 0:  # only the centre was left
            break
        for i in range(group, 4):  # pad a short last group; its steps are zero
            rows[i] = rows[0]
        a, b, c_, d = rows[0], rows[1], rows[2], rows[3]
        for t in range(n_targets):
            target = targets[t]
            f_a = f_b = f_c = f_d = np.float32(0.0)
            for k in range(dim):
                x = w_out[target, k]
                f_a += w_in[a, k] * x
                f_b += w_in[b, k] * x
                f_c += w_in[c_, k] * x
                f_d += w_in[d, k] * x
            g_a, loss_a = _logistic_gradient(f_a, signs[t], lr, logistic)
            g_b, loss_b = _logistic_gradient(f_b, signs[t], lr, logistic)
            g_c, loss_c = _logistic_gradient(f_c, signs[t], lr, logistic)
            g_d, loss_d = _logistic_gradient(f_d, signs[t], lr, logistic)
            loss += loss_a
            if group < 2:
                g_b = loss_b = np.float32(0.0)
            if group < 3:
                g_c = loss_c = np.float32(0.0)
            if group < 4:
                g_d = loss_d = np.float32(0.0)
            loss += loss_b + loss_c + loss_d
            target_row = first_target_row + t
            for k in range(dim):
                work[target_row, k] += g_a * w_in[a, k] + g_b * w_in[b, k] + g_c * w_in[c_, k] + g_d * w_in[d, k]
            for k in range(dim):
                work[n, k] += g_a * w_out[target, k]
            if group > 1:
                for k in range(dim):
                    work[n + 1, k] += g_b * w_out[target, k]
            if group > 2:
                for k in range(dim):
                    work[n + 2, k] += g_c * w_out[target, k]
            if group > 3:
                for k in range(dim):
                    work[n + 3, k] += g_d * w_out[target, k]
        n += group
    n = 0
    for j in range(lo, hi):
        if j != c:
            context = sentence[j]
            for k in range(dim):
                w_in[context, k] += work[n, k]
            n += 1
    for t in range(n_targets):
        target, row = targets[t], first_target_row + t
        for k in range(dim):
            w_out[target, k] += work[row, k]
    return loss


@njit(fastmath=_FAST, **_JIT)
def _skipgram_batched_in_place(w_in, w_out, sentence, c, lo, hi, lr, targets, signs, n_targets, logistic, work,
                               rows, window_steps):
    """Window-batched skip-gram in the passes of _kernels.skipgram_batched_in_place: the
    steps g of four context words against each target (window_steps[n * n_targets
    + t]), then the targets' steps into work's last rows, each context row moved
    in place, each target row moved. rows: scratch of four ids. The vector loops are written out here rather than called: LLVM
    then keeps the arrays' data pointers and strides in registers across them,
    and each loop writes one row, which it vectorises.
    One SGD step on the window's loss (its context words against the shared
    targets) with the gradient at the window's starting parameters; classic
    skip-gram steps pair by pair instead (see _kernels.skipgram_batched)."""
    loss = 0.0
    dim = w_in.shape[1]
    first_target_row = work.shape[0] - n_targets
    zero = np.float32(0.0)
    n = 0
    j = lo
    while j < hi:
        group = 0
        while group < 4 and j < hi:
            if j != c:
                rows[group] = sentence[j]
                group += 1
            j += 1
        if group == 0:  # only the centre was left
            break
        for i in range(group, 4):  # pad a short last group; its steps are not kept
            rows[i] = rows[0]
        a, b, c_, d = rows[0], rows[1], rows[2], rows[3]
        for t in range(n_targets):
            target = targets[t]
            f_a = f_b = f_c = f_d = zero
            for k in range(dim):
                x = w_out[target, k]
                f_a += w_in[a, k] * x
                f_b += w_in[b, k] * x
                f_c += w_in[c_, k] * x
                f_d += w_in[d, k] * x
            g_a, loss_a = _logistic_gradient(f_a, signs[t], lr, logistic)
            window_steps[n * n_targets + t] = g_a
            loss += loss_a
            if group > 1:
                g_b, loss_b = _logistic_gradient(f_b, signs[t], lr, logistic)
                window_steps[(n + 1) * n_targets + t] = g_b
                loss += loss_b
            if group > 2:
                g_c, loss_c = _logistic_gradient(f_c, signs[t], lr, logistic)
                window_steps[(n + 2) * n_targets + t] = g_c
                loss += loss_c
            if group > 3:
                g_d, loss_d = _logistic_gradient(f_d, signs[t], lr, logistic)
                window_steps[(n + 3) * n_targets + t] = g_d
                loss += loss_d
        n += group
    # the targets' steps, sum_j g[j, t] * w_in[j], from the context rows before they move
    for t in range(n_targets):
        row = first_target_row + t
        for k in range(dim):
            work[row, k] = 0.0
        n = 0
        j = lo
        while j < hi:
            group = 0
            while group < 4 and j < hi:
                if j != c:
                    rows[group] = sentence[j]
                    group += 1
                j += 1
            if group == 0:
                break
            for i in range(group, 4):
                rows[i] = rows[0]
            a, b, c_, d = rows[0], rows[1], rows[2], rows[3]
            g_a = window_steps[n * n_targets + t]
            g_b = window_steps[(n + 1) * n_targets + t] if group > 1 else zero
            g_c = window_steps[(n + 2) * n_targets + t] if group > 2 else zero
            g_d = window_steps[(n + 3) * n_targets + t] if group > 3 else zero
            if g_a != 0 or g_b != 0 or g_c != 0 or g_d != 0:
                for k in range(dim):
                    work[row, k] += g_a * w_in[a, k] + g_b * w_in[b, k] + g_c * w_in[c_, k] + g_d * w_in[d, k]
            n += group
    # each context row moves in place by sum_t g[j, t] * w_out[t] (target rows have not moved yet)
    n = 0
    for j in range(lo, hi):
        if j == c:
            continue
        context = sentence[j]
        for first in range(0, n_targets, 4):
            count = min(4, n_targets - first)
            a = targets[first]
            b = targets[first + 1] if count > 1 else a
            c_ = targets[first + 2] if count > 2 else a
            d = targets[first + 3] if count > 3 else a
            g_a = window_steps[n * n_targets + first]
            g_b = window_steps[n * n_targets + first + 1] if count > 1 else zero
            g_c = window_steps[n * n_targets + first + 2] if count > 2 else zero
            g_d = window_steps[n * n_targets + first + 3] if count > 3 else zero
            if g_a != 0 or g_b != 0 or g_c != 0 or g_d != 0:
                for k in range(dim):
                    w_in[context, k] += g_a * w_out[a, k] + g_b * w_out[b, k] + g_c * w_out[c_, k] + g_d * w_out[d, k]
        n += 1
    for t in range(n_targets):
        target, row = targets[t], first_target_row + t
        for k in range(dim):
            w_out[target, k] += work[row, k]
    return loss


@njit(fastmath=_FAST, **_JIT)
def _cbow(w_in, w_out, sentence, c, lo, hi, lr, targets, signs, n_targets, logistic, work, steps, rows, dots):
    """CBOW: work[1] holds the mean of the context vectors, work[0] its step; the
    targets go four at a time, as in _kernels.cbow (steps, rows, dots: scratch of
    four). Loops written out, as in _skipgram_batched."""
    dim = w_in.shape[1]
    scale = np.float32(1.0) / np.float32(hi - lo - 1)
    for k in range(dim):
        work[0, k] = 0.0
        work[1, k] = 0.0
    for j in range(lo, hi):
        if j != c:
            context = sentence[j]
            for k in range(dim):
                work[1, k] += w_in[context, k]
    for k in range(dim):
        work[1, k] *= scale
    loss = 0.0
    for first in range(0, n_targets, 4):  # four targets scored from the same weights, as _kernels.cbow
        group = min(4, n_targets - first)
        for i in range(4):  # a short last group repeats its first target, with a zero step
            rows[i] = targets[first + i] if i < group else targets[first]
        a, b, c_, d = rows[0], rows[1], rows[2], rows[3]
        f_a = f_b = f_c = f_d = np.float32(0.0)
        for k in range(dim):
            m = work[1, k]
            f_a += m * w_out[a, k]
            f_b += m * w_out[b, k]
            f_c += m * w_out[c_, k]
            f_d += m * w_out[d, k]
        dots[0], dots[1], dots[2], dots[3] = f_a, f_b, f_c, f_d
        for i in range(4):
            steps[i] = 0.0
            if i < group:
                steps[i], example_loss = _logistic_gradient(dots[i], signs[first + i], lr, logistic)
                loss += example_loss
        g_a, g_b, g_c, g_d = steps[0], steps[1], steps[2], steps[3]
        for k in range(dim):
            work[0, k] += g_a * w_out[a, k] + g_b * w_out[b, k] + g_c * w_out[c_, k] + g_d * w_out[d, k]
        for i in range(group):
            target, g = rows[i], steps[i]
            for k in range(dim):
                w_out[target, k] += g * work[1, k]
    for j in range(lo, hi):
        if j != c:
            context = sentence[j]
            for k in range(dim):
                w_in[context, k] += work[0, k]
    return loss




@njit(**_JIT)
def train_chunk(method, w_in, w_out, ids, keep_prob, noise_prob, noise_alias, path_offsets, path_rows,
                path_signs, logistic, sentence, targets, signs, work, window, negative, lr_first, lr_last,
                seed):
    """Train on one chunk of the encoded corpus; see _kernels.train_chunk for the arguments.
    Returns (loss sum, positive examples, words kept)."""
    state = np.full(1, seed, dtype=np.uint64)
    n, pos = ids.shape[0], 0
    loss, examples, kept = 0.0, 0, 0
    lr_first, lr_last = np.float32(lr_first), np.float32(lr_last)
    half = targets.shape[0] // 2
    current, upcoming = targets[:half], targets[half:]
    current_signs, upcoming_signs = signs[:half], signs[half:]
    n_current = n_next = 0
    ahead = method != SKIPGRAM_CLASSIC  # targets one centre ahead, as in _kernels.train_chunk
    steps, rows, dots = np.empty(4, np.float32), np.empty(4, np.int64), np.empty(4, np.float32)
    window_steps = np.empty(2 * window * half, np.float32)  # in-place batched skip-gram: a step per context, target
    while pos < n:
        start = pos
        pos, length = _read_sentence(ids, pos, sentence, keep_prob, state)
        kept += length
        lr = lr_first + (lr_last - lr_first) * np.float32(start / n)
        if ahead and length > 0:
            n_next = _draw_targets(sentence[0], negative, upcoming, upcoming_signs, state, noise_prob,
                                   noise_alias, path_offsets, path_rows, path_signs)
        for c in range(length):
            span = window - _below(_next_random(state), window)
            lo = max(c - span, 0)
            hi = min(c + span + 1, length)
            if ahead:
                current, upcoming = upcoming, current
                current_signs, upcoming_signs = upcoming_signs, current_signs
                n_current = n_next
                if c + 1 < length:
                    n_next = _draw_targets(sentence[c + 1], negative, upcoming, upcoming_signs, state,
                                           noise_prob, noise_alias, path_offsets, path_rows, path_signs)
                    for t in range(n_next):
                        _prefetch_row(w_out, upcoming[t])
                if c + window + 1 < length:
                    _prefetch_row(w_in, sentence[c + window + 1])
            if hi - lo < 2:
                continue
            if method == CBOW:
                loss += _cbow(w_in, w_out, sentence, c, lo, hi, lr, current, current_signs, n_current,
                              logistic, work, steps, rows, dots)
                examples += 1
            elif method == SKIPGRAM_CLASSIC:
                for j in range(lo, hi):
                    if j != c:
                        n_current = _draw_targets(sentence[c], negative, current, current_signs, state,
                                                  noise_prob, noise_alias, path_offsets, path_rows, path_signs)
                        loss += _predict_targets(w_in, sentence[j], w_out, current, current_signs, n_current,
                                                 work, lr, logistic)
                        _add_scaled(w_in, sentence[j], np.float32(1.0), work, 0)
                examples += hi - lo - 1
            elif w_in.shape[1] >= IN_PLACE_MIN_DIM:
                loss += _skipgram_batched_in_place(w_in, w_out, sentence, c, lo, hi, lr, current, current_signs,
                                                   n_current, logistic, work, rows, window_steps)
                examples += hi - lo - 1
            else:
                loss += _skipgram_batched(w_in, w_out, sentence, c, lo, hi, lr, current, current_signs,
                                          n_current, logistic, work, rows)
                examples += hi - lo - 1
    return loss, examples, kept


# --- subword input vectors (see _kernels.train_chunk_subword) ---------------------------------



@njit(fastmath=_FAST, **_JIT)
def _compose_word(w_in, offsets, rows, word, out, out_row, weight):
    """out[out_row] += weight * mean of the word's rows."""
    first, last = offsets[word], offsets[word + 1]
    scale = np.float32(weight / np.float32(last - first))
    for r in range(first, last):
        _add_scaled(out, out_row, scale, w_in, rows[r])


@njit(fastmath=_FAST, **_JIT)
def _spread_step(w_in, offsets, rows, word, step, step_row):
    for r in range(offsets[word], offsets[word + 1]):
        _add_scaled(w_in, rows[r], np.float32(1.0), step, step_row)


@njit(**_JIT)
def _prefetch_word(w_in, offsets, rows, word):
    for r in range(offsets[word], offsets[word + 1]):
        _prefetch_row(w_in, rows[r])


@njit(**_JIT)
def _add_examples(word, negative, targets, signs, count, w_out, noise_prob, noise_alias, state):
    """Append `word` (+1) and its noise draws (-1) to targets/signs and prefetch their
    output rows; see _kernels.add_examples. Returns the new count."""
    targets[count] = word
    signs[count] = np.float32(1.0)
    _prefetch_row(w_out, word)
    count += 1
    for _ in range(negative):
        noise = _draw_noise(state, noise_prob, noise_alias)
        if noise != word:
            targets[count] = noise
            signs[count] = np.float32(-1.0)
            _prefetch_row(w_out, noise)
            count += 1
    return count


@njit(fastmath=_FAST, **_JIT)
def _train_examples(work, targets, signs, n_targets, w_out, lr, logistic):
    """work[0] (h) against each output row in turn; h's step accumulates in work[1]. Returns the loss."""
    loss = 0.0
    for t in range(n_targets):
        target = targets[t]
        g, example_loss = _logistic_gradient(_dot(work, 0, w_out, target), signs[t], lr, logistic)
        loss += example_loss
        if g != 0:
            _add_scaled(work, 1, g, w_out, target)
            _add_scaled(w_out, target, g, work, 0)
    return loss


@njit(**_JIT)
def train_chunk_subword(method, w_in, w_out, offsets, rows, ids, keep_prob, noise_prob, noise_alias, logistic,
                        sentence, targets, signs, work, window, negative, lr_first, lr_last, seed):
    """Train on one chunk with subword input vectors; see _kernels.train_chunk_subword.
    Returns (loss sum, positive examples, words kept)."""
    state = np.full(1, seed, dtype=np.uint64)
    n, pos = ids.shape[0], 0
    loss, examples, kept = 0.0, 0, 0
    lr_first, lr_last = np.float32(lr_first), np.float32(lr_last)
    while pos < n:
        start = pos
        pos, length = _read_sentence(ids, pos, sentence, keep_prob, state)
        kept += length
        lr = lr_first + (lr_last - lr_first) * np.float32(start / n)
        for c in range(length):
            span = window - _below(_next_random(state), window)
            lo = max(c - span, 0)
            hi = min(c + span + 1, length)
            if method == SUBWORD_SKIPGRAM and c + 1 < length:
                _prefetch_word(w_in, offsets, rows, sentence[c + 1])
            elif method == SUBWORD_CBOW and c + window + 1 < length:
                _prefetch_word(w_in, offsets, rows, sentence[c + window + 1])
            if hi - lo < 2:
                continue
            _zero(work, 0)
            _zero(work, 1)
            if method == SUBWORD_SKIPGRAM:
                n_targets = 0
                for j in range(lo, hi):
                    if j != c:
                        n_targets = _add_examples(sentence[j], negative, targets, signs, n_targets, w_out,
                                                  noise_prob, noise_alias, state)
                _compose_word(w_in, offsets, rows, sentence[c], work, 0, np.float32(1.0))
                loss += _train_examples(work, targets, signs, n_targets, w_out, lr, logistic)
                _spread_step(w_in, offsets, rows, sentence[c], work, 1)
                examples += hi - lo - 1
            else:
                n_targets = _add_examples(sentence[c], negative, targets, signs, 0, w_out, noise_prob,
                                          noise_alias, state)
                weight = np.float32(1.0 / (hi - lo - 1))
                for j in range(lo, hi):
                    if j != c:
                        _compose_word(w_in, offsets, rows, sentence[j], work, 0, weight)
                loss += _train_examples(work, targets, signs, n_targets, w_out, lr, logistic)
                for j in range(lo, hi):
                    if j != c:
                        _spread_step(w_in, offsets, rows, sentence[j], work, 1)
                examples += 1
    return loss, examples, kept


def compile_kernel() -> None:
    """Compile ``train_chunk`` for the argument types the trainer passes, by
    running it once on a two-word problem (from the disk cache after the first time)."""
    w = np.zeros((2, 4), np.float32)
    ones = np.ones(2, np.float32)
    train_chunk(SKIPGRAM_BATCHED, w, w.copy(), np.array([0, 1], np.int32), ones, ones,
                np.arange(2, dtype=np.int32), np.zeros(3, np.int64), np.empty(0, np.int32),
                np.empty(0, np.float32), np.zeros((2, 3), np.float32), np.empty(4, np.int32),
                np.empty(4, np.int32), np.empty(4, np.float32), np.empty((4, 4), np.float32), 1, 1,
                0.0, 0.0, np.uint64(1))


def compile_subword_kernel() -> None:
    """Compile ``train_chunk_subword`` as compile_kernel does ``train_chunk``."""
    w = np.zeros((2, 4), np.float32)
    ones = np.ones(2, np.float32)
    train_chunk_subword(SUBWORD_SKIPGRAM, w, w.copy(), np.arange(3, dtype=np.int64), np.arange(2, dtype=np.int32),
                        np.array([0, 1], np.int32), ones, ones, np.arange(2, dtype=np.int32),
                        np.zeros((2, 3), np.float32), np.empty(4, np.int32), np.empty(4, np.int32),
                        np.empty(4, np.float32), np.empty((2, 4), np.float32), 1, 1, 0.0, 0.0, np.uint64(1))
