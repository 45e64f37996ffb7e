"""Pictures: the 2-D projection against a numpy PCA reference, the PNG, and ``fastemb plot``."""
import builtins
import sys

import numpy as np
import pytest

import fastemb
from conftest import run_cli
from fastemb import cli, plot

WORDS = ["man", "woman", "king", "queen", "paris", "france"]


@pytest.fixture
def wv(tmp_path):
    rng = np.random.default_rng(3)
    words = WORDS + [f"w{i}" for i in range(20)]
    vectors = fastemb.WordVectors(words, rng.standard_normal((len(words), 10)).astype(np.float32))
    vectors.save(tmp_path / "v.txt")
    return vectors


def reference_pca(points):
    """Projection on the top two eigenvectors of the covariance matrix, and their variance shares."""
    centred = points - points.mean(axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred)
    order = np.argsort(values)[::-1][:2]
    return centred @ vectors[:, order], values[order] / values.sum()


def test_projection_equals_a_numpy_pca(wv):
    coordinates, explained = plot.project(wv, WORDS)
    expected, expected_share = reference_pca(wv.unit_vectors[[wv.index(w) for w in WORDS]].astype(np.float64))
    for axis in range(2):  # an axis's sign is arbitrary: compare up to it
        sign = np.sign(coordinates[:, axis] @ expected[:, axis])
        np.testing.assert_allclose(coordinates[:, axis], sign * expected[:, axis], atol=1e-6)
    np.testing.assert_allclose(explained, expected_share, rtol=1e-6)
    largest = coordinates[np.abs(coordinates).argmax(axis=0), [0, 1]]
    assert np.all(largest > 0)  # the sign convention that makes pictures repeatable


def test_projection_of_two_words_and_errors(wv):
    coordinates, explained = plot.pca_2d(np.array([[0.0, 1.0], [2.0, 1.0]]))
    np.testing.assert_allclose(coordinates, [[-1, 0], [1, 0]], atol=1e-12)
    np.testing.assert_allclose(explained, [1, 0])
    with pytest.raises(ValueError, match="at least 2"):
        plot.pca_2d(np.zeros((1, 3)))
    with pytest.raises(KeyError, match="'unicorn'"):
        wv.plot(["king", "unicorn"])
    with pytest.raises(ValueError, match="at least 2 different words"):
        wv.plot(["king", "king"])


def test_plot_writes_a_png(wv, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "words.png"
    figure = wv.plot(["paris", "france"], out, pairs=[("man", "woman"), ("king", "queen")], title="test")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
    axes = figure.axes[0]
    labels = [text.get_text() for text in axes.texts if text.get_text()]
    assert labels == ["paris", "france", "man", "woman", "king", "queen"]
    assert len([text for text in axes.texts if text.arrow_patch is not None and not text.get_text()]) == 2
    assert axes.get_title() == "test"


def test_plot_command(wv, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "words.svg"
    result = run_cli("plot", tmp_path / "v.txt", "paris", "france", "--pairs", "man:woman", "king:queen", "-o", out)
    assert result.returncode == 0, result.stderr
    assert out.read_text().lstrip().startswith("<?xml") and "fastemb: wrote" in result.stderr


@pytest.mark.parametrize("args,message", [
    (["king", "--pairs", "man-woman"], "--pairs: 'man-woman' is not FIRST:SECOND"),
    (["king", "unicorn"], "word 'unicorn' is not in the vocabulary"),
    (["king"], "a plot needs at least 2 different words"),
])
def test_plot_command_errors(wv, tmp_path, args, message):
    result = run_cli("plot", tmp_path / "v.txt", *args, "-o", tmp_path / "words.png")
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "words.png").exists()


def test_missing_matplotlib_is_a_clear_error(wv, tmp_path, monkeypatch, capsys):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    for name in [module for module in sys.modules if module.startswith("matplotlib")]:
        monkeypatch.delitem(sys.modules, name)
    assert cli.main(["plot", str(tmp_path / "v.txt"), "king", "queen", "-o", str(tmp_path / "w.png")]) == 2
    assert capsys.readouterr().err.strip() == ('fastemb: error: plotting needs matplotlib: '
                                               'pip install "fastemb[plot]" (or pip install matplotlib)')
