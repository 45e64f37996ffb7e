"""One runner per trainer: how each is called, and how its training phase is timed.

Every runner trains once in a fresh child process measured by
`measure.measure()` and returns a record with at least `ok`, `wall_s`,
`peak_rss_mb` and `train_s` (training seconds, None if they could not be
found); `tool_speed` is the tool's own speed figure with its unit, because
the units differ (see each runner). The table ROWS at the end lists the rows
of the benchmark: a trainer with fixed options (fastemb's backend and kernel,
gensim's input mode).

The same settings go to every tool (`Settings`, word2vec.c's names in the
comments); no tool gets a hand-tuned option.
"""

import dataclasses
import json
from pathlib import Path
from typing import Callable, Dict, Optional, Tuple

from bench.measure import measure

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
MODEL_SUFFIX = ".model.npz"  # beside a subword row's vectors: fastemb's whole model
UNSEEN_SUFFIX = ".unseen.txt"  # beside a subword row's vectors: fastText's vectors of unseen eval words


@dataclasses.dataclass
class Settings:
    """Training settings shared by all tools (word2vec.c's flags in comments)."""

    model: str = "skipgram"  # -cbow 0 | 1
    dim: int = 100  # -size
    window: int = 5  # -window
    negative: int = 5  # -negative
    hs: bool = False  # -hs 1: hierarchical softmax (python -m bench --hs also sets negative 0)
    min_count: int = 5  # -min-count
    sample: float = 1e-3  # -sample
    epochs: int = 1  # -iter
    alpha: Optional[float] = None  # -alpha; None = word2vec.c's default for the model
    threads: int = 2  # -threads

    def __post_init__(self):
        if self.model not in ("skipgram", "cbow"):
            raise ValueError(f"model must be skipgram or cbow, not {self.model!r}")
        if self.alpha is None:  # word2vec.c's own defaults
            self.alpha = 0.025 if self.model == "skipgram" else 0.05


@dataclasses.dataclass
class Programs:
    """Where the trainers are: the interpreters and the word2vec.c binary."""

    fastemb_python: str
    peers_python: str
    word2vec_bin: str


def default_word2vec_binary(python):
    """The `word2vec` executable that pip's `word2vec` package puts beside python."""
    return str(Path(python).with_name("word2vec"))


def fastemb_command(python):
    """How to call fastemb's CLI: the `fastemb` script beside `python` if it
    exists (an installed environment), else `python -m fastemb`."""
    script = Path(python).with_name("fastemb")
    return [str(script)] if script.exists() else [python, "-m", "fastemb"]


def _finish(m, out_path):
    """Success flag; drop the timed streams, keeping their tails if it failed."""
    m["ok"] = m["returncode"] == 0 and Path(out_path).exists() and m.get("train_s") is not None
    so, se = m.pop("stdout"), m.pop("stderr")
    if not m["ok"]:  # keep what is needed to see why it failed
        m["stdout_tail"] = so.text[-2000:]
        m["stderr_tail"] = se.text[-2000:]
    return m


# --------------------------------------------------------------------------
# Runners
# --------------------------------------------------------------------------


def run_fastemb(corpus, out, s, programs, backend="cython", kernel=None, maxn=None):
    """fastemb's own command line, on the given backend (and kernel, if given;
    None leaves fastemb's default kernel; and subwords of 3..maxn characters
    if maxn is given, with fastemb's default 2,000,000 buckets as fastText's).

    Training seconds: fastemb prints training_seconds= on stderr: the training
    threads alone, after reading, counting and encoding the corpus and before
    saving. Own speed: its words_per_second=, corpus words x epochs / those
    seconds, i.e. the bench's yardstick.
    """
    cmd = fastemb_command(programs.fastemb_python) + [
        "train", corpus, "-o", out, "--model", s.model, "--dim", s.dim,
        "--window", s.window, "--negative", s.negative, "--min-count", s.min_count,
        "--sample", s.sample, "--epochs", s.epochs, "--alpha", s.alpha,
        "--threads", s.threads, "--backend", backend, "--quiet"]
    if s.hs:
        cmd.append("--hs")
    if kernel:
        cmd += ["--kernel", kernel]
    if maxn:  # the model file gives the unseen words of the eval sets their vectors (quality.py)
        cmd += ["--maxn", maxn, "--save-model", str(out) + MODEL_SUFFIX]
    Path(out).unlink(missing_ok=True)
    m = measure(cmd, cwd=REPO_ROOT)
    se = m["stderr"]
    m["train_s"] = se.last_float("training_seconds")
    wps = se.last_float("words_per_second")
    if wps is not None:
        m["tool_speed"] = {"value": wps, "unit": "corpus words x epochs / training second", "short": "/s"}
    m["train_s_method"] = "training_seconds= printed by fastemb"
    return _finish(m, out)


