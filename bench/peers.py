"""Run peer word2vec trainers (and fastemb) one at a time and measure them.

Every training run is a fresh child process, measured from the outside by
`measure()`, so that no tool shares an interpreter, heap or page cache
accounting with another:

* wall seconds: from just before the child is spawned to its exit (polled
  every 10 ms, so +-10 ms);
* peak RSS: the larger of (a) the resident set of the child plus all its
  descendants, summed, polled every 50 ms with psutil and (b) the child's own
  high-water mark that the kernel reports through wait4() (exact, but per
  process, not summed over a tree);
* training seconds: how each tool's training phase is isolated is described
  in its runner (`run_word2vec_c`, `run_gensim`, `run_fasttext`,
  `run_fastemb`), because each needs a different trick;
* the tool's own speed figure, if it prints one (units differ per tool, so
  each runner records the unit next to the value).

This module imports only the standard library at the top (psutil is
optional) so that compare.py can import it from any Python; gensim and
fasttext are imported only inside the worker functions, which run in the
peers' venv.  Command line use:

    python peers.py evaluate VECTORS.txt           # JSON on stdout
    python peers.py run TOOL CORPUS OUT [--threads 2 ...]   # one measured run
    python peers.py worker gensim|fasttext CORPUS OUT SETTINGS_JSON  # internal
"""

import argparse
import bisect
import dataclasses
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

try:  # Only needed to poll the RSS of a process tree; wait4() still works without it.
    import psutil
except ImportError:  # pragma: no cover
    psutil = None

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
SHARED = REPO_ROOT.parent / "shared"
ANALOGIES = str(SHARED / "eval" / "questions-words.txt")
WORDSIM353 = str(SHARED / "eval" / "wordsim353.tsv")


@dataclasses.dataclass
class Settings:
    """Training settings shared by all tools (word2vec.c names in comments)."""

    model: str = "skipgram"  # -cbow 0 | 1
    dim: int = 100  # -size
    window: int = 5  # -window
    negative: int = 5  # -negative (hs is always 0)
    min_count: int = 5  # -min-count
    sample: float = 1e-3  # -sample
    epochs: int = 1  # -iter
    alpha: float = None  # -alpha; None = word2vec.c default for the model
    threads: int = 2  # -threads

    def __post_init__(self):
        if self.model not in ("skipgram", "cbow"):
            raise ValueError(f"model must be skipgram or cbow, not {self.model!r}")
        if self.alpha is None:  # word2vec.c's own defaults
            self.alpha = 0.025 if self.model == "skipgram" else 0.05


# --------------------------------------------------------------------------
# Measuring a child process
# --------------------------------------------------------------------------


class Timed:
    """A child's output stream with the arrival time of every chunk.

    Some tools print progress with many small unbuffered writes (fastText's
    std::cerr), so a line can span chunks: we join the text and map a
    character offset back to the time its chunk arrived.
    """

    def __init__(self, chunks):
        self.text = "".join(c.decode("utf-8", "replace") for _, c in chunks)
        self.ends, self.times, pos = [], [], 0
        for t, c in chunks:
            pos += len(c.decode("utf-8", "replace"))
            self.ends.append(pos)
            self.times.append(t)

    def time_at(self, offset):
        """Seconds since spawn at which the character before `offset` arrived."""
        i = bisect.bisect_left(self.ends, offset)
        return self.times[min(i, len(self.times) - 1)]

    def matches(self, pattern):
        return list(re.finditer(pattern, self.text))


def _pump(stream, t0, sink):
    """Read a pipe until EOF, stamping each chunk with its arrival time."""
    for chunk in iter(lambda: os.read(stream.fileno(), 65536), b""):
        sink.append((time.perf_counter() - t0, chunk))


def _tree_rss(proc):
    """Resident bytes of a psutil process and all its descendants."""
    total = 0
    for p in [proc] + proc.children(recursive=True):
        try:
            total += p.memory_info().rss
        except psutil.Error:  # a child may exit between listing and reading
            pass
    return total


