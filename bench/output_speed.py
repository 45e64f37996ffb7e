"""Seconds of what an end-to-end run does besides training, at a given size.

    python bench/output_speed.py --words 68000 --dim 300

Times, in this process: drawing the matrices (trainer.init_matrices: allocation
and first touch), writing random vectors as word2vec text and as binary
(formats.write_vectors, to a temporary directory); then, each in a fresh
interpreter, the start-up to a ready kernel of each backend (import fastemb,
load_kernel: Numba from its warm disk cache). Prints wall and CPU seconds.
For an A/B, run it with two builds' Pythons in turn.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

STARTUP = """
import time
started = time.perf_counter()
import fastemb
from fastemb._backend import load_kernel
imported = time.perf_counter()
load_kernel({backend!r})
print(f"{{imported - started:.3f}} {{time.perf_counter() - imported:.3f}}")
"""


def clock(label: str, run) -> None:
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    print(f"{label}: {time.perf_counter() - wall:.3f} s wall, {time.process_time() - cpu:.3f} CPU s", flush=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words", type=int, default=68_000)
    ap.add_argument("--dim", type=int, default=300)
    ap.add_argument("--startups", type=int, default=3, help="fresh interpreters per backend")
    a = ap.parse_args(argv)
    from fastemb import formats, trainer
    from fastemb.config import make_settings

    words = [f"w{i}" for i in range(a.words)]
    settings = make_settings(dim=a.dim)
    matrices = []
    clock(f"init_matrices {a.words} x {a.dim}", lambda: matrices.extend(trainer.init_matrices(a.words, settings)))
    with tempfile.TemporaryDirectory() as directory:
        for binary in (False, True):
            path = os.path.join(directory, "v.bin" if binary else "v.txt")
            clock(f"write {'binary' if binary else 'text'}", lambda: formats.write_vectors(path, words, matrices[0],
                                                                                        binary=binary))
            print(f"  {os.path.getsize(path) / 1e6:.1f} MB", flush=True)
    for _ in range(a.startups):
        for backend in ("cython", "numba"):
            out = subprocess.run([sys.executable, "-c", STARTUP.format(backend=backend)], capture_output=True,
                                 text=True, check=True, cwd=tempfile.gettempdir()).stdout.split()
            print(f"start-up {backend}: import fastemb {out[0]} s, kernel ready {out[1]} s", flush=True)


if __name__ == "__main__":
    main()
