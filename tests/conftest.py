"""Shared fixtures: the backend every kernel test runs on, and small corpora."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest

from fastemb import _backend

try:
    from hypothesis import HealthCheck, settings as _hypothesis_settings
except ImportError:  # only tests/test_properties.py needs it
    pass
else:
    # No deadline and no too_slow check: how long an example takes depends on the machine's
    # load (two cores shared by several test runs, a first call compiling Numba code), so
    # either would fail correct code now and then.
    _hypothesis_settings.register_profile("fastemb", deadline=None, suppress_health_check=[HealthCheck.too_slow])
    _hypothesis_settings.load_profile("fastemb")

BACKENDS = ["cython", "numba"]
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(params=BACKENDS)
def backend(request):
    """Each kernel test runs once per backend; the Cython one must be built to run."""
    if request.param == "cython" and not _backend.cython_available():
        pytest.skip("the Cython extension is not built (pip install . builds it)")
    return request.param


KERNEL_MODULES = ["_kernels", "_kernels_avx2", "_numba"]


@pytest.fixture(params=KERNEL_MODULES)
def kernel(request):
    """``train_chunk`` of every kernel build this machine can run: portable Cython,
    AVX2 + FMA Cython (when built and the CPU has them), Numba."""
    import importlib

    if request.param == "_kernels_avx2" and not _backend._cpu_has_avx2_fma():
        pytest.skip("this CPU lacks AVX2 or FMA")
    try:
        module = importlib.import_module(f"fastemb.{request.param}")
    except ImportError:
        pytest.skip(f"fastemb.{request.param} is not built (pip install . builds it)")
    return module.train_chunk


@pytest.fixture
def subword_kernel(kernel):
    """train_chunk_subword of the module whose train_chunk the `kernel` fixture gives."""
    return sys.modules[kernel.__module__].train_chunk_subword


@pytest.fixture(scope="session")
def planted_corpus(tmp_path_factory):
    """The demo's corpus with planted pairs, smaller: 20,000 sentences, 180,000 words."""
    from fastemb import demo

    path = tmp_path_factory.mktemp("planted") / "planted.txt"
    demo.make_corpus(path, sentences=20_000, seed=3)
    return path


@pytest.fixture(scope="module")
def keras(tmp_path_factory):
    """Keras 3 on PyTorch (no TensorFlow), its keras.json under pytest's temporary directory;
    keras reads both variables when first imported, so they are set for the import only."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KERAS_BACKEND", "torch")
        patch.setenv("KERAS_HOME", str(tmp_path_factory.mktemp("keras-home")))
        keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip(f"keras was imported with the {keras.backend.backend()} backend before this module")
    return keras


def write(path: Path, text, mode: str = "w") -> Path:
    """Write text (str or bytes) to path and return it."""
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def cli_command(*args) -> list:
    """The ``fastemb`` command line a user would type: the script installed with
    the fastemb this interpreter runs. Not one found elsewhere on PATH (another
    install), nor ``python -m fastemb``, which from the source tree imports the
    tree's fastemb, without the compiled kernel: a test's runs would then train
    on different kernels, whose floats differ, depending on their directory."""
    import sysconfig

    places = [sysconfig.get_path("scripts"), sysconfig.get_path("scripts", f"{os.name}_user")]
    scripts = [Path(place) / "fastemb" for place in places if (Path(place) / "fastemb").is_file()]
    if not scripts:
        pytest.fail(f"no fastemb script in {' or '.join(places)}: install fastemb (pip install .) to test "
                    "its command line")
    return [str(scripts[0])] + [str(a) for a in args]


def start_cli(*args, cwd) -> subprocess.Popen:
    """Start ``fastemb`` in the background, its stderr readable as text, with
    Ctrl-C (SIGINT) acting as in a terminal even when the tests themselves run as
    a shell's background job, which inherits SIGINT ignored."""
    return subprocess.Popen(cli_command(*args), stderr=subprocess.PIPE, text=True, cwd=cwd,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"),
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def read_stderr_until(process: subprocess.Popen, pattern: str, timeout: float = 120) -> str:
    """What ``process`` (from start_cli) wrote on stderr up to the first match of the
    regex ``pattern``: a background run is signalled on an event it reports, not
    after a guessed delay. The timeout only ends a hang (the test then fails
    naming the pattern). Read from the pipe itself, so communicate() gets the rest."""
    import re
    import select

    seen, deadline = b"", time.monotonic() + timeout
    while not re.search(pattern, seen.decode("utf-8", "replace")):
        left = deadline - time.monotonic()
        ready = select.select([process.stderr], [], [], max(left, 0))[0] if left > 0 else []
        data = os.read(process.stderr.fileno(), 65536) if ready else b""
        if not data:
            process.kill()
            pytest.fail(f"no {pattern!r} on stderr ({'timed out' if left <= 0 else 'it ended'}): {seen[-2000:]!r}")
        seen += data
    return seen.decode("utf-8", "replace")


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    """Poll ``condition()`` until it holds; the timeout only ends a hang (the test fails naming ``what``)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:g} s for {what}")
        time.sleep(0.01)


def run_cli(*args, timeout=300, **kwargs) -> subprocess.CompletedProcess:
    """Run the ``fastemb`` command as a user would, to the end."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run(cli_command(*args), capture_output=True, text=True, timeout=timeout, env=env, **kwargs)


_hypothesis_home = None


def pytest_configure(config):
    """hypothesis keeps a cache (.hypothesis/) in the working directory: put it in
    a temporary directory instead, removed at the end, so no test leaves files behind."""
    global _hypothesis_home
    try:
        from hypothesis.configuration import set_hypothesis_home_dir
    except ImportError:
        return
    import tempfile

    _hypothesis_home = tempfile.mkdtemp(prefix="fastemb-hypothesis-")
    set_hypothesis_home_dir(_hypothesis_home)


def pytest_unconfigure(config):
    if _hypothesis_home is not None:
        shutil.rmtree(_hypothesis_home, ignore_errors=True)
