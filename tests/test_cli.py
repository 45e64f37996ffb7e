"""The ``fastemb`` command run as a user runs it, in a subprocess."""
import os
import signal

import numpy as np
import pytest

import fastemb
from conftest import read_stderr_until, run_cli, start_cli, wait_until, write


def test_train_writes_loadable_vectors(planted_corpus, tmp_path):
    out = tmp_path / "v.txt"
    result = run_cli("train", planted_corpus, "-o", out, "--dim", 20, "--epochs", 1, "--threads", 2, "--quiet")
    assert result.returncode == 0, result.stderr
    assert "training_seconds=" in result.stderr and "Traceback" not in result.stderr
    wv = fastemb.load(out)
    assert wv.dim == 20 and "king" in wv
    assert out.read_text().splitlines()[0] == f"{len(wv)} 20"


def test_hierarchical_softmax_from_the_shell(planted_corpus, tmp_path):
    out = tmp_path / "v.txt"
    result = run_cli("train", planted_corpus, "-o", out, "--hs", "--negative", "0", "--dim", 30,
                     "--epochs", 5, "--threads", 1, "--quiet")
    assert result.returncode == 0, result.stderr
    score = fastemb.demo.score(fastemb.load(out))
    assert score.analogies_right >= 0.9 * score.analogies_total


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
    (["{corpus}", "--negative", "0"], "negative=0 leaves nothing to predict"),
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


# Waits below are for events (a line on stderr, a file being read), never for a time; the
# timeouts only stop a hung test.
@pytest.fixture
def background():
    """start_cli, and at the end the kill of whatever a failed test left running."""
    processes = []

    def start(*args, **kwargs):
        processes.append(start_cli(*args, **kwargs))
        return processes[-1]

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_ctrl_c_stops_training_without_output(tmp_path, background):
    corpus = tmp_path / "big.txt"
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(2000)])
    corpus.write_text(" ".join(words[rng.zipf(1.3, 600_000) % 2000]))
    out = tmp_path / "v.txt"
    process = background("train", corpus, "-o", out, "--epochs", 1000, "--threads", 2, "--progress", cwd=tmp_path)
    # the progress bar shows a loss once a chunk is done: the threads are at work
    seen = read_stderr_until(process, r"(?s)training .*loss=[0-9]")
    process.send_signal(signal.SIGINT)
    stderr = seen + process.communicate(timeout=60)[1]  # 1,000 epochs: only the signal ends it
    assert process.returncode == 130
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not out.exists() and sorted(os.listdir(tmp_path)) == ["big.txt"]


def test_demo_recovers_the_planted_structure(tmp_path):
    out = tmp_path / "demo.txt"
    result = run_cli("demo", "--quiet", "--threads", 2, "-o", out)
    assert result.returncode == 0, result.stderr
    right, total = result.stdout.split("analogies recovered: ")[1].split(";")[0].split("/")
    assert int(right) >= 0.9 * int(total)
    assert "king" in fastemb.load(out)