def run_word2vec_c(corpus, out, s, programs):
    """The original word2vec.c binary.

    Training seconds: word2vec.c prints nothing when training starts or ends,
    so it is timed from its own output. The end is the moment the output file
    appears (it fopen()s it right after joining the training threads, before
    the slow text write). The start is the arrival of its first progress line,
    which comes once a thread has done ~10k words, i.e. at a known fraction f
    of all the work ("Progress: f%"); assuming a constant rate, it is
    extrapolated back: train_s = (t_end - t_first) / (1 - f). This leaves out
    counting, weight init and the 1e8-entry unigram table, as gensim's
    model.train() timing leaves out build_vocab().

    Own speed: the last "Words/thread/sec: Xk". word2vec.c computes it with
    clock(), i.e. per CPU-second summed over threads, counting in-vocabulary
    words before subsampling.
    """
    Path(out).unlink(missing_ok=True)  # its appearance marks the end of training
    cmd = [programs.word2vec_bin, "-train", corpus, "-output", out,
           "-cbow", int(s.model == "cbow"), "-size", s.dim, "-window", s.window,
           "-negative", s.negative, "-hs", int(s.hs), "-sample", s.sample,
           "-min-count", s.min_count, "-threads", s.threads, "-iter", s.epochs,
           "-alpha", s.alpha, "-binary", 0]
    m = measure(cmd, watch_file=out)
    so = m["stdout"]
    first = so.matches(r"Progress: ([0-9.]+)%")
    m["train_s"] = None
    if first and m["file_seen_s"] is not None:
        f = float(first[0].group(1)) / 100
        t_first = so.time_at(first[0].end())
        m["train_s"] = (m["file_seen_s"] - t_first) / (1 - f)
        m["first_progress"] = {"t": t_first, "fraction": f}
    speed = so.matches(r"Words/thread/sec: ([0-9.]+)k")
    if speed:
        m["tool_speed"] = {"value": float(speed[-1].group(1)) * 1000,
                           "unit": "words per CPU-second (clock()), before subsampling", "short": "/cpu-s"}
    m["train_s_method"] = "stdout timestamps: first progress line (extrapolated to 0%) to output file creation"
    return _finish(m, out)


def _worker(python, tool, corpus, out, s):
    """Measure bench/workers.py training `tool` in `python`."""
    cmd = [python, str(HERE / "workers.py"), tool, corpus, out, json.dumps(dataclasses.asdict(s))]
    Path(out).unlink(missing_ok=True)
    return measure(cmd)


def run_gensim(corpus, out, s, programs, mode="gensim"):
    """gensim's Word2Vec in a child Python (workers.gensim).

    Training seconds: the child times model.train() alone (after
    build_vocab()) and prints training_seconds=. Own speed: gensim's final
    "N effective words/s" log line, which counts only the words left after
    min_count and subsampling. `raw_words_trained` is gensim's own count of
    the corpus words it went through ("training on N raw words"), to check
    that it saw the whole corpus.
    """
    m = _worker(programs.peers_python, mode, corpus, out, s)
    se = m["stderr"]
    m["train_s"] = se.last_float("training_seconds")
    m["vocab_s"] = se.last_float("vocab_seconds")
    m["gensim_fast_version"] = se.last_float("fast_version")
    speed = se.matches(r"([0-9.]+) effective words/s")
    if speed:
        m["tool_speed"] = {"value": float(speed[-1].group(1)),
                           "unit": "effective words/s (after min_count and subsampling)", "short": "eff/s"}
    raw = se.matches(r"training on (\d+) raw words")
    if raw:
        m["raw_words_trained"] = int(raw[-1].group(1))
    m["train_s_method"] = "in-process perf_counter around model.train()"
    return _finish(m, out)


def run_gensim_file(corpus, out, s, programs):
    """gensim's Word2Vec(corpus_file=...): its own reader, one per worker thread.

    It needs a line-structured file: with 10,000-word lines gensim 4.4.0
    silently trains on about 30% fewer words, so the bench hands it a copy of
    the corpus cut into lines of 1,000 words (corpora.line_copy), written
    outside the repository. In this mode with several workers gensim's
    learning rate decays only to about half of alpha by the end of 1 epoch,
    which flatters its accuracy: quality comparisons use the iterable mode
    (row `gensim`) and word2vec.c instead.
    """
    return run_gensim(corpus, out, s, programs, mode="gensim_file")


