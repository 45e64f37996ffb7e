# Training with negative sampling and/or hierarchical softmax: train_chunk and its loops.
# (included by _kernels.pyx: one compiled module, a file per concept)

# The logistic tables cover z in [-MAX_Z, MAX_Z]; outside it the sigmoid is
# taken as 0 or 1 (word2vec.c's MAX_EXP). sampling.logistic_table builds them.
# MAX_Z and the method codes come from _constants.pxi (kernel_constants.py).

cdef extern from *:
    # gcc's __builtin_prefetch(address, rw, locality): locality 2 fetches into L2, not L1 (prefetcht1 on x86)
    void prefetch "__builtin_prefetch"(const void* address, int rw, int locality) nogil
    # rows that never overlap: without the promise gcc does not vectorise loops writing several
    ctypedef float* restrict_row "float * __restrict__"
    ctypedef const float* restrict_const_row "const float * __restrict__"


cdef inline void prefetch_row(const float* row, int dim) noexcept nogil:
    # ask for a row a window ahead of its use: random rows of the big matrices
    # miss the caches, and noise words alone cost ~20% of the time without this.
    # Into L2, not L1: more of a window's rows are then on their way at once, and
    # CPU time falls 4-17% (CBOW at dim 300 most; bench/results/2026-11-29-prefetch.md)
    cdef int k
    for k in range(0, dim, 16):  # a 64-byte cache line per 16 floats
        prefetch(row + k, 0, 2)


cdef inline uint64_t next_random(uint64_t* state) noexcept nogil:
    # splitmix64 (Steele, Lea & Flood 2014): every output bit is usable, unlike
    # the low bits of word2vec.c's linear congruential generator.
    cdef uint64_t z
    state[0] += 0x9E3779B97F4A7C15ULL
    z = state[0]
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL
    return z ^ (z >> 31)


cdef inline float unit_float(uint64_t r) noexcept nogil:
    """Low 24 bits as a float in [0, 1): exact in float32, so Python can reproduce it."""
    return <float>(r & 0xFFFFFF) * <float>(1.0 / 16777216.0)


cdef inline Py_ssize_t below(uint64_t r, Py_ssize_t n) noexcept nogil:
    """High 32 bits scaled into [0, n) by a multiply, not a modulo (Lemire 2019)."""
    return <Py_ssize_t>(((r >> 32) * <uint64_t>n) >> 32)


cdef inline float dot(const float* a, const float* b, int dim) noexcept nogil:
    cdef float total = 0
    cdef int k
    for k in range(dim):
        total += a[k] * b[k]
    return total


cdef inline void add_scaled(float* y, float scale, const float* x, int dim) noexcept nogil:
    cdef int k
    for k in range(dim):
        y[k] += scale * x[k]


cdef inline float logistic_gradient(float f, float label_sign, float lr, const float[:, ::1] logistic,
                                    double* loss) noexcept nogil:
    """The step size g of one logistic-loss example with score f = h.out.

    label_sign is +1 for the true word, -1 for a noise word (in hierarchical
    softmax, +1 / -1 for a left / right turn at a path node). With z = -sign * f
    the loss is softplus(z), and the step that lowers it is
        g = lr * sign * sigmoid(z)        (word2vec.c's (label - sigmoid(f)) * alpha)
    to be applied as  h += g * out,  out += g * h.  Adds the loss to loss[0].
    NaN falls through to the last branch and so reaches the loss, where the
    trainer sees it.
    """
    cdef float z = -label_sign * f
    cdef Py_ssize_t i
    if z <= -MAX_Z:  # already confidently right: no gradient
        return 0.0
    elif z < MAX_Z:
        i = <Py_ssize_t>((z + MAX_Z) * ((logistic.shape[1] - 1) / (2 * MAX_Z)))
        loss[0] += logistic[1, i]
        return lr * label_sign * logistic[0, i]
    else:  # confidently wrong: sigmoid(z) = 1, softplus(z) ~ z
        loss[0] += z
        return lr * label_sign


cdef inline void update_output(const float* h, float* out, float* grad_h, int dim, float lr,
                               float label_sign, const float[:, ::1] logistic, double* loss) noexcept nogil:
    """One example for input vector h against one output row: out moves now, h's step
    accumulates in grad_h (applied by the caller once all its examples are done)."""
    cdef float g = logistic_gradient(dot(h, out, dim), label_sign, lr, logistic, loss)
    if g != 0:
        add_scaled(grad_h, g, out, dim)
        add_scaled(out, g, h, dim)


