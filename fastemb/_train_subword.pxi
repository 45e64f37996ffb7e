# Training with subword input vectors: train_chunk_subword.
# (included by _kernels.pyx: one compiled module, a file per concept)

# ---------------------------------------------------------------------------
# Subword training: each word's input vector is the mean of several rows
# ---------------------------------------------------------------------------
# With character n-grams (subwords.py) a word's input vector is not one row of
# w_in but the mean of its rows rows[offsets[w]:offsets[w + 1]] (its own row,
# then one per n-gram bucket). The kernel composes that mean into scratch,
# trains it like a word vector, and adds the step it got to every one of its
# rows: the full step to each, as fastText does for skip-gram and CBOW (and
# word2vec.c's CBOW for its context words), so the mean moves by the step.

cdef inline void compose_word(const float[:, ::1] w_in, const int64_t[::1] offsets, const int32_t[::1] rows,
                              int32_t word, float* out, float weight, int dim) noexcept nogil:
    """out += weight * mean of the word's rows."""
    cdef int64_t r, first = offsets[word], last = offsets[word + 1]
    cdef float scale = weight / (last - first)
    for r in range(first, last):
        add_scaled(out, scale, &w_in[rows[r], 0], dim)


cdef inline void spread_step(float[:, ::1] w_in, const int64_t[::1] offsets, const int32_t[::1] rows,
                             int32_t word, const float* step, int dim) noexcept nogil:
    """Every row of the word += step (a bucket shared by two of its n-grams gets it twice)."""
    cdef int64_t r
    for r in range(offsets[word], offsets[word + 1]):
        add_scaled(&w_in[rows[r], 0], 1.0, step, dim)


cdef inline void prefetch_word(const float[:, ::1] w_in, const int64_t[::1] offsets, const int32_t[::1] rows,
                               int32_t word, int dim) noexcept nogil:
    cdef int64_t r
    for r in range(offsets[word], offsets[word + 1]):
        prefetch_row(&w_in[rows[r], 0], dim)


cdef inline void subword_example(const float* h, float* out, float* grad_h, int dim, float lr, float label_sign,
                                 const float[:, ::1] logistic, double* loss) noexcept nogil:
    """One logistic-loss example of input h against an output row:
    g = logistic_gradient(h.out); grad_h += g * out; out += g * h."""
    cdef float g = logistic_gradient(dot(h, out, dim), label_sign, lr, logistic, loss)
    if g != 0:
        add_scaled(grad_h, g, out, dim)
        add_scaled(out, g, h, dim)


cdef inline Py_ssize_t add_examples(int32_t word, int negative, int32_t* targets, float* signs, Py_ssize_t count,
                                    const float[:, ::1] w_out, const float[::1] noise_prob,
                                    const int32_t[::1] noise_alias, uint64_t* state) noexcept nogil:
    """Append `word` (label +1) and `negative` fresh noise draws (label -1; a draw
    equal to `word` is dropped, as in word2vec.c) to targets/signs, and prefetch
    their output rows, which are used once the input vector is composed.
    Returns the new count."""
    cdef int k
    cdef int32_t noise
    targets[count] = word
    signs[count] = 1.0
    prefetch_row(&w_out[word, 0], w_out.shape[1])
    count += 1
    for k in range(negative):
        noise = <int32_t>draw_noise(state, noise_prob, noise_alias)
        if noise != word:
            targets[count] = noise
            signs[count] = -1.0
            prefetch_row(&w_out[noise, 0], w_out.shape[1])
            count += 1
    return count