def run_fasttext(corpus, out, s, programs, subwords=False):
    """fastText's C++ trainer through fasttext.train_unsupervised, with
    minn = maxn = 0 (plain word vectors, no character n-grams), or with
    `subwords` its defaults minn 3, maxn 6, bucket 2,000,000.

    Training seconds: train_unsupervised() does vocabulary, init and training
    in one C++ call, so it is timed from fastText's own stderr: from the
    "Number of labels: 0" line (end of vocabulary reading) to the final
    "Progress: 100.0%" line it writes right after joining its threads. This
    still includes allocating and randomising the input matrix (V x dim) and
    building the negative table (with subwords, the 2M-bucket input matrix
    too, where fastemb's training seconds leave out its own allocation and
    randomisation of it). Own speed: final "words/sec/thread" x
    threads (all tokens read per wall second since the threads started).
    """
    m = _worker(programs.peers_python, "fasttext_subword" if subwords else "fasttext", corpus, out, s)
    se = m["stderr"]
    start = se.matches(r"Number of labels: *\d+\s*\n")
    end = se.matches(r"Progress: *100\.0%[^\r\n]*\n")
    m["train_s"] = None
    if start and end:
        m["train_s"] = se.time_at(end[-1].end()) - se.time_at(start[0].end())
    wst = se.matches(r"words/sec/thread: *(\d+)")
    if wst:
        m["tool_speed"] = {"value": float(wst[-1].group(1)) * s.threads,
                           "unit": "tokens/s (words/sec/thread x threads)", "short": "tok/s"}
    m["train_s_method"] = "stderr timestamps: 'Number of labels' line to final 'Progress: 100.0%' line"
    return _finish(m, out)


# --------------------------------------------------------------------------
# The rows of the benchmark
# --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Row:
    """One row of the tables: a trainer with fixed options."""

    name: str  # key in results, --tools, plots
    label: str  # what the Markdown table says
    run: Callable
    options: Tuple[Tuple[str, str], ...] = ()  # keyword arguments of `run`
    models: Tuple[str, ...] = ("skipgram", "cbow")
    fastemb: bool = False  # ours, or a peer
    in_default_run: bool = True  # in `python -m bench` without --tools
    needs_lines: bool = False  # trains on the 1,000-word-line copy of the corpus

    def __call__(self, corpus, out, settings, programs):
        return self.run(corpus, out, settings, programs, **dict(self.options))


ROWS: Dict[str, Row] = {r.name: r for r in [
    Row("fastemb", "fastemb (Cython, default kernel)", run_fastemb, (("backend", "cython"),), fastemb=True),
    Row("fastemb_numba", "fastemb (Numba, default kernel)", run_fastemb, (("backend", "numba"),), fastemb=True),
    # The kernel choice is skip-gram's only: CBOW has one update per window either way.
    Row("fastemb_classic", "fastemb (Cython, classic per-pair kernel)", run_fastemb,
        (("backend", "cython"), ("kernel", "classic")), models=("skipgram",), fastemb=True),
    Row("word2vec_c", "word2vec.c", run_word2vec_c),
    Row("gensim", "gensim Word2Vec(Text8Corpus)", run_gensim),
    Row("gensim_file", "gensim Word2Vec(corpus_file=), 1,000-word lines", run_gensim_file, needs_lines=True),
    Row("fasttext", "fastText train_unsupervised, minn=maxn=0", run_fasttext),
    # Subword vectors (character n-grams 3..6, 2M buckets), skip-gram only; run with
    # --tools fastemb_subword,fasttext_subword --models skipgram.
    Row("fastemb_subword", "fastemb (Cython, subwords --maxn 6)", run_fastemb,
        (("backend", "cython"), ("maxn", 6)), models=("skipgram",), fastemb=True, in_default_run=False),
    Row("fasttext_subword", "fastText train_unsupervised, minn=3 maxn=6", run_fasttext,
        (("subwords", True),), models=("skipgram",), in_default_run=False),
]}
DEFAULT_TOOLS = [name for name, row in ROWS.items() if row.in_default_run]

# Rows whose vectors set the quality bar (gensim_file's learning rate does not
# decay fully with several workers; see run_gensim_file).
QUALITY_REFERENCE = ("word2vec_c", "gensim")
