"""Fuzz target: the vectors loader (atheris). Run through fuzz/run.sh.

Any bytes, under any of the names load() treats differently (.txt, .bin, .gz),
must give word vectors or a VectorsFormatError naming the file: no other
exception, no crash, no hang (atheris' -timeout catches those).
"""
import atexit
import shutil
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    import numpy as np

    import fastemb
    from fastemb.errors import VectorsFormatError

WORKDIR = Path(tempfile.mkdtemp(prefix="fastemb-fuzz-"))
atexit.register(shutil.rmtree, WORKDIR, ignore_errors=True)
SUFFIXES = (".txt", ".bin", ".vec", ".gz")


def test_one_input(data: bytes) -> None:
    if not data:
        return
    path = WORKDIR / f"vectors{SUFFIXES[data[0] % len(SUFFIXES)]}"
    path.write_bytes(data[1:])
    try:
        wv = fastemb.load(path)
    except VectorsFormatError as error:
        assert str(path) in str(error) and "\n" not in str(error), error
        return
    assert wv.vectors.dtype == np.float32 and wv.vectors.shape == (len(wv), wv.dim)
    assert len(wv.index_to_word) == len(wv)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
