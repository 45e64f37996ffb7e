# cython: language_level=3, cdivision=True
# boundscheck and wraparound come from setup.py (FASTEMB_DEBUG=1 turns bounds checks on): set here, they would override it
"""The hot loops, without the GIL: SGD with negative sampling and/or hierarchical
softmax on shared matrices (train_chunk; train_chunk_subword when input vectors
are means of character n-gram rows), counting words in raw text (count_block), writing vectors
as text (format_lines), and a data-parallel worker's passes over its matrices (changed_rows, add_rows).

Only loops live here. Python (trainer.py) validates settings, builds every table
(keep-probabilities, the noise alias table, the Huffman paths, the logistic
tables), allocates the
matrices and scratch buffers, seeds each call and runs the calls from several
threads at once on the same matrices with no locks (Hogwild, Recht et al. 2011).

Orientation as in word2vec.c: the *input* matrix ``w_in`` holds the context
words' vectors (the word vectors users get), the *output* matrix ``w_out`` the
vectors of what is predicted: the centre and noise words, then (with
hierarchical softmax) the inner nodes of the Huffman tree.

Encoded corpus: int32 word ids, -1 marks a sentence end; a window never crosses it.
Random numbers: one splitmix64 stream per call, seeded by the caller, so a run
with one thread and a seed is reproducible whatever the chunk sizes.
"""
from libc.math cimport floor, frexp, isinf, isnan
from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t
from libc.string cimport memcmp, memcpy, memset

# One compiled module (and its AVX2 twin, _kernels_avx2.pyx), a file per concept;
# _constants.pxi is written by setup.py from kernel_constants.py, the one source of
# the numbers Python, Cython and Numba share;
# _train.pxi first: its small inline helpers (random numbers, dot products,
# sentences, noise draws) serve the subword loops too.
include "_constants.pxi"
include "_train.pxi"
include "_train_subword.pxi"
include "_count.pxi"
include "_format.pxi"
include "_rows.pxi"


# the shared constants as this build holds them (a test compares them with kernel_constants.py)
CONSTANTS = {"MAX_Z": MAX_Z, "SENTENCE_END": SENTENCE_END, "CBOW": CBOW, "SKIPGRAM_CLASSIC": SKIPGRAM_CLASSIC,
             "SKIPGRAM_BATCHED": SKIPGRAM_BATCHED, "SUBWORD_CBOW": SUBWORD_CBOW, "SUBWORD_SKIPGRAM": SUBWORD_SKIPGRAM,
             "IN_PLACE_MIN_DIM": IN_PLACE_MIN_DIM}