cdef inline Py_ssize_t draw_noise(uint64_t* state, const float[::1] noise_prob,
                                  const int32_t[::1] noise_alias) noexcept nogil:
    """One draw from count^0.75 by Walker's alias method: one row, one comparison."""
    cdef uint64_t r = next_random(state)
    cdef Py_ssize_t column = below(r, noise_prob.shape[0])
    if unit_float(r) < noise_prob[column]:
        return column
    return noise_alias[column]


cdef inline Py_ssize_t read_sentence(const int32_t[::1] ids, Py_ssize_t pos, int32_t[::1] sentence,
                                     Py_ssize_t* length, const float[::1] keep_prob,
                                     uint64_t* state) noexcept nogil:
    """Copy the words of the sentence at ids[pos] that survive subsampling.

    word2vec.c's subsampling: word w is kept with probability keep_prob[w],
    drawn afresh each epoch. Returns the position after the sentence end (or
    where the buffer filled up, so an over-long sentence is cut, not overrun).
    """
    cdef Py_ssize_t n = ids.shape[0], capacity = sentence.shape[0], kept = 0
    cdef int32_t word
    while pos < n and kept < capacity:
        word = ids[pos]
        if word < 0:
            pos += 1
            break
        if unit_float(next_random(state)) < keep_prob[word]:
            sentence[kept] = word
            kept += 1
        pos += 1
    length[0] = kept
    return pos


cdef inline Py_ssize_t draw_targets(int32_t centre, int negative, int32_t* targets, float* signs,
                                    uint64_t* state, const float[::1] noise_prob, const int32_t[::1] noise_alias,
                                    const int64_t[::1] path_offsets, const int32_t[::1] path_rows,
                                    const float[::1] path_signs) noexcept nogil:
    """The output rows that predict `centre`, with the sign of each one's label:
    the inner nodes of its Huffman path (hierarchical softmax; none without it),
    then, with negative sampling, the centre (+1) and `negative` noise words (-1).
    A noise word equal to the centre is dropped, as in word2vec.c.
    Returns how many targets there are."""
    cdef Py_ssize_t count = 0, k
    cdef int32_t target
    for k in range(path_offsets[centre], path_offsets[centre + 1]):
        targets[count] = path_rows[k]
        signs[count] = path_signs[k]
        count += 1
    if negative == 0:
        return count
    targets[count] = centre
    signs[count] = 1.0
    count += 1
    for k in range(negative):
        target = <int32_t>draw_noise(state, noise_prob, noise_alias)
        if target != centre:
            targets[count] = target
            signs[count] = -1.0
            count += 1
    return count


cdef inline void predict_targets(const float* h, float[:, ::1] w_out, const int32_t* targets,
                                 const float* signs, Py_ssize_t n_targets, float* grad_h, int dim,
                                 float lr, const float[:, ::1] logistic, double* loss) noexcept nogil:
    """Input vector h predicts its targets one example after another (word2vec.c's
    order): each output row moves at once, h's step accumulates in grad_h, which
    the caller applies (to h, or to the context vectors h was made of)."""
    cdef Py_ssize_t t
    memset(grad_h, 0, dim * sizeof(float))
    for t in range(n_targets):
        update_output(h, &w_out[targets[t], 0], grad_h, dim, lr, signs[t], logistic, loss)


cdef inline void dot_four(restrict_const_row a, restrict_const_row b, restrict_const_row c,
                          restrict_const_row d, restrict_const_row x, int dim, float* dots) noexcept nogil:
    """a.x, b.x, c.x, d.x in one pass: x is loaded once for four."""
    cdef float sum_a = 0, sum_b = 0, sum_c = 0, sum_d = 0
    cdef int k
    for k in range(dim):
        sum_a += a[k] * x[k]
        sum_b += b[k] * x[k]
        sum_c += c[k] * x[k]
        sum_d += d[k] * x[k]
    dots[0] = sum_a
    dots[1] = sum_b
    dots[2] = sum_c
    dots[3] = sum_d


