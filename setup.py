"""Builds the compiled kernels; everything else is in pyproject.toml.

fastemb._kernels is the portable build; fastemb._kernels_avx2 is the same
source compiled for AVX2 + FMA, which fastemb picks at run time on CPUs that
have them (about 1.5x faster). Both are optional: if they cannot be compiled
(no C compiler, say), the install goes on without them and fastemb runs its
Numba backend instead.

Flags: -O3 plus the float reassociation gcc needs to vectorise dot products
(-fassociative-math and what it requires) but *not* -ffinite-math-only, so NaN
checks in the kernel keep working. No -march=native by default, so the wheel
runs on any x86-64; FASTEMB_NATIVE=1 opts in to the host's instruction set.
FASTEMB_DEBUG=1 turns Cython's bounds checks on (every memoryview index checked;
wraparound stays off, so a negative index is an IndexError rather than a silent
read from the end). FASTEMB_SANITIZE=address adds gcc's AddressSanitizer, which
also catches raw-pointer accesses (memcpy, &array[i]) that bounds checks do not
see; loading such a module needs LD_PRELOAD=$(gcc -print-file-name=libasan.so).
Both are for tests (.ci/run), not for use: they make training several times slower.

Switching between these modes rebuilds everything: pip builds in the source
tree, and setuptools and cythonize go by timestamps, so a debug build would
otherwise reuse the optimised .c and .o files (and the other way round).
"""
import os
import platform
import runpy
import sys
from pathlib import Path

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

compile_args = ["-O3", "-fassociative-math", "-fno-signed-zeros", "-fno-trapping-math"]
if os.environ.get("FASTEMB_NATIVE") == "1":
    compile_args.append("-march=native")
debug = os.environ.get("FASTEMB_DEBUG") == "1"
sanitize = os.environ.get("FASTEMB_SANITIZE", "")
link_args = []
if sanitize:
    sanitizer_args = [f"-fsanitize={sanitize}", "-fno-omit-frame-pointer"]
    compile_args += sanitizer_args
    link_args += sanitizer_args

BUILD_MODE = f"native={os.environ.get('FASTEMB_NATIVE') == '1'} debug={debug} sanitize={sanitize}\n"
MODE_STAMP = Path(__file__).resolve().parent / "build" / "fastemb-build-mode"
mode_changed = not MODE_STAMP.exists() or MODE_STAMP.read_text() != BUILD_MODE

SKIPPED_NOTE = """
************************************************************************
fastemb: the compiled kernel (fastemb._kernels) could not be built:
  {error}
fastemb is installed without it and will use its Numba backend, which
compiles on first use. To get the Cython kernel, install a C compiler
(gcc) and reinstall.
************************************************************************
"""


class OptionalBuildExt(build_ext):
    """build_ext that turns a failed compile into a note instead of a failed install."""

    def finalize_options(self):
        super().finalize_options()
        if mode_changed:
            self.force = True

    def run(self):
        try:
            super().run()
        except Exception as error:  # a missing or broken compiler fails in many ways
            self._skip(error)
            return
        MODE_STAMP.parent.mkdir(parents=True, exist_ok=True)
        MODE_STAMP.write_text(BUILD_MODE)

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as error:
            self._skip(error)

    def _skip(self, error):
        print(SKIPPED_NOTE.format(error=error), file=sys.stderr)


def kernel_extension(name: str, extra_args=()) -> Extension:
    return Extension(
        f"fastemb.{name}",
        [f"fastemb/{name}.pyx"],
        include_dirs=[numpy.get_include()],
        extra_compile_args=compile_args + list(extra_args),
        extra_link_args=link_args,
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    )


def write_constants_pxi() -> None:
    """fastemb/_constants.pxi from fastemb/kernel_constants.py, the one source of the
    numbers Python, Cython and Numba share (read as a file: the package is not built yet)."""
    text = runpy.run_path(os.path.join("fastemb", "kernel_constants.py"))["as_pxi"]()
    target = os.path.join("fastemb", "_constants.pxi")
    if not os.path.exists(target) or open(target).read() != text:  # unchanged: no rebuild
        with open(target, "w") as stream:
            stream.write(text)


write_constants_pxi()
extensions = [kernel_extension("_kernels")]
if os.environ.get("FASTEMB_NATIVE") != "1" and platform.machine().lower() in ("x86_64", "amd64"):
    extensions.append(kernel_extension("_kernels_avx2", ["-mavx2", "-mfma"]))

setup(
    cmdclass={"build_ext": OptionalBuildExt},
    ext_modules=cythonize(
        extensions,
        force=mode_changed,
        compiler_directives={
            "language_level": 3,
            # not in the .pyx header: a header directive would override these
            "boundscheck": debug,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": debug,
        },
    ),
)
