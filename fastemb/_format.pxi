# Writing vectors as word2vec text: format_lines.
# (included by _kernels.pyx: one compiled module, a file per concept)

# ---------------------------------------------------------------------------
# Writing: word2vec's text format, the numbers of every row in one loop
# ---------------------------------------------------------------------------

cdef double[120] POWERS_OF_TEN  # 10^-60 .. 10^59, indexed by exponent + 60
cdef int _k
for _k in range(120):
    POWERS_OF_TEN[_k] = float("1e%d" % (_k - 60))


cdef inline double power_of_ten(int exponent) noexcept nogil:
    return POWERS_OF_TEN[exponent + 60]


cdef inline int decimal_exponent_guess(double x) noexcept nogil:
    """floor(log10(x)), or one less: from the binary exponent, without calling log10."""
    cdef int binary_exponent
    frexp(x, &binary_exponent)  # x = m * 2^e, m in [0.5, 1)
    return <int>floor((binary_exponent - 1) * 0.30102999566398120)


cdef Py_ssize_t write_float(float value, unsigned char* out) noexcept nogil:
    """Write value with 9 significant digits, trailing zeros dropped, in fixed
    notation for 1e-4 <= |value| < 1e9 and scientific otherwise (as printf's
    %.9g): enough digits that reading the text back gives the same float32."""
    cdef Py_ssize_t n = 0
    cdef double x = value
    cdef int exponent, kept, i, point
    cdef long long digits
    cdef unsigned char d[9]
    if isnan(x):
        out[0] = 110; out[1] = 97; out[2] = 110  # nan
        return 3
    if (<uint32_t*>&value)[0] >> 31:  # the sign bit itself: -fno-signed-zeros may fold float tests of -0.0
        out[0] = 45  # '-'
        n = 1
        x = -x
    if isinf(x):
        out[n] = 105; out[n + 1] = 110; out[n + 2] = 102  # inf
        return n + 3
    if x == 0:
        out[n] = 48
        return n + 1
    exponent = decimal_exponent_guess(x)
    digits = <long long>(x * power_of_ten(8 - exponent) + 0.5)
    while digits >= 1000000000:  # the guess was low
        exponent += 1
        digits = <long long>(x * power_of_ten(8 - exponent) + 0.5)
    kept = 9
    while kept > 1 and digits % 10 == 0:
        digits //= 10
        kept -= 1
    for i in range(kept - 1, -1, -1):
        d[i] = 48 + <unsigned char>(digits % 10)
        digits //= 10
    if 0 <= exponent < 9:
        point = exponent + 1  # digits before the decimal point
        for i in range(point):
            out[n] = d[i] if i < kept else 48
            n += 1
        if kept > point:
            out[n] = 46
            n += 1
            for i in range(point, kept):
                out[n] = d[i]
                n += 1
        return n
    if -4 <= exponent < 0:
        out[n] = 48; out[n + 1] = 46
        n += 2
        for i in range(-exponent - 1):
            out[n] = 48
            n += 1
        for i in range(kept):
            out[n] = d[i]
            n += 1
        return n
    out[n] = d[0]
    n += 1
    if kept > 1:
        out[n] = 46
        n += 1
        for i in range(1, kept):
            out[n] = d[i]
            n += 1
    out[n] = 101  # 'e'
    out[n + 1] = 45 if exponent < 0 else 43
    n += 2
    if exponent < 0:
        exponent = -exponent
    if exponent >= 100:
        out[n] = 48 + exponent // 100
        n += 1
    out[n] = 48 + (exponent // 10) % 10
    out[n + 1] = 48 + exponent % 10
    return n + 2


def format_lines(const float[:, ::1] vectors,     # in: one row per word
                 const unsigned char[::1] words,   # in: the words' UTF-8 bytes, one after another
                 const int64_t[::1] word_ends,     # in: where each word ends in `words`
                 unsigned char[::1] text):         # out: "word v1 v2 ... vD\n" per row
    """Lines of word2vec's text format, every row at once; `text` must hold the
    words plus 17 bytes per number and a newline per row (write_float writes at
    most 15, after a space), and word_ends one entry per row: formats._format_block
    sizes and checks both. Returns the bytes written."""
    cdef Py_ssize_t n = 0, i, k, start = 0
    with nogil:
        for i in range(vectors.shape[0]):
            memcpy(&text[n], &words[start], word_ends[i] - start)
            n += word_ends[i] - start
            start = word_ends[i]
            for k in range(vectors.shape[1]):
                text[n] = 32
                n += 1 + write_float(vectors[i, k], &text[n + 1])
            text[n] = 10
            n += 1
    return n