cdef inline void step_four(restrict_row grad_a, restrict_row grad_b, restrict_row grad_c, restrict_row grad_d,
                           restrict_row grad_x, restrict_const_row a, restrict_const_row b, restrict_const_row c,
                           restrict_const_row d, restrict_const_row x, const float* g, int dim) noexcept nogil:
    """The steps of examples (a, x) ... (d, x) in one pass: grad_a += g[0] x, ...,
    grad_x += g[0] a + g[1] b + g[2] c + g[3] d."""
    cdef float g_a = g[0], g_b = g[1], g_c = g[2], g_d = g[3]
    cdef int k
    for k in range(dim):
        grad_a[k] += g_a * x[k]
        grad_b[k] += g_b * x[k]
        grad_c[k] += g_c * x[k]
        grad_d[k] += g_d * x[k]
        grad_x[k] += g_a * a[k] + g_b * b[k] + g_c * c[k] + g_d * d[k]


cdef inline void skipgram_batched(float[:, ::1] w_in, float[:, ::1] w_out, const int32_t[::1] sentence,
                                  Py_ssize_t c, Py_ssize_t lo, Py_ssize_t hi, float lr,
                                  const int32_t* targets, const float* signs, Py_ssize_t n_targets,
                                  const float[:, ::1] logistic, float[:, ::1] work, double* loss) noexcept nogil:
    """Skip-gram with one set of targets shared by the whole window (Ji et al.
    2016, pWord2Vec): the (contexts x targets) block of examples is scored from
    the same weights, and the steps are applied together at the end,
        w_in[j]  += sum_t g[j, t] * w_out[t],   w_out[t] += sum_j g[j, t] * w_in[j].
    It reads the target rows once per window instead of once per context word.
    With negative sampling the noise words are shared; hierarchical softmax's
    path nodes are the same for every context word anyway.
    Context words go four at a time (the last up to three padded with the
    first, their steps discarded), so that each target row is loaded once per
    four examples: register blocking, as pWord2Vec's small matrix products.
    work: a row per context word, three spare rows, then (from the end) a row
    per target.
    So the window takes one SGD step on its loss, the sum over its context words
    j and the targets t of softplus(-sign_t * w_in[j].w_out[t]), with the
    gradient taken at the window's starting parameters, the noise words shared
    by its context words (a target drawn twice counts twice, still at the start).
    word2vec.c's skip-gram (SKIPGRAM_CLASSIC) takes a step per (context, centre)
    pair instead, each at the parameters the previous one left, with noise words
    of its own. tests/test_kernel_autograd.py checks both against autograd.
    Rows of IN_PLACE_MIN_DIM floats or more go to skipgram_batched_in_place instead."""
    cdef int dim = w_in.shape[1]
    cdef Py_ssize_t j, i, t, n = 0, group
    cdef Py_ssize_t first_target_row = work.shape[0] - n_targets
    cdef float dots[4]
    cdef float g[4]
    cdef float* rows[4]
    cdef float* grads[4]
    cdef float* out
    memset(&work[0, 0], 0, (hi - lo - 1) * dim * sizeof(float))
    memset(&work[first_target_row, 0], 0, n_targets * dim * sizeof(float))
    j = lo
    while j < hi:
        group = 0
        while group < 4 and j < hi:
            if j != c:
                rows[group] = &w_in[sentence[j], 0]
                grads[group] = &work[n, 0]
                group += 1
                n += 1
            j += 1
        if group == 0:  # only the centre was left
            break
        for i in range(group, 4):  # pad a short last group; its steps go to spare rows
            rows[i] = rows[0]
            grads[i] = &work[first_target_row - 4 + i, 0]
        for t in range(n_targets):
            out = &w_out[targets[t], 0]
            dot_four(rows[0], rows[1], rows[2], rows[3], out, dim, dots)
            for i in range(4):
                g[i] = logistic_gradient(dots[i], signs[t], lr, logistic, loss) if i < group else 0.0
            if g[0] != 0 or g[1] != 0 or g[2] != 0 or g[3] != 0:
                step_four(grads[0], grads[1], grads[2], grads[3], &work[first_target_row + t, 0],
                          rows[0], rows[1], rows[2], rows[3], out, g, dim)
    n = 0
    for j in range(lo, hi):
        if j != c:
            add_scaled(&w_in[sentence[j], 0], 1.0, &work[n, 0], dim)
            n += 1
    for t in range(n_targets):
        add_scaled(&w_out[targets[t], 0], 1.0, &work[first_target_row + t, 0], dim)