@pytest.fixture
def bad_inputs(tmp_path):
    """One folder of the inputs users feed by mistake; outputs go to tmp/out, which must stay empty."""
    inputs = tmp_path / "in"
    (inputs / "nothing").mkdir(parents=True)
    write(inputs / "blank.txt", " \n\t\r\n  ")
    write(inputs / "image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(inputs / "latin1.txt", "caf\xe9 ol\xe9\n".encode("latin-1"))
    write(inputs / "small.txt", "a b c d\n" * 50)
    (tmp_path / "out").mkdir()
    return tmp_path


BAD_TRAIN_INPUTS = [
    (["in/blank.txt"], "in/blank.txt: no words found"),
    (["in/nothing"], "in/nothing: directory contains no files"),
    (["in/image.png"], "in/image.png: NUL byte at byte offset 8"),
    (["in/latin1.txt"], "in/latin1.txt: invalid UTF-8 at byte offset 3"),
    (["in/small.txt", "--alpha", "10", "--min-alpha", "10", "--sample", "0", "--min-count", "1"],
     "training diverged"),
    (["in/small.txt", "-o", "out"], "out: is a directory"),
    (["in/small.txt", "--max-words-counting", "5"], "max_words_counting=5 is out of range"),
    (["in/small.txt", "--cache-dir", "in/missing"], "cache_dir='in/missing' is not an existing directory"),
    (["in/small.txt", "--epochs", "0"], "epochs=0 is out of range"),
    (["in/small.txt", "--alpha", "-1"], "alpha=-1.0 is out of range"),
    (["in/small.txt", "--max-vocab", "0"], "max_vocab=0 is out of range"),
    (["in/small.txt", "--seed", "-1"], "seed=-1 is out of range"),
    (["in/small.txt", "--min-count", "51"], "no word occurs min_count=51 times"),
    (["in/small.txt", "--save-model", "in/missing/m.npz"], "output directory in/missing does not exist"),
    (["in/small.txt", "--history", "in/missing/h.json"], "output directory in/missing does not exist"),
    (["in/small.txt", "--checkpoint", "in/missing/c.npz"], "output directory in/missing does not exist"),
    (["in/small.txt", "--resume", "in/missing.npz"], "in/missing.npz: no such model file"),
    (["in/small.txt", "--maxn", "2", "--minn", "3"], "minn=3 must not exceed maxn=2"),
    (["in/small.txt", "--maxn", "6", "--hs"], "hs=True with subwords"),
    (["in/small.txt", "--negative", "0"], "negative=0 leaves nothing to predict"),
    (["in/missing.txt"], "in/missing.txt: no such file or directory"),
    (["in/small.txt", "-o", "in/small.txt"], "-o in/small.txt would overwrite the corpus file in/small.txt"),
    (["in", "-o", "in/small.txt"], "-o in/small.txt would overwrite the corpus file"),
    (["in/small.txt", "--save-model", "out/v.txt"], "--save-model out/v.txt would overwrite the -o output"),
]


@pytest.mark.parametrize("args,message", BAD_TRAIN_INPUTS)
def test_bad_input_is_one_line_exit_2_and_no_output(bad_inputs, args, message):
    if "-o" not in args:
        args = args + ["-o", "out/v.txt"]
    result = run_cli("train", *args, "--quiet", "--threads", 1, "--dim", 8, cwd=bad_inputs)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert list((bad_inputs / "out").iterdir()) == []


@pytest.mark.parametrize("args,message", [case for case in BAD_TRAIN_INPUTS if "diverged" not in case[1]])
def test_every_refusal_comes_before_training(bad_inputs, args, message, monkeypatch, capsys):
    """No check may come after the training it could have prevented: with training
    replaced by a tripwire, each bad input is still refused, so it was refused before."""
    from fastemb import cli, trainer

    def tripwire(*_args, **_kwargs):
        raise AssertionError(f"training started before refusing {args}")

    monkeypatch.setattr(trainer, "train", tripwire)
    monkeypatch.chdir(bad_inputs)
    code = cli.main(["train", *args, *(["-o", "out/v.txt"] if "-o" not in args else []), "--quiet", "--dim", "8"])
    assert code == 2 and message in capsys.readouterr().err
    assert list((bad_inputs / "out").iterdir()) == []


def test_a_failed_second_output_leaves_no_new_file(tmp_path):
    """The vectors file fits under the file-size limit, the model file (twice the
    matrices) does not: the vectors, already written, must not appear either."""
    import resource

    corpus = write(tmp_path / "c.txt", " ".join(f"w{i % 400}" for i in range(10_000)))
    old_model = write(tmp_path / "m.npz", "precious")
    limit = 400 * 64 * 4 * 3 // 2  # vectors: 400 x 64 float32 (+ words); model: twice that and more

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = run_cli("train", corpus, "-o", tmp_path / "v.bin", "--binary", "--save-model", old_model,
                     "--history", tmp_path / "h.json", "--dim", 64, "--epochs", 1, "--threads", 1, "--quiet",
                     preexec_fn=small_disk)
    assert result.returncode == 2 and "File too large" in result.stderr, result.stderr
    assert "no output was written" in result.stderr and "m.npz" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert sorted(os.listdir(tmp_path)) == ["c.txt", "m.npz"] and old_model.read_text() == "precious"
    # the same command without the limit writes all three
    result = run_cli("train", corpus, "-o", tmp_path / "v.bin", "--binary", "--save-model", old_model,
                     "--history", tmp_path / "h.json", "--dim", 64, "--epochs", 1, "--threads", 1, "--quiet")
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(tmp_path)) == ["c.txt", "h.json", "m.npz", "v.bin"]
    assert len(fastemb.load(tmp_path / "v.bin")) == 400 and len(fastemb.load_model(old_model).vocab) == 400


def test_unicode_errors_replace_trains_and_reports_the_bytes(bad_inputs):
    out = bad_inputs / "out" / "v.txt"
    result = run_cli("train", "in/latin1.txt", "-o", out, "--min-count", 1, "--dim", 8, "--epochs", 1,
                     "--unicode-errors", "replace", cwd=bad_inputs)
    assert result.returncode == 0, result.stderr
    assert "replaced 2 invalid UTF-8 bytes in 1 file (in/latin1.txt)" in result.stderr
    assert sorted(fastemb.load(out).index_to_word) == ["caf\ufffd", "ol\ufffd"]


