"""Builds the one compiled extension, fastemb._kernels; everything else is in pyproject.toml.

Flags: -O3 plus the float reassociation gcc needs to vectorise dot products
(-fassociative-math and what it requires) but *not* -ffinite-math-only, so NaN
checks in the kernel keep working. No -march=native by default, so the wheel
runs on any x86-64; FASTEMB_NATIVE=1 opts in to the host's instruction set.
FASTEMB_DEBUG=1 turns Cython's bounds checks on.
"""
import os

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

compile_args = ["-O3", "-fassociative-math", "-fno-signed-zeros", "-fno-trapping-math"]
if os.environ.get("FASTEMB_NATIVE") == "1":
    compile_args.append("-march=native")
debug = os.environ.get("FASTEMB_DEBUG") == "1"

extension = Extension(
    "fastemb._kernels",
    ["fastemb/_kernels.pyx"],
    include_dirs=[numpy.get_include()],
    extra_compile_args=compile_args,
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
)
setup(
    ext_modules=cythonize(
        [extension],
        compiler_directives={
            "language_level": 3,
            "boundscheck": debug,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": debug,
        },
    )
)