cdef inline void add_scaled_four(restrict_row y, const float* g, restrict_const_row a, restrict_const_row b,
                                 restrict_const_row c, restrict_const_row d, int dim) noexcept nogil:
    """y += g[0] a + g[1] b + g[2] c + g[3] d"""
    cdef float g_a = g[0], g_b = g[1], g_c = g[2], g_d = g[3]
    cdef int k
    for k in range(dim):
        y[k] += g_a * a[k] + g_b * b[k] + g_c * c[k] + g_d * d[k]


cdef inline Py_ssize_t context_group(float[:, ::1] w_in, const int32_t[::1] sentence, Py_ssize_t* j,
                                     Py_ssize_t c, Py_ssize_t hi, float** rows) noexcept nogil:
    """The next four context rows at sentence positions j[0]..hi, the centre c
    skipped; j[0] moves past them. A short last group repeats its first row (its
    steps are zero). Returns how many rows are real: 0 when none was left."""
    cdef Py_ssize_t group = 0, i
    while group < 4 and j[0] < hi:
        if j[0] != c:
            rows[group] = &w_in[sentence[j[0]], 0]
            group += 1
        j[0] += 1
    for i in range(group, 4):
        rows[i] = rows[0]
    return group


cdef inline void skipgram_batched_in_place(float[:, ::1] w_in, float[:, ::1] w_out, const int32_t[::1] sentence,
                                  Py_ssize_t c, Py_ssize_t lo, Py_ssize_t hi, float lr,
                                  const int32_t* targets, const float* signs, Py_ssize_t n_targets,
                                  const float[:, ::1] logistic, float[:, ::1] work, double* loss) noexcept nogil:
    """skipgram_batched's window step (the same gradient, at the window's starting
    parameters), in passes of four rows to one that write each context row once,
    in place, instead of accumulating its step in scratch and adding it at the end:
      1. four context rows against each target row (dot_four): the steps g, into
         work's first rows (n_targets floats per context word);
      2. the targets' steps, sum_j g[j, t] w_in[j], four context rows a pass, into
         work's last rows, from the context rows before they move;
      3. each context row moves in place, four target rows a pass (they have not
         moved yet); then each target row moves by its step.
    Four rows' steps that are all zero are skipped, as in skipgram_batched.
    It reads the context rows three times where skipgram_batched reads them once,
    but stores far less: CPU time per word 0.91x at dim 300 and 0.80x at 1000,
    1.03x at 100 (bench/results/2026-11-29-dims.md), hence only for rows of
    IN_PLACE_MIN_DIM floats or more."""
    cdef int dim = w_in.shape[1]
    cdef Py_ssize_t j, i, t, n = 0, group, first, count
    cdef Py_ssize_t first_target_row = work.shape[0] - n_targets
    cdef float* steps = &work[0, 0]  # steps[n * n_targets + t]: context n against target t
    cdef float* delta
    cdef float dots[4]
    cdef float g[4]
    cdef float* rows[4]
    cdef float* outs[4]
    j = lo
    while True:
        group = context_group(w_in, sentence, &j, c, hi, rows)
        if group == 0:
            break
        for t in range(n_targets):
            dot_four(rows[0], rows[1], rows[2], rows[3], &w_out[targets[t], 0], dim, dots)
            for i in range(group):
                steps[(n + i) * n_targets + t] = logistic_gradient(dots[i], signs[t], lr, logistic, loss)
        n += group
    for t in range(n_targets):
        delta = &work[first_target_row + t, 0]
        memset(delta, 0, dim * sizeof(float))
        n = 0
        j = lo
        while True:
            group = context_group(w_in, sentence, &j, c, hi, rows)
            if group == 0:
                break
            for i in range(4):
                g[i] = steps[(n + i) * n_targets + t] if i < group else 0.0
            if g[0] != 0 or g[1] != 0 or g[2] != 0 or g[3] != 0:
                add_scaled_four(delta, g, rows[0], rows[1], rows[2], rows[3], dim)
            n += group
    n = 0
    for j in range(lo, hi):
        if j == c:
            continue
        for first in range(0, n_targets, 4):
            count = n_targets - first if n_targets - first < 4 else 4
            for i in range(4):
                outs[i] = &w_out[targets[first + i if i < count else first], 0]
                g[i] = steps[n * n_targets + first + i] if i < count else 0.0
            if g[0] != 0 or g[1] != 0 or g[2] != 0 or g[3] != 0:
                add_scaled_four(&w_in[sentence[j], 0], g, outs[0], outs[1], outs[2], outs[3], dim)
        n += 1
    for t in range(n_targets):
        add_scaled(&w_out[targets[t], 0], 1.0, &work[first_target_row + t, 0], dim)