def measure(cmd, watch_file=None, cwd=None, env=None):
    """Run `cmd` to completion and return wall time, peak RSS and timed output.

    `watch_file`: if given, also record when that path first appears (used to
    see when word2vec.c opens its output file, i.e. when training ended).
    """
    cmd = [str(c) for c in cmd]  # settings are ints/floats
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env)
    out, err = [], []
    pumps = [threading.Thread(target=_pump, args=(s, t0, sink), daemon=True)
             for s, sink in ((proc.stdout, out), (proc.stderr, err))]
    for p in pumps:
        p.start()
    ps = psutil.Process(proc.pid) if psutil else None
    peak_poll, next_poll, file_seen = 0, 0.0, None
    while True:
        # wait4 rather than Popen.poll(): it also hands back the child's rusage.
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        now = time.perf_counter() - t0
        if pid:
            break
        if watch_file and file_seen is None and os.path.exists(watch_file):
            file_seen = now
        if ps and now >= next_poll:
            try:
                peak_poll = max(peak_poll, _tree_rss(ps))
            except psutil.Error:
                pass
            next_poll = now + 0.05
        time.sleep(0.01)
    wall = now
    proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen it is reaped
    for p in pumps:
        p.join()
    proc.stdout.close()
    proc.stderr.close()
    hwm = rusage.ru_maxrss * 1024  # Linux reports KiB
    return {
        "cmd": cmd,
        "returncode": proc.returncode,
        "wall_s": wall,
        "peak_rss_mb": max(peak_poll, hwm) / 2**20,
        "rss_poll_mb": peak_poll / 2**20,
        "rss_hwm_mb": hwm / 2**20,
        "user_cpu_s": rusage.ru_utime,
        "sys_cpu_s": rusage.ru_stime,
        "file_seen_s": file_seen,
        "_stdout": Timed(out),
        "_stderr": Timed(err),
    }


def _finish(m, tool, out_path):
    """Common bookkeeping: success flag, keep a tail of the output for debugging."""
    m["tool"] = tool
    m["ok"] = m["returncode"] == 0 and Path(out_path).exists() and m.get("train_s") is not None
    so, se = m.pop("_stdout"), m.pop("_stderr")
    if not m["ok"]:  # keep what is needed to see why it failed
        m["stdout_tail"] = so.text[-2000:]
        m["stderr_tail"] = se.text[-2000:]
    return m


def _last_float(timed, key):
    """Value of the last `key=<float>` printed in a stream, or None."""
    found = timed.matches(re.escape(key) + r"=([-+0-9.eE]+)")
    return float(found[-1].group(1)) if found else None


# --------------------------------------------------------------------------
# Runners: one per tool, each a separate measured subprocess
# --------------------------------------------------------------------------


def default_word2vec_binary(python=sys.executable):
    """The `word2vec` executable that pip's `word2vec` package puts beside python."""
    return str(Path(python).with_name("word2vec"))


def run_word2vec_c(corpus, out, s, binary=None):
    """Train with the original word2vec.c binary.

    Training seconds: word2vec.c prints nothing when training starts or ends,
    so we time it from its own output stream.  The end is the moment the
    output file appears (it fopen()s it right after joining the training
    threads, before the slow text write).  The start is the arrival of its
    first progress line, which comes once a thread has done ~10k words, i.e.
    at a known fraction f of all the work ("Progress: f%"); we assume a
    constant rate and extrapolate back: train_s = (t_end - t_first) / (1 - f).
    This leaves out vocabulary counting, weight init and the 1e8-entry
    unigram table, as gensim's model.train() timing leaves out build_vocab().

    Own speed: the last "Words/thread/sec: Xk".  It is computed with clock(),
    i.e. per CPU-second summed over threads, and counts in-vocabulary words
    before subsampling.
    """
    binary = binary or default_word2vec_binary()
    Path(out).unlink(missing_ok=True)  # its appearance marks the end of training
    cmd = [binary, "-train", corpus, "-output", out,
           "-cbow", int(s.model == "cbow"), "-size", s.dim, "-window", s.window,
           "-negative", s.negative, "-hs", 0, "-sample", s.sample,
           "-min-count", s.min_count, "-threads", s.threads, "-iter", s.epochs,
           "-alpha", s.alpha, "-binary", 0]
    m = measure(cmd, watch_file=out)
    so = m["_stdout"]
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
                           "unit": "words per CPU-second (clock())", "short": "/cpu-s"}
    m["train_s_method"] = "stdout timestamps: first progress line (extrapolated to 0%) to output file creation"
    return _finish(m, "word2vec_c", out)


def _worker_cmd(python, tool, corpus, out, s):
    return [python or sys.executable, str(Path(__file__).resolve()), "worker", tool,
            corpus, out, json.dumps(dataclasses.asdict(s))]


