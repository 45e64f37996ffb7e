"""Choosing the kernel: Cython when built, Numba otherwise, and overrides."""
import logging
import sys

import pytest

import fastemb
from fastemb import _backend, demo


@pytest.fixture
def no_extension(monkeypatch):
    """Make ``import fastemb._kernels`` fail, as on a machine where it was never compiled
    (once imported, the package's attribute would answer ``from . import _kernels``)."""
    monkeypatch.setitem(sys.modules, "fastemb._kernels", None)
    monkeypatch.delattr(fastemb, "_kernels", raising=False)
    monkeypatch.delenv(_backend.ENVIRONMENT_VARIABLE, raising=False)


def test_auto_falls_back_to_numba_and_trains(no_extension, planted_corpus, caplog):
    assert not _backend.cython_available()
    with caplog.at_level(logging.INFO, logger="fastemb"):
        model = fastemb.Model(dim=20, epochs=3, threads=1).train(planted_corpus, progress=False)
    assert "not built: using the Numba backend" in caplog.text
    assert "Numba kernel ready in" in caplog.text
    result = demo.score(model.wv)
    assert result.analogies_right >= 0.9 * result.analogies_total


def test_asking_for_a_missing_cython_kernel_says_what_to_do(no_extension):
    with pytest.raises(ImportError, match="not built.*backend='numba'"):
        _backend.resolve("cython")


def test_environment_variable_overrides_the_setting(monkeypatch):
    monkeypatch.setenv(_backend.ENVIRONMENT_VARIABLE, "numba")
    assert _backend.resolve("cython") == "numba"
    monkeypatch.setenv(_backend.ENVIRONMENT_VARIABLE, "gpu")
    with pytest.raises(ValueError, match="FASTEMB_BACKEND='gpu'"):
        _backend.resolve("auto")


def test_auto_prefers_the_compiled_kernel(monkeypatch):
    monkeypatch.delenv(_backend.ENVIRONMENT_VARIABLE, raising=False)
    if not _backend.cython_available():
        pytest.skip("the Cython extension is not built")
    assert _backend.resolve("auto") == "cython"


@pytest.mark.parametrize("name", ["_kernels", "_kernels_avx2"])
def test_compiled_constants_are_kernel_constants(name):
    """Cython gets the shared numbers from a file setup.py generates: the built module holds them."""
    import importlib

    from fastemb.kernel_constants import kernel_constants

    try:
        module = importlib.import_module(f"fastemb.{name}")
    except ImportError:
        pytest.skip(f"fastemb.{name} is not built")
    assert module.CONSTANTS == pytest.approx(kernel_constants())
