# Counting words in raw text: count_block, rehash.
# (included by _kernels.pyx: one compiled module, a file per concept)

# ---------------------------------------------------------------------------
# Counting: text -> provisional word ids in one pass over the bytes
# ---------------------------------------------------------------------------

cdef inline bint is_space(unsigned char byte) noexcept nogil:
    # what bytes.split() splits on: space, \t \n \v \f \r
    return byte == 32 or 9 <= byte <= 13


cdef inline uint64_t fnv1a(const unsigned char* data, Py_ssize_t n) noexcept nogil:
    # FNV-1a, 64-bit (Fowler, Noll, Vo): one multiply per byte, good spread for short keys
    cdef uint64_t h = 14695981039346656037ULL
    cdef Py_ssize_t i
    for i in range(n):
        h = (h ^ data[i]) * 1099511628211ULL
    return h


cdef inline Py_ssize_t find_slot(const int32_t[::1] table, const int64_t[::1] word_offsets,
                                 const unsigned char[::1] pool, const unsigned char* word,
                                 Py_ssize_t length, uint64_t h) noexcept nogil:
    """The slot holding `word`, or the empty slot where it belongs (linear probing)."""
    cdef Py_ssize_t mask = table.shape[0] - 1, slot = <Py_ssize_t>(h & mask), other
    cdef int64_t start
    while table[slot] != 0:
        other = table[slot] - 1
        start = word_offsets[other]
        if word_offsets[other + 1] - start == length and memcmp(&pool[start], word, length) == 0:
            return slot
        slot = (slot + 1) & mask
    return slot


def count_block(const unsigned char[::1] text,   # in: UTF-8 text ending at whitespace or the file's end
                int32_t[::1] ids,                # out: provisional id per word, -1 per newline
                int32_t[::1] table,              # shared: hash table, word id + 1 per slot, 0 = empty
                int64_t[::1] word_offsets,       # shared: word i is pool[word_offsets[i]:word_offsets[i+1]]
                unsigned char[::1] pool,         # shared: the words' bytes, in order of first appearance
                int64_t[::1] counts,             # shared: occurrences of each word
                Py_ssize_t n_words):             # words in the table before this block
    """Split `text` on ASCII whitespace and look every word up, adding new ones.
    The caller guarantees room for len(text) // 2 + 1 new words, their bytes, and a
    table at most half full afterwards. Returns (ids written, words now).
    Nothing here checks it (no GIL, no bounds checks outside FASTEMB_DEBUG=1):
    word_table.CompiledWordTable tables what each array needs and checks it per block."""
    cdef Py_ssize_t n = text.shape[0], pos = 0, start, slot, n_ids = 0
    cdef int64_t end
    with nogil:
        while pos < n:
            if is_space(text[pos]):
                if text[pos] == 10:
                    ids[n_ids] = SENTENCE_END
                    n_ids += 1
                pos += 1
                continue
            start = pos
            while pos < n and not is_space(text[pos]):
                pos += 1
            slot = find_slot(table, word_offsets, pool, &text[start], pos - start,
                             fnv1a(&text[start], pos - start))
            if table[slot] == 0:
                end = word_offsets[n_words]
                memcpy(&pool[end], &text[start], pos - start)
                word_offsets[n_words + 1] = end + pos - start
                counts[n_words] = 0
                n_words += 1
                table[slot] = <int32_t>n_words
            ids[n_ids] = table[slot] - 1
            counts[table[slot] - 1] += 1
            n_ids += 1
    return n_ids, n_words


def rehash(int32_t[::1] table,                   # out: zeroed, a power of two larger than 2 * n_words
           const int64_t[::1] word_offsets, const unsigned char[::1] pool, Py_ssize_t n_words):
    """Insert words 0 .. n_words-1 into an empty table (after it grew)."""
    cdef Py_ssize_t i, slot
    cdef int64_t start
    with nogil:
        for i in range(n_words):
            start = word_offsets[i]
            slot = find_slot(table, word_offsets, pool, &pool[start], word_offsets[i + 1] - start,
                             fnv1a(&pool[start], word_offsets[i + 1] - start))
            table[slot] = <int32_t>(i + 1)