def run_gensim(corpus, out, s, python=None):
    """Train with gensim's Word2Vec on a streamed Text8Corpus in a child Python.

    Training seconds: the child times model.train() alone (after
    build_vocab()) and prints training_seconds=... on stderr.
    Own speed: gensim's final "N effective words/s" log line (words left after
    min_count and subsampling).
    """
    m = measure(_worker_cmd(python, "gensim", corpus, out, s))
    se = m["_stderr"]
    m["train_s"] = _last_float(se, "training_seconds")
    m["vocab_s"] = _last_float(se, "vocab_seconds")
    m["gensim_fast_version"] = _last_float(se, "fast_version")
    speed = se.matches(r"([0-9.]+) effective words/s")
    if speed:
        m["tool_speed"] = {"value": float(speed[-1].group(1)),
                           "unit": "effective words/s (after min_count and subsampling)",
                           "short": "eff/s"}
    m["train_s_method"] = "in-process perf_counter around model.train()"
    return _finish(m, "gensim", out)


def run_fasttext(corpus, out, s, python=None):
    """Train with fastText's Python module (fasttext.train_unsupervised).

    Training seconds: train_unsupervised() does vocabulary, init and training
    in one C++ call, so we time it from fastText's own stderr: from the
    "Number of labels: 0" line (end of vocabulary reading) to the final
    "Progress: 100.0%" line it writes right after joining its threads.  This
    still includes allocating and randomising the input matrix (V x dim; with
    minn=maxn=0 the Python module sets bucket=0) and the negative table.
    Own speed: final "words/sec/thread" x threads (all tokens read per wall
    second since the threads started).
    """
    m = measure(_worker_cmd(python, "fasttext", corpus, out, s))
    se = m["_stderr"]
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
    return _finish(m, "fasttext", out)


def fastemb_command(python=None):
    """How to call fastemb's CLI: the `fastemb` script beside `python` if it
    exists (an installed venv), else `python -m fastemb` (run from the repo)."""
    python = python or sys.executable
    script = Path(python).with_name("fastemb")
    return [str(script)] if script.exists() else [python, "-m", "fastemb"]


def run_fastemb(corpus, out, s, python=None, backend="cython"):
    """Train with fastemb's own command line, on the given backend.

    fastemb prints on stderr a line with training_seconds=<float> (training
    alone: after reading the corpus and building the vocabulary, before
    saving) and words_per_second=<float>, corpus words x epochs / those seconds.
    """
    cmd = fastemb_command(python) + [
        "train", corpus, "-o", out, "--model", s.model, "--dim", s.dim,
        "--window", s.window, "--negative", s.negative, "--min-count", s.min_count,
        "--sample", s.sample, "--epochs", s.epochs, "--alpha", s.alpha,
        "--threads", s.threads, "--backend", backend, "--quiet"]
    Path(out).unlink(missing_ok=True)
    m = measure(cmd, cwd=REPO_ROOT)
    se = m["_stderr"]
    m["train_s"] = _last_float(se, "training_seconds")
    wps = _last_float(se, "words_per_second")
    if wps is not None:
        m["tool_speed"] = {"value": wps, "unit": "words/s (fastemb's own)", "short": "/s"}
    m["train_s_method"] = "training_seconds= printed by fastemb"
    return _finish(m, "fastemb" if backend == "cython" else f"fastemb_{backend}", out)


def run_fastemb_numba(corpus, out, s, python=None):
    """fastemb with its Numba kernel (compiled before training; the compile is not training time)."""
    return run_fastemb(corpus, out, s, python=python, backend="numba")


RUNNERS = {"fastemb": run_fastemb, "fastemb_numba": run_fastemb_numba, "word2vec_c": run_word2vec_c,
           "gensim": run_gensim, "fasttext": run_fasttext}


# --------------------------------------------------------------------------
# Workers: the code that runs inside the child Python for gensim / fastText
# --------------------------------------------------------------------------


def _gensim_worker(corpus, out, s):
    import logging

    # INFO logging gives gensim's own "effective words/s" line to the parent.
    logging.basicConfig(format="%(asctime)s %(levelname)s %(message)s", level=logging.INFO)
    from gensim.models.word2vec import Text8Corpus, Word2Vec
    from gensim.models.word2vec_inner import FAST_VERSION

    print(f"fast_version={FAST_VERSION}", file=sys.stderr)  # -1 would mean pure-Python gensim
    sentences = Text8Corpus(corpus)  # streams 10,000-word sentences, never the whole line
    model = Word2Vec(sg=int(s.model == "skipgram"), vector_size=s.dim, window=s.window,
                     negative=s.negative, hs=0, sample=s.sample, min_count=s.min_count,
                     workers=s.threads, epochs=s.epochs, alpha=s.alpha,
                     min_alpha=s.alpha * 1e-4)  # word2vec.c's floor on the decayed rate
    t = time.perf_counter()
    model.build_vocab(sentences)
    print(f"vocab_seconds={time.perf_counter() - t:.6f}", file=sys.stderr)
    t = time.perf_counter()
    model.train(sentences, total_examples=model.corpus_count, epochs=model.epochs)
    train_s = time.perf_counter() - t
    model.wv.save_word2vec_format(out)
    print(f"training_seconds={train_s:.6f}", file=sys.stderr)


