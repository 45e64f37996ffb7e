# cython: language_level=3, cdivision=True
# boundscheck and wraparound come from setup.py (FASTEMB_DEBUG=1 turns bounds checks on): set here, they would override it
# The same kernels as _kernels.pyx, compiled with -mavx2 -mfma (see setup.py):
# 8-wide fused multiply-adds for the dot products and row updates, where the
# portable build has only 4-wide SSE2. _backend.py picks this module at run
# time when the CPU has AVX2 and FMA.
include "_kernels.pyx"