def train_chunk_subword(int method,                     # SUBWORD_CBOW 0, SUBWORD_SKIPGRAM 1
                        float[:, ::1] w_in,             # shared, updated without locks: (V + buckets) rows
                        float[:, ::1] w_out,            # shared, updated without locks: V rows
                        const int64_t[::1] offsets,     # in: word w's rows are rows[offsets[w]:offsets[w + 1]]
                        const int32_t[::1] rows,        # in: rows of w_in, own row first, then n-gram buckets
                        const int32_t[::1] ids,         # in: encoded corpus chunk, -1 = sentence end
                        const float[::1] keep_prob,     # in: per word, subsampling
                        const float[::1] noise_prob,    # in: alias table, acceptance per column
                        const int32_t[::1] noise_alias, # in: alias table, fallback per column
                        const float[:, ::1] logistic,   # in: row 0 sigmoid, row 1 softplus, on [-MAX_Z, MAX_Z]
                        int32_t[::1] sentence,          # scratch: max_sentence_length words
                        int32_t[::1] targets,           # scratch: 2 * window * (1 + negative) output rows
                        float[::1] signs,               # scratch: their labels, as many
                        float[:, ::1] work,             # scratch: 2 rows of dim
                        int window, int negative,
                        float lr_first, float lr_last,  # learning rate at the chunk's first and last position
                        uint64_t seed):
    """Train on one chunk with subword input vectors. Returns (loss sum, positive examples, words kept).

    Skip-gram, fastText's orientation: the centre word's composed vector
        h = mean(w_in[rows of centre])                        (input)
    predicts each context word of the window (output, w_out) against fresh
    noise words; h is composed once per window, its step summed over the
    window's examples, then added to every row of the centre.
    CBOW: h = mean over the context words of their composed vectors predicts
    the centre (and noise words); the step goes to every row of every context.
    Random draws, in order: subsampling (read_sentence), per centre the reduced
    window, then per positive example its `negative` noise words. A window's
    examples are all drawn before its input vector is composed, so that their
    output rows arrive from memory meanwhile; each is then trained in order."""
    cdef int dim = w_in.shape[1]
    cdef uint64_t state = seed
    cdef Py_ssize_t n = ids.shape[0], pos = 0, start, length, c, j, lo, hi, span, t, n_targets
    cdef float* h = &work[0, 0]
    cdef float* grad = &work[1, 0]
    cdef double loss = 0.0
    cdef long long examples = 0, kept = 0
    cdef float lr
    with nogil:
        while pos < n:
            start = pos
            pos = read_sentence(ids, pos, sentence, &length, keep_prob, &state)
            kept += length
            lr = lr_first + (lr_last - lr_first) * (<float>start / n)
            for c in range(length):
                span = window - below(next_random(&state), window)
                lo = c - span if c > span else 0
                hi = c + span + 1 if c + span + 1 < length else length
                # the rows needed next: the next centre's (skip-gram) or the word entering the window (CBOW)
                if method == SUBWORD_SKIPGRAM and c + 1 < length:
                    prefetch_word(w_in, offsets, rows, sentence[c + 1], dim)
                elif method == SUBWORD_CBOW and c + window + 1 < length:
                    prefetch_word(w_in, offsets, rows, sentence[c + window + 1], dim)
                if hi - lo < 2:
                    continue
                memset(h, 0, dim * sizeof(float))
                memset(grad, 0, dim * sizeof(float))
                n_targets = 0
                if method == SUBWORD_SKIPGRAM:
                    for j in range(lo, hi):
                        if j != c:
                            n_targets = add_examples(sentence[j], negative, &targets[0], &signs[0], n_targets,
                                                     w_out, noise_prob, noise_alias, &state)
                    compose_word(w_in, offsets, rows, sentence[c], h, 1.0, dim)
                    for t in range(n_targets):
                        subword_example(h, &w_out[targets[t], 0], grad, dim, lr, signs[t], logistic, &loss)
                    spread_step(w_in, offsets, rows, sentence[c], grad, dim)
                    examples += hi - lo - 1
                else:
                    n_targets = add_examples(sentence[c], negative, &targets[0], &signs[0], 0,
                                             w_out, noise_prob, noise_alias, &state)
                    for j in range(lo, hi):
                        if j != c:
                            compose_word(w_in, offsets, rows, sentence[j], h, 1.0 / (hi - lo - 1), dim)
                    for t in range(n_targets):
                        subword_example(h, &w_out[targets[t], 0], grad, dim, lr, signs[t], logistic, &loss)
                    for j in range(lo, hi):
                        if j != c:
                            spread_step(w_in, offsets, rows, sentence[j], grad, dim)
                    examples += 1
    return loss, examples, kept
