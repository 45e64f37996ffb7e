"""Which kernel module runs: the compiled Cython extension, or the Numba one.

``auto`` takes the Cython extension when it was built and Numba otherwise;
the environment variable FASTEMB_BACKEND (auto, cython, numba) overrides the
setting, for testing a fallback on a machine that has both. Both modules
expose ``train_chunk`` with the same signature (see _kernels.pyx).
"""
from __future__ import annotations

import os
from types import ModuleType

ENVIRONMENT_VARIABLE = "FASTEMB_BACKEND"


def cython_available() -> bool:
    try:
        from . import _kernels  # noqa: F401
    except ImportError:
        return False
    return True


def resolve(backend: str = "auto") -> str:
    """The backend that ``backend`` ("auto", "cython" or "numba") names on this machine."""
    backend = os.environ.get(ENVIRONMENT_VARIABLE) or backend
    if backend == "auto":
        return "cython" if cython_available() else "numba"
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
        from . import _kernels
        return _kernels
    from . import _numba  # imported only when used: numba costs ~100 MB and a second to import
    return _numba