cdef inline void predict_in_fours(const float* h, float[:, ::1] w_out, const int32_t* targets,
                                  const float* signs, Py_ssize_t n_targets, float* grad_h, int dim,
                                  float lr, const float[:, ::1] logistic, double* loss) noexcept nogil:
    """Input vector h predicts its targets four at a time: the four are scored from
    the same weights and h's step taken from them in one pass each (register
    blocking, as in skipgram_batched), then each output row moves. Only a target
    drawn twice within four sees a different row than one at a time would."""
    cdef Py_ssize_t t, i, group
    cdef float dots[4]
    cdef float g[4]
    cdef float* rows[4]
    memset(grad_h, 0, dim * sizeof(float))
    for t in range(0, n_targets, 4):
        group = n_targets - t if n_targets - t < 4 else 4
        for i in range(4):
            rows[i] = &w_out[targets[t + i if i < group else t], 0]
        dot_four(rows[0], rows[1], rows[2], rows[3], h, dim, dots)
        for i in range(4):
            g[i] = logistic_gradient(dots[i], signs[t + i], lr, logistic, loss) if i < group else 0.0
        add_scaled_four(grad_h, g, rows[0], rows[1], rows[2], rows[3], dim)
        for i in range(group):
            if g[i] != 0:
                add_scaled(rows[i], g[i], h, dim)


cdef inline void cbow(float[:, ::1] w_in, float[:, ::1] w_out, const int32_t[::1] sentence,
                      Py_ssize_t c, Py_ssize_t lo, Py_ssize_t hi, float lr,
                      const int32_t* targets, const float* signs, Py_ssize_t n_targets,
                      const float[:, ::1] logistic, float[:, ::1] work, double* loss) noexcept nogil:
    """CBOW: h = mean of the context vectors (input) predicts the targets (output),
    four at a time. As in word2vec.c, each context vector then receives the whole
    step of h, not 1/count of it: alpha 0.05 is tuned for that."""
    cdef int dim = w_in.shape[1]
    cdef Py_ssize_t j, k
    cdef float* grad = &work[0, 0]
    cdef float* mean = &work[1, 0]
    cdef float scale = 1.0 / (hi - lo - 1)
    memset(mean, 0, dim * sizeof(float))
    for j in range(lo, hi):
        if j != c:
            add_scaled(mean, 1.0, &w_in[sentence[j], 0], dim)
    for k in range(dim):
        mean[k] *= scale
    predict_in_fours(mean, w_out, targets, signs, n_targets, grad, dim, lr, logistic, loss)
    for j in range(lo, hi):
        if j != c:
            add_scaled(&w_in[sentence[j], 0], 1.0, grad, dim)


