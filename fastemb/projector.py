"""Files for TensorBoard's embedding projector (the standalone one at
projector.tensorflow.org loads them with "Load", as does TensorBoard's plugin).

Its format: ``vectors.tsv`` holds one row per point, tab-separated numbers, no
header; ``metadata.tsv`` one row per point in the same order. A metadata file
of one column has no header row (each line is the point's label); with two or
more columns its first line names them. So: with counts, ``word<TAB>count``
then a row per word; without, one word per line.
"""
from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from .outputs import PathLike, atomic_write, written_together

VECTORS_FILE, METADATA_FILE = "vectors.tsv", "metadata.tsv"
FLOAT_FORMAT = "%.9g"  # 9 significant digits: every float32 reads back to itself
BREAKS_A_ROW = ("\t", "\n", "\r")  # a TSV cell cannot hold these; corpora never put them in words


def save_projector(directory: PathLike, words: Sequence[str], vectors: np.ndarray,
                   counts: Optional[np.ndarray] = None, limit: Optional[int] = None) -> Path:
    """Write ``vectors.tsv`` and ``metadata.tsv`` for ``words`` and their
    ``vectors`` (and ``counts`` when known) into ``directory``, made if missing.

    ``limit`` keeps the first N rows (None: all). Both files appear together
    or neither does (an existing pair is replaced only when both new ones are
    written). A word with a tab, newline or carriage return, or an empty one,
    is a ValueError before anything is written. Returns the directory.
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1):
        raise ValueError(f"limit={limit!r}: give a number of words (1 or more), or None for all")
    words, vectors = list(words[:limit]), np.asarray(vectors[:limit], dtype=np.float32)
    _check_cells(words)
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(f"{directory}: exists and is not a directory; "
                                 "give a directory for the projector files")
    os.makedirs(directory, exist_ok=True)
    with written_together():
        with atomic_write(directory / VECTORS_FILE) as stream:
            _write_rows(stream, vectors)
        with atomic_write(directory / METADATA_FILE) as stream:
            stream.write(_metadata(words, None if counts is None else counts[:limit]).encode("utf-8"))
    return directory


def _check_cells(words: Sequence[str]) -> None:
    for row, word in enumerate(words):
        if not word or any(mark in word for mark in BREAKS_A_ROW):
            raise ValueError(f"word {word!r} (row {row}) is empty or has a tab or line break: "
                             "it cannot be a cell of metadata.tsv")


def _write_rows(stream, vectors: np.ndarray, rows_per_block: int = 10_000) -> None:
    """Tab-separated rows, written in blocks so that memory stays small."""
    for start in range(0, len(vectors), rows_per_block):
        text = io.StringIO()
        np.savetxt(text, vectors[start:start + rows_per_block], fmt=FLOAT_FORMAT, delimiter="\t")
        stream.write(text.getvalue().encode("ascii"))


def _metadata(words: Sequence[str], counts: Optional[np.ndarray]) -> str:
    if counts is None:
        return "".join(f"{word}\n" for word in words)
    return "word\tcount\n" + "".join(f"{word}\t{int(count)}\n" for word, count in zip(words, counts))
