"""The ``fastemb`` command run as a user runs it, in a subprocess."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import fastemb
from conftest import run_cli, write


def test_train_writes_loadable_vectors(planted_corpus, tmp_path):
    out = tmp_path / "v.txt"
    result = run_cli("train", planted_corpus, "-o", out, "--dim", 20, "--epochs", 1, "--threads", 2, "--quiet")
    assert result.returncode == 0, result.stderr
    assert "training_seconds=" in result.stderr and "Traceback" not in result.stderr
    wv = fastemb.load(out)
    assert wv.dim == 20 and "king" in wv
    assert out.read_text().splitlines()[0] == f"{len(wv)} 20"


def test_train_binary_cbow_from_gz_and_directory(planted_corpus, tmp_path):
    import gzip

    folder = tmp_path / "more"
    folder.mkdir()
    write(folder / "extra.txt", "king queen\n" * 10)
    packed = tmp_path / "corpus.txt.gz"
    with gzip.open(packed, "wb") as stream:
        stream.write(planted_corpus.read_bytes())
    out = tmp_path / "v.bin"
    result = run_cli("train", packed, folder, "-o", out, "--binary", "--model", "cbow", "--dim", 16,
                     "--epochs", 1, "--threads", 2, "--quiet")
    assert result.returncode == 0, result.stderr
    wv = fastemb.load(out)
    assert wv.dim == 16 and wv.vectors.dtype == np.float32
    assert out.read_bytes().split(b"\n", 1)[0] == f"{len(wv)} 16".encode()


@pytest.mark.parametrize("args,message", [
    (["missing.txt"], "missing.txt: no such file or directory"),
    (["{empty}"], "no words found"),
    (["{corpus}", "--dim", "0"], "dim=0 is out of range"),
    (["{corpus}", "--window", "0"], "window=0 is out of range"),
    (["{corpus}", "--negative", "0"], "negative=0 is out of range"),
    (["{corpus}", "--sample", "-1"], "sample=-1.0 is out of range"),
    (["{corpus}", "--threads", "0"], "threads=0 is out of range"),
    (["{corpus}", "--min-count", "100000000"], "no word occurs min_count=100000000 times"),
    (["{corpus}", "-o", "{tmp}/no/such/dir/v.txt"], "output directory"),
])
def test_errors_are_one_line_with_exit_code_2(planted_corpus, tmp_path, args, message):
    empty = write(tmp_path / "empty.txt", "")
    args = [a.format(corpus=planted_corpus, empty=empty, tmp=tmp_path) for a in args]
    if "-o" not in args:
        args += ["-o", str(tmp_path / "v.txt")]
    result = run_cli("train", *args, "--quiet", cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert sorted(os.listdir(tmp_path)) == ["empty.txt"]  # no output, no temporary file


def test_unknown_model_is_a_usage_error(planted_corpus, tmp_path):
    result = run_cli("train", planted_corpus, "-o", tmp_path / "v.txt", "--model", "glove")
    assert result.returncode == 2 and "invalid choice: 'glove'" in result.stderr


def test_existing_output_survives_a_failed_run(tmp_path):
    out = write(tmp_path / "v.txt", "keep me")
    result = run_cli("train", tmp_path / "missing.txt", "-o", out, "--quiet")
    assert result.returncode == 2 and out.read_text() == "keep me"


def test_ctrl_c_stops_training_without_output(tmp_path):
    corpus = tmp_path / "big.txt"
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(2000)])
    corpus.write_text(" ".join(words[rng.zipf(1.3, 600_000) % 2000]))
    out = tmp_path / "v.txt"
    command = [sys.executable, "-m", "fastemb", "train", str(corpus), "-o", str(out), "--epochs", "1000",
               "--threads", "2"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    line = ""
    while "training" not in line and time.time() < deadline:  # wait until the training has started
        line = process.stderr.readline()
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    sent = time.time()
    stderr = process.communicate(timeout=30)[1]
    assert process.returncode == 130
    assert time.time() - sent < 3
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not out.exists() and sorted(os.listdir(tmp_path)) == ["big.txt"]


def test_demo_recovers_the_planted_structure(tmp_path):
    out = tmp_path / "demo.txt"
    result = run_cli("demo", "--quiet", "--threads", 2, "-o", out)
    assert result.returncode == 0, result.stderr
    right, total = result.stdout.split("analogies recovered: ")[1].split(";")[0].split("/")
    assert int(right) >= 0.9 * int(total)
    assert "king" in fastemb.load(out)
