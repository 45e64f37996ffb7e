"""Progress bars: one for every long step, shown in a terminal, never in a pipe
or with --quiet / progress=False, everywhere with --progress / progress=True.

Bars wait a second before they draw (progress.DELAY_SECONDS); TQDM_DELAY=0,
tqdm's own override, makes every bar draw at once, so no test depends on how
long a step takes.
"""
import fcntl
import io
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import types

import numpy as np
import pytest

import fastemb
from fastemb import progress
from fastemb.cli import build_parser, progress_of

from conftest import cli_command, run_cli, write

TRAIN_STEPS = ("counting", "encoding", "training", "saving")
ANY_BAR = re.compile(r"\b(counting|phrases|encoding|training|saving|analogies): +\d+%?")


class Terminal(io.StringIO):
    """A stand-in for stderr on a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def corpus(tmp_path):
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(300)])
    lines = [" ".join(words[rng.zipf(1.5, 12) % 300]) for _ in range(3000)]
    return write(tmp_path / "corpus.txt", "\n".join(lines) + "\n")


@pytest.fixture
def no_delay(monkeypatch):
    monkeypatch.setenv("TQDM_DELAY", "0")


def finished(text: str, step: str) -> bool:
    """Whether ``step``'s bar was drawn at 100%."""
    return re.search(rf"\b{step}: 100%", text) is not None


def test_auto_means_a_terminal_or_a_notebook(monkeypatch):
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert progress.shown(None) and progress.shown(True) and not progress.shown(False)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not progress.shown(None) and progress.shown(True)
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    assert progress.shown(None)


def test_progress_must_be_true_false_or_none():
    with pytest.raises(TypeError, match="progress='yes'"):
        progress.shown("yes")
    with pytest.raises(TypeError, match="progress=1"):
        fastemb.Model(dim=8, min_count=1).train([["a", "b"]], progress=1)


def test_every_long_step_draws_a_bar_that_ends_full(tmp_path, corpus, no_delay, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    model = fastemb.Model(dim=8, epochs=2, min_count=1, phrases=1, threads=1, seed=1).train(corpus)
    model.wv.save(tmp_path / "v.txt")
    model.save_model(tmp_path / "m.fastemb")
    analogies = write(tmp_path / "analogies.txt", ": s\nw1 w2 w3 w4\nw5 w6 w7 nowhere\n")
    model.wv.evaluate_analogies(analogies)
    shown = terminal.getvalue()
    for step in TRAIN_STEPS + ("phrases", "analogies"):
        assert finished(shown, step), f"no full {step} bar in {shown[-3000:]!r}"
    assert re.search(r"\bsaving: 100%[^\r\n]*word/s", shown)  # the vectors
    assert re.search(r"\bsaving: 100%[^\r\n]*B/s", shown)  # the model file, in bytes


def test_sentences_are_counted_in_words(no_delay, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    sentences = ([f"w{i % 50}", f"w{(i * 7) % 50}", "x"] for i in range(2000))  # a generator: no length
    fastemb.Model(dim=8, epochs=1, min_count=1, threads=1).train(sentences)
    assert re.search(r"\bcounting: 6\.00kword\b", terminal.getvalue()), terminal.getvalue()[-2000:]


@pytest.mark.parametrize("given", [False, None])
def test_no_bar_unless_asked_or_watched(tmp_path, corpus, no_delay, monkeypatch, given):
    stream = Terminal() if given is False else io.StringIO()  # False even on a terminal; None off one
    monkeypatch.setattr(sys, "stderr", stream)
    model = fastemb.Model(dim=8, epochs=1, min_count=1, phrases=1, threads=1).train(corpus, progress=given)
    model.wv.save(tmp_path / "v.txt", progress=given)
    model.save_model(tmp_path / "m.fastemb", progress=given)
    assert not ANY_BAR.search(stream.getvalue()), stream.getvalue()[-2000:]


@pytest.mark.parametrize("flags, expected", [([], None), (["--quiet"], False), (["--progress"], True)])
def test_flags_ask_for_progress(flags, expected):
    for command in (["train", "c.txt", "-o", "v.txt"], ["phrases", "c.txt", "-o", "p.txt"]):
        assert progress_of(build_parser().parse_args(command + flags)) is expected


def test_quiet_and_progress_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["train", "c.txt", "-o", "v.txt", "--quiet", "--progress"])
    assert exit_.value.code == 2 and "not allowed with" in capsys.readouterr().err


def run_in_terminal(*args, cwd, timeout: float = 300) -> tuple:
    """Run ``fastemb`` as a user at a terminal does: stderr on a pseudo-terminal.
    Returns the exit code and what the terminal showed."""
    env = dict(os.environ, TQDM_DELAY="0", PYTHONUNBUFFERED="1")
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # a new pty is 0 x 0
    process = subprocess.Popen(cli_command(*args), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=follower, cwd=cwd, env=env)
    os.close(follower)
    shown = b""
    try:
        while select.select([leader], [], [], timeout)[0]:
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: the process closed the terminal
                break
            if not data:
                break
            shown += data
    finally:
        os.close(leader)
    return process.wait(timeout=60), shown.decode("utf-8", "replace")


def test_cli_draws_bars_in_a_terminal(tmp_path, corpus):
    code, shown = run_in_terminal("train", corpus, "-o", tmp_path / "v.bin", "--binary", "--min-count", 1,
                                  "--threads", 1, "--save-model", tmp_path / "m.fastemb", cwd=tmp_path)
    assert code == 0, shown
    for step in TRAIN_STEPS:
        assert finished(shown, step), f"no full {step} bar in {shown[-3000:]!r}"
    assert "fastemb: vocabulary=" in shown  # the summary line follows the bars


def test_cli_quiet_in_a_terminal_draws_nothing(tmp_path, corpus):
    code, shown = run_in_terminal("train", corpus, "-o", tmp_path / "v.txt", "--min-count", 1, "--quiet",
                                  cwd=tmp_path)
    assert code == 0 and (tmp_path / "v.txt").exists()
    assert not ANY_BAR.search(shown) and "fastemb: read" not in shown, shown


def test_cli_in_a_pipe_draws_bars_only_with_progress(tmp_path, corpus, no_delay):
    piped = run_cli("train", corpus, "-o", tmp_path / "v.txt", "--min-count", 1, cwd=tmp_path)
    assert piped.returncode == 0 and "fastemb: read" in piped.stderr  # log lines stay
    assert not ANY_BAR.search(piped.stderr), piped.stderr
    forced = run_cli("train", corpus, "-o", tmp_path / "v.txt", "--min-count", 1, "--progress", cwd=tmp_path)
    assert forced.returncode == 0
    for step in TRAIN_STEPS:
        assert finished(forced.stderr, step), forced.stderr
