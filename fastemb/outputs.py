"""Writing output files safely: checked before the work, written whole or not at all.

Every file fastemb writes (vectors, model files, checkpoints, phrases' text,
JSON, projector files) goes through :func:`atomic_write`: a temporary file
beside the target, synced, then renamed over it, with the directory synced
after. :func:`written_together` makes several outputs of one run appear
together or not at all. Files get the mode the umask gives a new file, or
keep the mode of the file they replace.
"""
from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import BinaryIO, Iterator, List, Optional, Tuple, Union

from .errors import PartiallyWritten

PathLike = Union[str, os.PathLike]


def check_writable(path: PathLike) -> Path:
    """Fail now, not after training, if ``path`` cannot be written: its directory
    must exist and be writable, and ``path`` must not be a directory."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(f"{path}: output directory {parent} does not exist")
    if path.is_dir():
        raise IsADirectoryError(f"{path}: is a directory; give a file name for the output")
    if not os.access(parent, os.W_OK):
        raise PermissionError(f"{path}: cannot write to directory {parent}")
    return path


@contextmanager
def atomic_write(path: PathLike) -> Iterator[BinaryIO]:
    """Write to a temporary file beside ``path`` and rename it over ``path`` only
    when the writing succeeded: readers never see a half-written file, and an
    existing file survives a failure. The temporary file never outlives the call.

    The file gets the mode a new file gets under the user's umask, or, when it
    replaces one, that file's mode. Inside :func:`written_together`, the rename
    waits until every output of the group is written.
    """
    path = check_writable(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, _mode_for(path))
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        group = _group.get()
        if group is None:
            _rename(temporary, path)
        else:
            group.append((temporary, path))
    except OSError as error:  # a full disk, say: name the file, which a failed write() does not
        _unlink_quietly(temporary)
        if error.filename is not None:
            raise
        raise OSError(f"{path}: cannot write ({error.strerror or error})") from None
    except BaseException:
        _unlink_quietly(temporary)
        raise


_group: ContextVar[Optional[List[Tuple[str, Path]]]] = ContextVar("fastemb_outputs", default=None)


@contextmanager
def written_together() -> Iterator[List[Path]]:
    """Outputs that appear together or not at all: inside this block each
    :func:`atomic_write` writes its temporary file; when the block ends without
    an error, all are renamed into place (the list it yields then holds their
    paths), and on any error (Ctrl-C included) every temporary file is removed
    and no output appears. Should a rename itself fail, the OSError says which
    outputs were written and which were not."""
    staged: List[Tuple[str, Path]] = []
    done: List[Path] = []
    token = _group.set(staged)
    try:
        yield done
    except BaseException:
        for temporary, _ in staged:
            _unlink_quietly(temporary)
        raise
    finally:
        _group.reset(token)
    for number, (temporary, path) in enumerate(staged):
        try:
            _rename(temporary, path)
        except OSError as error:
            for later, _ in staged[number:]:
                _unlink_quietly(later)
            written = ", ".join(map(str, done)) or "none"
            missing = ", ".join(str(later) for _, later in staged[number:])
            raise PartiallyWritten(f"{path}: cannot be put in place ({error.strerror or error}); "
                                   f"written: {written}; not written: {missing}") from None
        done.append(path)


def _rename(temporary: str, path: Path) -> None:
    """Rename, then sync the directory, so that the new name survives a power cut too."""
    os.replace(temporary, path)
    directory = os.open(path.parent if str(path.parent) else ".", os.O_RDONLY)
    try:
        os.fsync(directory)
    except OSError:  # some file systems cannot sync a directory; the rename itself is done
        pass
    finally:
        os.close(directory)


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _mode_for(path: Path) -> int:
    """The permission bits ``path`` should have: those of the file it replaces,
    else 0o666 less the umask, as ``open(path, "w")`` would give."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it where Linux tells it
    (os.umask can only be read by setting it, which races with other threads)."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
