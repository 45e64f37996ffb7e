"""Which kernel module runs: the compiled Cython extension, or the Numba one.

``auto`` takes the Cython extension when it was built and Numba otherwise;
the environment variable FASTEMB_BACKEND (auto, cython, numba) overrides the
setting, for testing a fallback on a machine that has both. The Cython kernel
comes in two builds of one source: AVX2 + FMA where the CPU has them, portable
otherwise (FASTEMB_PORTABLE=1 forces the portable one). Every module exposes
``train_chunk`` and ``train_chunk_subword``, each with the same signature in
every module (see _kernels.pyx).
"""
from __future__ import annotations

import importlib
import logging
import os
import time
from types import ModuleType
from typing import Callable, Optional, Tuple

ENVIRONMENT_VARIABLE = "FASTEMB_BACKEND"
log = logging.getLogger("fastemb")


def cython_available() -> bool:
    try:
        from . import _kernels  # noqa: F401
    except ImportError:
        return False
    return True


def _cpu_has_avx2_fma() -> bool:
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_features__ as features
    return bool(features.get("AVX2") and features.get("FMA3"))


def cython_kernels() -> Optional[ModuleType]:
    """The Cython kernel module this CPU runs best, or None where it is not built."""
    return _cython_module() if cython_available() else None


def _cython_module() -> ModuleType:
    """The AVX2 + FMA build where the CPU runs it, else the portable one."""
    if _cpu_has_avx2_fma() and os.environ.get("FASTEMB_PORTABLE") != "1":
        try:
            from . import _kernels_avx2
            return _kernels_avx2
        except ImportError:
            pass
    from . import _kernels
    return _kernels


def resolve(backend: str = "auto") -> str:
    """The backend that ``backend`` ("auto", "cython" or "numba") names on this machine."""
    backend = os.environ.get(ENVIRONMENT_VARIABLE) or backend
    if backend == "auto":
        if cython_available():
            return "cython"
        log.info("the compiled kernel fastemb._kernels is not built: using the Numba backend")
        return "numba"
    if backend == "cython" and not cython_available():
        raise ImportError(
            "backend='cython' but the compiled extension fastemb._kernels is not built "
            "(reinstall with a C compiler, or use backend='numba')"
        )
    if backend not in ("cython", "numba"):
        raise ValueError(f"{ENVIRONMENT_VARIABLE}={backend!r} is not one of auto, cython, numba")
    return backend


def kernel_module(backend: str = "auto") -> ModuleType:
    """The module holding ``train_chunk`` for ``backend``."""
    if resolve(backend) == "cython":
        return _cython_module()
    from . import _numba  # imported only when used: numba costs ~100 MB and a second to import
    return _numba


# The kernel builds, by the name a model file records: each rounds floats its own
# way (vector width, FMA), so one run's exact vectors need one build throughout.
BUILDS = {"cython-avx2": "_kernels_avx2", "cython": "_kernels", "numba": "_numba"}


def build_name(module: ModuleType) -> str:
    """The name (a key of BUILDS) of a kernel module."""
    short = module.__name__.rsplit(".", 1)[-1]
    return next(name for name, module_name in BUILDS.items() if module_name == short)


def build_module(build: str) -> Optional[ModuleType]:
    """The kernel module of ``build`` (a key of BUILDS) if this machine can run it, else None."""
    if build not in BUILDS or (build == "cython-avx2" and not _cpu_has_avx2_fma()):
        return None
    try:
        return importlib.import_module(f"{__package__}.{BUILDS[build]}")
    except ImportError:
        return None


def load_kernel(backend: str = "auto", subword: bool = False, module: Optional[ModuleType] = None) -> Callable:
    """``train_chunk`` of ``backend`` (``train_chunk_subword`` with ``subword``),
    or of ``module`` when one is given (see build_module), ready to run: a Numba
    kernel is compiled (or loaded from its cache) here, and the time it took
    logged once, so that it never counts as training time."""
    module = module or kernel_module(backend)
    if module.__name__.endswith("_numba"):
        started = time.perf_counter()
        module.compile_subword_kernel() if subword else module.compile_kernel()
        log.info("Numba kernel ready in %.1f s (compiled once, then cached on disk)", time.perf_counter() - started)
    return module.train_chunk_subword if subword else module.train_chunk


def kernel_for(settings, prefer: Optional[str] = None) -> Tuple[Callable, str]:
    """The kernel a run of these settings calls (train_chunk, or train_chunk_subword
    with maxn > 0) and its build's name: the ``prefer`` build where this machine
    has it, else the one ``settings.backend`` picks."""
    module = (build_module(prefer) if prefer else None) or kernel_module(settings.backend)
    return load_kernel(settings.backend, subword=settings.maxn > 0, module=module), build_name(module)
