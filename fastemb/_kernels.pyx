# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The hot loops: SGD with negative sampling on shared matrices, without the GIL.

Only loops live here. Python (trainer.py) validates settings, builds every table
(keep-probabilities, the noise alias table, the logistic tables), allocates the
matrices and scratch buffers, seeds each call and runs the calls from several
threads at once on the same matrices with no locks (Hogwild, Recht et al. 2011).

Orientation as in word2vec.c: the *input* matrix ``w_in`` holds the context
words' vectors (the word vectors users get), the *output* matrix ``w_out`` the
vectors of the words being predicted (the centre word and the noise words).

Encoded corpus: int32 word ids, -1 marks a sentence end; a window never crosses it.
Random numbers: one splitmix64 stream per call, seeded by the caller, so a run
with one thread and a seed is reproducible whatever the chunk sizes.
"""
from libc.stdint cimport int32_t, uint64_t
from libc.string cimport memset

# The logistic tables cover z in [-MAX_Z, MAX_Z]; outside it the sigmoid is
# taken as 0 or 1 (word2vec.c's MAX_EXP). trainer.logistic_tables builds them.
cdef float MAX_Z = 6.0


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


cdef inline double update_output(const float* h, float* out, float* grad_h, int dim, float lr,
                                 float label_sign, const float[:, ::1] logistic) noexcept nogil:
    """One logistic-loss step for input vector h against one output row.

    label_sign is +1 for the true word, -1 for a noise word. With z = -sign * h.out
    the loss is softplus(z) and its gradient w.r.t. h.out is -sign * sigmoid(z), so
        g = lr * sign * sigmoid(z);   grad_h += g * out;   out += g * h
    which is word2vec.c's g = (label - sigmoid(h.out)) * alpha. Returns the loss.
    NaN falls through to the last branch and so reaches the returned loss, where
    the trainer sees it.
    """
    cdef float z = -label_sign * dot(h, out, dim)
    cdef float g
    cdef double loss
    cdef Py_ssize_t i
    if z <= -MAX_Z:  # already confidently right: no gradient
        return 0.0
    elif z < MAX_Z:
        i = <Py_ssize_t>((z + MAX_Z) * ((logistic.shape[1] - 1) / (2 * MAX_Z)))
        g = lr * label_sign * logistic[0, i]
        loss = logistic[1, i]
    else:  # confidently wrong: sigmoid(z) = 1, softplus(z) ~ z
        g = lr * label_sign
        loss = z
    add_scaled(grad_h, g, out, dim)
    add_scaled(out, g, h, dim)
    return loss


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


def train_chunk(bint cbow,
                float[:, ::1] w_in,               # shared, updated without locks
                float[:, ::1] w_out,              # shared, updated without locks
                const int32_t[::1] ids,           # in: encoded corpus chunk, -1 = sentence end
                const float[::1] keep_prob,       # in: per word, subsampling
                const float[::1] noise_prob,      # in: alias table, acceptance per column
                const int32_t[::1] noise_alias,   # in: alias table, fallback per column
                const float[:, ::1] logistic,     # in: row 0 sigmoid, row 1 softplus, on [-MAX_Z, MAX_Z]
                int32_t[::1] sentence,            # scratch: max_sentence_length words
                float[:, ::1] work,               # scratch: 2 x dim
                int window, int negative,
                float lr_first, float lr_last,    # learning rate at the chunk's first and last position
                uint64_t seed):
    """Train on one chunk of the encoded corpus. Returns (loss sum, positive examples, words kept)."""
    cdef int dim = w_in.shape[1]
    cdef uint64_t state = seed
    cdef Py_ssize_t n = ids.shape[0], pos = 0, start, length, c, j, lo, hi, span, k, target, context
    cdef double loss = 0.0
    cdef long long examples = 0, kept = 0
    cdef float lr, scale
    cdef float* grad = &work[0, 0]
    cdef float* mean = &work[1, 0]
    cdef float* h
    with nogil:
        while pos < n:
            start = pos
            pos = read_sentence(ids, pos, sentence, &length, keep_prob, &state)
            kept += length
            # linear decay by position in the corpus, as word2vec.c does by words read
            lr = lr_first + (lr_last - lr_first) * (<float>start / n)
            for c in range(length):
                # reduced window: a span of 1..window, drawn per centre word (word2vec.c's b)
                span = window - below(next_random(&state), window)
                lo = c - span if c > span else 0
                hi = c + span + 1 if c + span + 1 < length else length
                if cbow:
                    # h = mean of the context vectors (input); predict sentence[c] (output).
                    # As word2vec.c, each context vector then receives the whole gradient
                    # of h, not 1/count of it: alpha 0.05 is tuned for that.
                    if hi - lo < 2:
                        continue
                    memset(mean, 0, dim * sizeof(float))
                    for j in range(lo, hi):
                        if j != c:
                            add_scaled(mean, 1.0, &w_in[sentence[j], 0], dim)
                    scale = 1.0 / (hi - lo - 1)
                    for k in range(dim):
                        mean[k] *= scale
                    memset(grad, 0, dim * sizeof(float))
                    loss += update_output(mean, &w_out[sentence[c], 0], grad, dim, lr, 1.0, logistic)
                    for k in range(negative):
                        target = draw_noise(&state, noise_prob, noise_alias)
                        if target != sentence[c]:
                            loss += update_output(mean, &w_out[target, 0], grad, dim, lr, -1.0, logistic)
                    for j in range(lo, hi):
                        if j != c:
                            add_scaled(&w_in[sentence[j], 0], 1.0, grad, dim)
                    examples += 1
                else:
                    # skip-gram: for each context word, h = its input vector; predict
                    # the centre word sentence[c] and `negative` noise words (output).
                    for j in range(lo, hi):
                        if j == c:
                            continue
                        context = sentence[j]
                        h = &w_in[context, 0]
                        memset(grad, 0, dim * sizeof(float))
                        loss += update_output(h, &w_out[sentence[c], 0], grad, dim, lr, 1.0, logistic)
                        for k in range(negative):
                            target = draw_noise(&state, noise_prob, noise_alias)
                            if target != sentence[c]:
                                loss += update_output(h, &w_out[target, 0], grad, dim, lr, -1.0, logistic)
                        add_scaled(h, 1.0, grad, dim)
                        examples += 1
    return loss, examples, kept
