"""Files for TensorBoard's embedding projector: wv.save_projector and
``fastemb export VECTORS --projector OUTDIR``, read back as the projector reads
them (tab-separated rows; a metadata header only with two or more columns)."""
import numpy as np
import pytest

import fastemb
from conftest import run_cli, write
from fastemb import projector


@pytest.fixture
def vectors():
    rng = np.random.default_rng(8)
    words = ["the", "king", "queen", "Ünïcode", "naïve"]
    scales = [1, 1e-8, 1e8, 1, 1, 1, 1]  # tiny and huge numbers must come back too
    return words, (rng.standard_normal((5, 7)) * scales).astype(np.float32)


def read_projector(directory):
    """(rows of vectors.tsv as float32, lines of metadata.tsv), checking the layout."""
    text = (directory / "vectors.tsv").read_text(encoding="ascii")
    lines = text.splitlines()
    assert text.endswith("\n") and all(line.count("\t") == lines[0].count("\t") for line in lines)
    matrix = np.array([[np.float32(cell) for cell in line.split("\t")] for line in lines], dtype=np.float32)
    return matrix, (directory / "metadata.tsv").read_text(encoding="utf-8").splitlines()


def test_with_counts_metadata_has_a_header_and_every_float_reads_back_exactly(vectors, tmp_path):
    words, matrix = vectors
    wv = fastemb.WordVectors(words, matrix, counts=[50, 40, 30, 20, 10])
    wv.save_projector(tmp_path / "proj")
    rows, metadata = read_projector(tmp_path / "proj")
    assert rows.tobytes() == matrix.tobytes()
    assert metadata == ["word\tcount", "the\t50", "king\t40", "queen\t30", "Ünïcode\t20", "naïve\t10"]


def test_words_only_metadata_has_no_header_and_limit_keeps_the_first_rows(vectors, tmp_path):
    words, matrix = vectors
    fastemb.WordVectors(words, matrix).save_projector(tmp_path, limit=3)
    rows, metadata = read_projector(tmp_path)
    assert metadata == ["the", "king", "queen"]  # one column: each line is a label, no header
    assert rows.tobytes() == matrix[:3].tobytes()
    with pytest.raises(ValueError, match="limit=0"):
        fastemb.WordVectors(words, matrix).save_projector(tmp_path, limit=0)


@pytest.mark.parametrize("bad", ["tab\there", "line\nbreak", "carriage\rreturn", ""])
def test_a_word_that_would_break_a_row_is_refused_before_writing(vectors, tmp_path, bad):
    words, matrix = vectors
    with pytest.raises(ValueError, match="cannot be a cell"):
        fastemb.WordVectors(words[:4] + [bad], matrix).save_projector(tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_both_files_or_neither(vectors, tmp_path, monkeypatch):
    words, matrix = vectors
    wv = fastemb.WordVectors(words, matrix)
    wv.save_projector(tmp_path, limit=2)
    before = {name: (tmp_path / name).read_bytes() for name in ("vectors.tsv", "metadata.tsv")}

    def broken(*args):
        raise OSError("disk full while writing the metadata")

    monkeypatch.setattr(projector, "_metadata", broken)
    with pytest.raises(OSError, match="disk full"):
        wv.save_projector(tmp_path)
    assert {name: (tmp_path / name).read_bytes() for name in before} == before  # the old pair, untouched
    assert sorted(path.name for path in tmp_path.iterdir()) == ["metadata.tsv", "vectors.tsv"]  # no temporaries


def test_export_command_writes_a_vectors_files_words(vectors, tmp_path):
    words, matrix = vectors
    fastemb.WordVectors(words, matrix).save(tmp_path / "v.txt")
    result = run_cli("export", tmp_path / "v.txt", "--projector", tmp_path / "new" / "dir", "--limit", 4)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and "wrote 4 rows" in result.stderr
    rows, metadata = read_projector(tmp_path / "new" / "dir")
    assert metadata == words[:4]
    np.testing.assert_allclose(rows, matrix[:4], rtol=1e-6)  # as precise as the text file it came from


def test_export_command_gives_a_models_counts(tmp_path):
    corpus = write(tmp_path / "c.txt", "a b c a b a\n" * 20)
    model = fastemb.Model(dim=6, epochs=1, min_count=1, threads=1, seed=1).train(str(corpus), progress=False)
    model.save_model(str(tmp_path / "m.npz"))
    result = run_cli("export", tmp_path / "m.npz", "--projector", tmp_path / "p", "--limit", 2, "--quiet")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    rows, metadata = read_projector(tmp_path / "p")
    assert metadata == ["word\tcount", "a\t60", "b\t40"]
    assert rows.tobytes() == model.wv.vectors[:2].tobytes()


@pytest.mark.parametrize("args,message", [
    (["{tmp}/missing.txt", "--projector", "{tmp}/p"], "missing.txt: no such vectors file"),
    (["{tmp}/v.txt", "--projector", "{tmp}/v.txt"], "is not a directory"),
    (["{tmp}/v.txt", "--projector", "{tmp}/p", "--limit", "0"], "limit=0"),
])
def test_export_errors_are_one_line(tmp_path, args, message):
    fastemb.WordVectors(["a", "b"], np.eye(2, dtype=np.float32)).save(tmp_path / "v.txt")
    result = run_cli("export", *[a.format(tmp=tmp_path) for a in args])
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