def test_a_full_disk_while_saving_keeps_the_old_file(tmp_path):
    """The file-size limit (RLIMIT_FSIZE) makes writes fail as a full disk does, but only past 64 KB."""
    import resource

    corpus = write(tmp_path / "c.txt", " ".join(f"w{i % 40}" for i in range(4000)))
    out = write(tmp_path / "v.txt", "precious")

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 10, 64 << 10))

    result = run_cli("train", corpus, "-o", out, "--dim", 2000, "--epochs", 1, "--threads", 1, "--quiet",
                     preexec_fn=small_disk)
    assert result.returncode == 2 and "File too large" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert out.read_text() == "precious" and sorted(os.listdir(tmp_path)) == ["c.txt", "v.txt"]


@pytest.mark.parametrize("command", [["similar", "{v}", "king"], ["analogy", "{v}", "a", "b", "c"],
                                     ["eval", "{v}", "--pairs", "{v}"]])
def test_corrupt_vectors_are_one_line_exit_2(tmp_path, command):
    vectors = write(tmp_path / "v.txt", "2 2\nking 0.1 0.2\nqueen 0.3\n")  # a short row
    result = run_cli(*[part.format(v=vectors) for part in command], "--quiet")
    assert result.returncode == 2
    assert f"{vectors}: line 3" in result.stderr and "Traceback" not in result.stderr


def read_offset(pid: int, path) -> int:
    """How far process ``pid`` has read the file ``path`` (Linux: /proc), -1 if it has it not open."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except FileNotFoundError:  # it ended
        return -1
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                with open(f"/proc/{pid}/fdinfo/{fd}") as info:
                    return int(info.readline().split()[1])  # "pos:\t<offset>"
        except (FileNotFoundError, ProcessLookupError):  # closed meanwhile
            pass
    return -1


def test_ctrl_c_while_counting_stops_at_once(tmp_path, background):
    """A bz2 file of 150 concatenated streams: ~75 MB of text, several seconds to read."""
    import bz2

    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(5000)])
    line = (" ".join(words[rng.zipf(1.3, 100_000) % 5000]) + "\n").encode()
    stream = bz2.compress(line * 10, 1)
    corpus = tmp_path / "big.txt.bz2"
    corpus.write_bytes(stream * 40)
    out = tmp_path / "v.txt"
    process = background("train", corpus, "-o", out, cwd=tmp_path)
    wait_until(lambda: process.poll() is not None or read_offset(process.pid, corpus) > 0,
               "fastemb to read the corpus")
    process.send_signal(signal.SIGINT)
    stderr = process.communicate(timeout=60)[1]
    assert process.returncode == 130
    assert "read " not in stderr, "the signal came after counting: make the corpus longer"
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert sorted(os.listdir(tmp_path)) == ["big.txt.bz2"]


def test_ctrl_c_while_saving_keeps_the_old_file(planted_corpus, tmp_path, monkeypatch):
    """In-process: the interrupt is raised just before the file would be complete."""
    from fastemb import cli

    out = write(tmp_path / "v.txt", "precious")

    def interrupted(_fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    code = cli.main(["train", str(planted_corpus), "-o", str(out), "--dim", "8", "--epochs", "1", "--quiet"])
    assert code == 130
    assert out.read_text() == "precious" and os.listdir(tmp_path) == ["v.txt"]


def test_out_of_memory_is_one_line_saying_what_to_shrink(planted_corpus, tmp_path, monkeypatch, capsys):
    from fastemb import cli, trainer

    def no_memory(*_args):
        raise MemoryError

    monkeypatch.setattr(trainer, "init_matrices", no_memory)
    code = cli.main(["train", str(planted_corpus), "-o", str(tmp_path / "v.txt"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("fastemb: error: out of memory; lower --dim") and err.count("\n") == 1
    assert os.listdir(tmp_path) == []


def test_every_setting_is_a_train_flag_of_the_same_name():
    """One name per concept: Settings.min_count is --min-count, and the parser
    hands each setting over under its own name."""
    from dataclasses import fields

    from fastemb import cli
    from fastemb.config import Settings

    train = cli.build_parser()._subparsers._group_actions[0].choices["train"]
    flags = {option for action in train._actions for option in action.option_strings}
    destinations = {action.dest for action in train._actions}
    for setting in fields(Settings):
        assert "--" + setting.name.replace("_", "-") in flags and setting.name in destinations, setting.name