def train_chunk(int method,                       # CBOW 0, SKIPGRAM_CLASSIC 1, SKIPGRAM_BATCHED 2
                float[:, ::1] w_in,               # shared, updated without locks
                float[:, ::1] w_out,              # shared: noise-word rows, then Huffman inner nodes
                const int32_t[::1] ids,           # in: encoded corpus chunk, -1 = sentence end
                const float[::1] keep_prob,       # in: per word, subsampling
                const float[::1] noise_prob,      # in: alias table, acceptance per column
                const int32_t[::1] noise_alias,   # in: alias table, fallback per column
                const int64_t[::1] path_offsets,  # in: per word + 1, its Huffman path (all 0 without HS)
                const int32_t[::1] path_rows,     # in: w_out rows of the paths' inner nodes
                const float[::1] path_signs,      # in: +1 / -1 label per path entry
                const float[:, ::1] logistic,     # in: row 0 sigmoid, row 1 softplus, on [-MAX_Z, MAX_Z]
                int32_t[::1] sentence,            # scratch: max_sentence_length words
                int32_t[::1] targets,             # scratch: 2 * (longest path + 1 + negative) rows
                float[::1] signs,                 # scratch: as many labels
                float[:, ::1] work,               # scratch: kernel_call.work_shape(...)
                int window, int negative,         # negative 0: hierarchical softmax alone
                float lr_first, float lr_last,    # learning rate at the chunk's first and last position
                uint64_t seed):
    """Train on one chunk of the encoded corpus. Returns (loss sum, positive examples, words kept).

    CBOW and batched skip-gram draw a window's targets (path nodes, centre and
    noise words) one centre ahead, so that their rows can be prefetched while the
    current window is trained; `targets` and `signs` hold both sets."""
    cdef int dim = w_in.shape[1]
    cdef uint64_t state = seed
    cdef Py_ssize_t n = ids.shape[0], pos = 0, start, length, c, j, lo, hi, span, t
    cdef Py_ssize_t n_current = 0, n_next = 0, half = targets.shape[0] // 2
    cdef int32_t* current = &targets[0]
    cdef int32_t* upcoming = &targets[half]
    cdef float* current_signs = &signs[0]
    cdef float* upcoming_signs = &signs[half]
    cdef bint ahead = method != SKIPGRAM_CLASSIC
    cdef double loss = 0.0
    cdef long long examples = 0, kept = 0
    cdef float lr
    with nogil:
        while pos < n:
            start = pos
            pos = read_sentence(ids, pos, sentence, &length, keep_prob, &state)
            kept += length
            # linear decay by position in the corpus, as word2vec.c does by words read
            lr = lr_first + (lr_last - lr_first) * (<float>start / n)
            if ahead and length > 0:
                n_next = draw_targets(sentence[0], negative, upcoming, upcoming_signs, &state, noise_prob,
                                      noise_alias, path_offsets, path_rows, path_signs)
            for c in range(length):
                # reduced window: a span of 1..window, drawn per centre word (word2vec.c's b)
                span = window - below(next_random(&state), window)
                lo = c - span if c > span else 0
                hi = c + span + 1 if c + span + 1 < length else length
                if ahead:
                    current, upcoming = upcoming, current
                    current_signs, upcoming_signs = upcoming_signs, current_signs
                    n_current = n_next
                    if c + 1 < length:
                        n_next = draw_targets(sentence[c + 1], negative, upcoming, upcoming_signs, &state,
                                              noise_prob, noise_alias, path_offsets, path_rows, path_signs)
                        for t in range(n_next):
                            prefetch_row(&w_out[upcoming[t], 0], dim)
                    if c + window + 1 < length:  # the word entering the next window
                        prefetch_row(&w_in[sentence[c + window + 1], 0], dim)
                if hi - lo < 2:
                    continue
                if method == CBOW:
                    cbow(w_in, w_out, sentence, c, lo, hi, lr, current, current_signs, n_current,
                         logistic, work, &loss)
                    examples += 1
                elif method == SKIPGRAM_CLASSIC:
                    # word2vec.c's skip-gram: each context word in turn predicts the
                    # centre's targets, with its own noise words: a gradient step per
                    # pair, at the parameters the previous pair left
                    for j in range(lo, hi):
                        if j != c:
                            n_current = draw_targets(sentence[c], negative, current, current_signs, &state,
                                                     noise_prob, noise_alias, path_offsets, path_rows,
                                                     path_signs)
                            predict_targets(&w_in[sentence[j], 0], w_out, current, current_signs, n_current,
                                            &work[0, 0], dim, lr, logistic, &loss)
                            add_scaled(&w_in[sentence[j], 0], 1.0, &work[0, 0], dim)
                    examples += hi - lo - 1
                else:
                    if dim >= IN_PLACE_MIN_DIM:
                        skipgram_batched_in_place(w_in, w_out, sentence, c, lo, hi, lr, current, current_signs,
                                                  n_current, logistic, work, &loss)
                    else:
                        skipgram_batched(w_in, w_out, sentence, c, lo, hi, lr, current, current_signs, n_current,
                                         logistic, work, &loss)
                    examples += hi - lo - 1
    return loss, examples, kept