def _fasttext_worker(corpus, out, s):
    import fasttext

    model = fasttext.train_unsupervised(
        input=corpus, model=s.model, dim=s.dim, ws=s.window, neg=s.negative,
        minCount=s.min_count, t=s.sample, thread=s.threads, epoch=s.epochs, lr=s.alpha,
        minn=0, maxn=0, wordNgrams=1, loss="ns", verbose=2)
    words = model.get_words()  # dictionary order = descending frequency
    matrix = model.get_input_matrix()  # bucket=0, so row i is exactly word i's vector
    assert matrix.shape == (len(words), s.dim), matrix.shape
    row = " ".join(["%.6f"] * s.dim)
    with open(out, "w", encoding="utf-8") as f:
        f.write(f"{len(words)} {s.dim}\n")
        for w, v in zip(words, matrix.tolist()):
            f.write(w + " " + row % tuple(v) + "\n")


# --------------------------------------------------------------------------
# Quality
# --------------------------------------------------------------------------


def evaluate_vectors(path, analogies=ANALOGIES, wordsim=WORDSIM353):
    """Score a word2vec-format text file with gensim's evaluators.

    Analogies: 3CosAdd over the 30,000 first (= most frequent, since all tools
    write in descending frequency) words, case-insensitive; questions with a
    word outside those are skipped and counted.  WordSim-353: Spearman over
    the pairs with both words in the vocabulary.
    """
    from gensim.models import KeyedVectors

    kv = KeyedVectors.load_word2vec_format(path, binary=False)
    acc, sections = kv.evaluate_word_analogies(analogies, restrict_vocab=30000,
                                               case_insensitive=True)
    total = sections[-1]  # gensim's "Total accuracy" section
    n_ok, n_bad = len(total["correct"]), len(total["incorrect"])
    with open(analogies, encoding="utf-8") as f:
        n_all = sum(1 for line in f if line.strip() and not line.startswith(":"))
    pearson, spearman, oov_pct = kv.evaluate_word_pairs(wordsim, delimiter="\t",
                                                        case_insensitive=True)
    return {
        "vocab_size": len(kv),
        "analogy_accuracy": float(acc),
        "analogy_pct": 100.0 * float(acc),
        "analogy_correct": n_ok,
        "analogy_evaluated": n_ok + n_bad,
        "analogy_skipped": n_all - n_ok - n_bad,
        "ws353_spearman": float(spearman[0]),
        "ws353_pearson": float(pearson[0]),
        "ws353_oov_pct": float(oov_pct),
    }


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    ev = sub.add_parser("evaluate", help="score a vectors file, print JSON")
    ev.add_argument("vectors")
    wk = sub.add_parser("worker", help="internal: train inside this Python")
    wk.add_argument("tool", choices=["gensim", "fasttext"])
    wk.add_argument("corpus")
    wk.add_argument("out")
    wk.add_argument("settings", help="JSON of Settings")
    rn = sub.add_parser("run", help="one measured run of one tool, print JSON")
    rn.add_argument("tool", choices=sorted(RUNNERS))
    rn.add_argument("corpus")
    rn.add_argument("out")
    rn.add_argument("--python", default=None, help="Python for gensim/fasttext/fastemb")
    for f in dataclasses.fields(Settings):
        rn.add_argument("--" + f.name.replace("_", "-"), type=str if f.name == "model" else float,
                        default=f.default)
    a = ap.parse_args(argv)

    if a.cmd == "evaluate":
        print(json.dumps(evaluate_vectors(a.vectors)))
    elif a.cmd == "worker":
        s = Settings(**json.loads(a.settings))
        {"gensim": _gensim_worker, "fasttext": _fasttext_worker}[a.tool](a.corpus, a.out, s)
    elif a.cmd == "run":
        kw = {f.name: getattr(a, f.name) for f in dataclasses.fields(Settings)}
        for k in ("dim", "window", "negative", "min_count", "epochs", "threads"):
            kw[k] = int(kw[k])
        s = Settings(**kw)
        extra = {} if a.tool == "word2vec_c" else {"python": a.python}
        print(json.dumps(RUNNERS[a.tool](os.path.abspath(a.corpus), os.path.abspath(a.out), s, **extra),
                         indent=1))


if __name__ == "__main__":
    main()
