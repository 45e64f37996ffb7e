"""The encoded corpus on disk: int32 word ids in a memory-mapped cache file.

The array every epoch reads is a ``np.memmap`` of an anonymous file (created
with no name, O_TMPFILE, in ``cache_dir`` or the system's temporary directory),
so nothing is left behind on an error, Ctrl-C or even a kill, and the corpus
never has to fit in memory: 4 bytes per word live on disk and in the page
cache, which the kernel can always reclaim. Pages already read or written are
released from the process (``release``), so its resident size stays flat
however long the corpus is.
"""
from __future__ import annotations

import mmap
import os
import tempfile
from typing import Optional

import numpy as np

from .errors import CorpusError

ID_BYTES = 4  # int32
_PAGE = mmap.PAGESIZE


def cache_array(length: int, cache_dir: Optional[str] = None) -> np.ndarray:
    """A zero-filled int32 array of ``length`` entries backed by an anonymous file
    in ``cache_dir`` (default: the system's temporary directory).

    The space is reserved at once (posix_fallocate), so a full disk is a clean
    CorpusError now instead of a crash (SIGBUS) halfway through writing.
    """
    if length == 0:
        return np.zeros(0, np.int32)
    where = cache_dir if cache_dir is not None else tempfile.gettempdir()
    size = length * ID_BYTES  # before the try: the message below needs it whatever fails
    try:
        with tempfile.TemporaryFile(prefix="fastemb-ids-", dir=where) as stream:
            if hasattr(os, "posix_fallocate"):
                os.posix_fallocate(stream.fileno(), 0, size)
            else:  # pragma: no cover - not Linux
                stream.truncate(size)
            # the mapping keeps the file alive after it is closed; it goes with the array
            return np.memmap(stream, dtype=np.int32, mode="r+", shape=(length,))
    except OSError as error:
        raise CorpusError(
            f"{where}: cannot hold the encoded corpus ({size / 1e6:.0f} MB) "
            f"({error.strerror or error}); choose another --cache-dir"
        ) from None


def release(array: np.ndarray, start: int, end: int) -> None:
    """Let the process drop entries [start, end) of a cache array from its resident
    memory (madvise DONTNEED). The data stay in the file: a shared mapping's pages
    go back to the page cache and are read again on the next access. A no-op for
    ordinary arrays."""
    mapping = getattr(array, "_mmap", None)
    if mapping is None or end <= start or not hasattr(mapping, "madvise"):
        return
    first = (start * ID_BYTES + array.offset) // _PAGE * _PAGE
    last = min(end * ID_BYTES + array.offset, len(mapping))
    if last > first:
        mapping.madvise(mmap.MADV_DONTNEED, first, last - first)
