"""fastemb side by side with word2vec.c, gensim and fastText, in one run.

    python -m bench                 # the full run, dims 100 and 300: about 80 min on 2 cores
    python -m bench --quick         # a smoke test of everything: under 3 min
    python -m bench --distributed   # Ray workers and the simulation at N workers (bench/distributed.py)
    python -m bench --help

Runs every row (runners.ROWS: fastemb's backends and kernels, word2vec.c,
gensim iterable and corpus_file, fastText) on the same corpus with the same
settings, one fresh process at a time, alternating the rows (A B C ... A B C
...) so that a slow spell of the machine spreads over all of them. Every run
is measured from outside (measure.py), its vectors scored by fastemb's
evaluators (quality.py). Then, for skip-gram, one run per row on corpus
prefixes (size scaling) and at 1 thread (thread scaling). Writes
bench/results/<date>-<name>.json (every raw figure, machine, versions),
.md (the tables) and -speed/-scaling/-quality.png; bench/README.md says what
each figure means.
"""

import argparse
import dataclasses
import datetime
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/run.py`: make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpora, plots, report  # noqa: E402
from bench.machine import machine_info  # noqa: E402
from bench.quality import evaluate  # noqa: E402
from bench.runners import (DEFAULT_TOOLS, MODEL_SUFFIX, REPO_ROOT, ROWS, UNSEEN_SUFFIX, Programs,  # noqa: E402
                           Settings, default_word2vec_binary)

CORPORA = REPO_ROOT.parent / "shared" / "corpora"
RESULTS = REPO_ROOT / "bench" / "results"
# Rows with a scaling curve: each trainer once (its default form); the classic
# kernel and gensim's corpus_file mode only in the main tables, to fit the
# full run in 30 minutes.
SCALING_TOOLS = ["fastemb", "fastemb_numba", "word2vec_c", "gensim", "fasttext"]
WARMUP_BYTES = 100_000  # the prefix each fastemb row trains on once before measuring
STARTUP_S = 2.0  # a run's cost that does not shrink with a prefix (interpreter, imports, tables)
# Defaults that differ between the full run and --quick.
PRESETS = {
    "full": {"corpus": CORPORA / "enwiki-text8style-1e8.txt", "repeats": 3,
             "scaling_bytes": "1e7,3e7", "dims": "100,300",
             "budget_minutes": 90},
    "quick": {"corpus": CORPORA / "text8-prefix.txt", "repeats": 2,
              "scaling_bytes": "1e6,3e6", "dims": "100",
              "budget_minutes": 2.75},
}


@dataclasses.dataclass
class Job:
    """One measured run."""

    suite: str  # "main" (tables, quality) or "scaling"
    model: str
    tool: str
    threads: int
    corpus_bytes: int  # the corpus's size, or a prefix's target size
    repeat: int = 0
    evaluate: bool = True
    dim: int = 100


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="reduced run on ../shared/corpora/text8-prefix.txt (under 3 minutes)")
    ap.add_argument("--corpus", help="default: ../shared/corpora/enwiki-text8style-1e8.txt "
                    "(--quick: text8-prefix.txt)")
    ap.add_argument("--name", help="results are bench/results/<date>-<name>.*; default: full or quick")
    ap.add_argument("--date", default=datetime.date.today().isoformat())
    ap.add_argument("--results-dir", default=str(RESULTS))
    ap.add_argument("--repeats", type=int, help="runs of each row and model (default 3; --quick: 2)")
    ap.add_argument("--models", default="skipgram,cbow")
    ap.add_argument("--tools", default=",".join(DEFAULT_TOOLS),
                    help="rows, comma-separated (default: all but the subword rows), from: " + ",".join(ROWS))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--dims", help="vector sizes, comma-separated: main tables for each (default 100,300; "
                    "--quick: 100); scaling runs use the first")
    ap.add_argument("--dim", type=int, help="one vector size: the same as --dims DIM")
    ap.add_argument("--window", type=int, default=5)
    ap.add_argument("--negative", type=int, default=5)
    ap.add_argument("--hs", action="store_true",
                    help="hierarchical softmax instead of negative sampling, in every row (word2vec.c's "
                         "-hs 1 -negative 0; fastText's -loss hs)")
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--sample", type=float, default=1e-3)
    ap.add_argument("--scaling-tools", default=",".join(SCALING_TOOLS))
    ap.add_argument("--scaling-bytes", help="prefix sizes for size scaling, comma-separated "
                    "(default 1e7,3e7; --quick: 1e6,3e6); the full corpus is the last point")
    ap.add_argument("--thread-scaling-bytes", type=float,
                    help="prefix on which --thread-scaling-tools also run at 1 thread (default: the whole corpus)")
    ap.add_argument("--thread-scaling-tools", default="fastemb,fastemb_numba",
                    help="rows run at 1 thread as well, --repeats times (default: %(default)s)")
    ap.add_argument("--no-scaling", action="store_true")
    ap.add_argument("--budget-minutes", type=float,
                    help="start no further repeat that would end the run later than this (default 90; "
                    "--quick: 2.75; 0 = no limit)")
    ap.add_argument("--fastemb-python", default=sys.executable, help="Python whose environment has fastemb")
    ap.add_argument("--peers-python", default=sys.executable,
                    help="Python whose environment has gensim and fasttext (and the word2vec binary beside it)")
    ap.add_argument("--eval-python", help="Python that scores vectors with fastemb (default: --fastemb-python)")
    ap.add_argument("--word2vec-bin", help="default: `word2vec` beside --peers-python")
    ap.add_argument("--cache-dir", default=str(corpora.default_cache_dir()),
                    help="where prefixes and gensim's 1,000-word-line copy are written (outside the repository)")
    ap.add_argument("--keep-vectors", metavar="DIR", help="keep every run's vectors in DIR")
    ap.add_argument("--no-plots", action="store_true")
    ap.add_argument("--replot", metavar="JSON", help="only rewrite the summary, Markdown and plots of a results JSON")
    a = ap.parse_args(argv)

    preset = PRESETS["quick" if a.quick else "full"]
    a.corpus = os.path.abspath(a.corpus or preset["corpus"])
    a.name = a.name or ("quick" if a.quick else "full")
    a.repeats = a.repeats or preset["repeats"]
    a.budget_minutes = preset["budget_minutes"] if a.budget_minutes is None else a.budget_minutes
    a.scaling_bytes = [int(float(b)) for b in (a.scaling_bytes or preset["scaling_bytes"]).split(",") if b]
    a.thread_scaling_bytes = int(a.thread_scaling_bytes) if a.thread_scaling_bytes else None
    a.models = [m.strip() for m in a.models.split(",") if m.strip()]
    a.dims = [a.dim] if a.dim else [int(d) for d in (a.dims or preset["dims"]).split(",") if d.strip()]
    a.dim = a.dims[0]
    if a.hs:
        a.negative = 0
    a.tools = [t.strip() for t in a.tools.split(",") if t.strip()]
    a.scaling_tools = [] if a.no_scaling else [t for t in a.scaling_tools.split(",") if t in a.tools]
    a.thread_scaling_tools = [] if a.no_scaling else [t for t in a.thread_scaling_tools.split(",") if t in a.tools]
    for name in set(a.tools) - set(ROWS):
        ap.error(f"--tools: unknown row {name!r}; known: {', '.join(ROWS)}")
    for model in set(a.models) - {"skipgram", "cbow"}:
        ap.error(f"--models: {model!r} is neither skipgram nor cbow")
    if not os.path.isfile(a.corpus):
        ap.error(f"--corpus: no such file: {a.corpus}")
    # abspath, not resolve(): a venv's python is a symlink whose target has no venv.
    a.fastemb_python = os.path.abspath(a.fastemb_python)
    a.peers_python = os.path.abspath(a.peers_python)
    a.eval_python = os.path.abspath(a.eval_python or a.fastemb_python)
    a.word2vec_bin = os.path.abspath(a.word2vec_bin or default_word2vec_binary(a.peers_python))
    return a


def plan(a, corpus_bytes):
    """Every run, in order: main rounds (a list per repeat, alternating rows
    and models), then skip-gram scaling runs (one each, not scored)."""
    rounds = [[Job("main", model, tool, a.threads, corpus_bytes, rep, dim=dim)
               for dim in a.dims for model in a.models for tool in a.tools if model in ROWS[tool].models]
              for rep in range(a.repeats)]
    if "skipgram" not in a.models:
        return rounds, []
    jobs = [Job("scaling", "skipgram", tool, a.threads, b, evaluate=False, dim=a.dim)
            for b in a.scaling_bytes if b < corpus_bytes for tool in a.scaling_tools]
    if a.threads > 1 and a.thread_scaling_tools:
        # one thread against many, --repeats times each; on the whole corpus the
        # many-thread figure is the main runs' median
        tb = min(a.thread_scaling_bytes or corpus_bytes, corpus_bytes)
        counts = [1] if tb == corpus_bytes else [a.threads, 1]
        jobs += [Job("scaling", "skipgram", tool, threads, tb, repeat, evaluate=False, dim=a.dim)
                 for repeat in range(a.repeats) for threads in counts for tool in a.thread_scaling_tools]
    return rounds, jobs


def scaling_estimate_s(runs, scaling_jobs, corpus_bytes, threads):
    """Seconds the scaling runs will take, from each row's skip-gram wall time
    on the whole corpus so far, scaled by size and thread count."""
    if not scaling_jobs:
        return 0.0
    walls = {}
    for r in runs:
        if r["suite"] == "main" and r["model"] == "skipgram" and r.get("dim", 100) == scaling_jobs[0].dim \
                and r.get("ok"):
            walls.setdefault(r["tool"], []).append(r["wall_s"])
    return sum(STARTUP_S + statistics.median(walls[j.tool]) * j.corpus_bytes / corpus_bytes * threads / j.threads
               for j in scaling_jobs if j.tool in walls)


def prepare_corpora(a, jobs, corpus_bytes):
    """Write every prefix and line copy the jobs need, before anything is timed,
    and count their words. Returns {(bytes, needs_lines): (path, words)}."""
    Path(a.cache_dir).mkdir(parents=True, exist_ok=True)
    files = {}
    for b, lines in sorted({(j.corpus_bytes, ROWS[j.tool].needs_lines) for j in jobs}):
        t = time.perf_counter()
        path = Path(a.corpus) if b >= corpus_bytes else corpora.prefix(a.corpus, b, a.cache_dir)
        if lines:
            path = corpora.line_copy(path, a.cache_dir)
        files[b, lines] = (str(path), corpora.count_words(path))
        print(f"corpus {b:.0e} B{' (1,000-word lines)' if lines else ''}: {path}, "
              f"{files[b, lines][1]:,} words ({time.perf_counter() - t:.1f} s)", file=sys.stderr)
    return files


def warm_up(a, programs, workdir):
    """Train each fastemb row once on a small prefix, unmeasured, so that
    Numba's compiled code is in its on-disk cache before the first measured run,
    as it is for a user after their first run. Returns the wall times, which
    show a compile if one happened."""
    tiny = str(corpora.prefix(a.corpus, WARMUP_BYTES, a.cache_dir))
    s = Settings(model=a.models[0], threads=a.threads, negative=a.negative, hs=a.hs)
    out = {}
    for tool in [t for t in a.tools if ROWS[t].fastemb]:
        r = ROWS[tool](tiny, str(Path(workdir) / "warmup.txt"), s, programs)
        out[tool] = {"ok": r["ok"], "wall_s": r["wall_s"]}
        print(f"warm-up {tool}: {r['wall_s']:.1f} s{'' if r['ok'] else ' FAILED'}", file=sys.stderr)
    return out


def execute(job, a, files, programs, workdir):
    """Run one job: train, measure, score; return its record."""
    corpus, words = files[job.corpus_bytes, ROWS[job.tool].needs_lines]
    alpha = 0.025 if job.model == "skipgram" else 0.05  # word2vec.c's defaults
    s = Settings(model=job.model, dim=job.dim, window=a.window, negative=a.negative, hs=a.hs, min_count=a.min_count,
                 sample=a.sample, epochs=a.epochs, alpha=alpha, threads=job.threads)
    vectors = Path(workdir) / (f"{job.suite}-{job.model}-{job.dim}-{job.tool}-{job.threads}-{job.corpus_bytes}-"
                               f"{job.repeat}.txt")
    try:
        r = ROWS[job.tool](corpus, str(vectors), s, programs)
    except OSError as e:  # e.g. a wrong interpreter path: record it and go on
        r = {"ok": False, "returncode": None, "stderr_tail": repr(e)}
    r = {**dataclasses.asdict(job), "corpus": corpus, "words": words, **r, "loadavg_after": os.getloadavg()}
    if r.get("train_s"):
        r["train_words_per_s"] = words * a.epochs / r["train_s"]  # the same yardstick for every tool
    if r["ok"] and job.evaluate:
        r.update(evaluate(a.eval_python, vectors))
    if not a.keep_vectors:
        for path in (vectors, Path(str(vectors) + MODEL_SUFFIX), Path(str(vectors) + UNSEEN_SUFFIX)):
            path.unlink(missing_ok=True)
    return r


def _line(r):
    if not r["ok"]:
        tail = (r.get("stderr_tail") or "").strip().splitlines() or [""]
        return f"FAILED (rc={r.get('returncode')}): {tail[-1][:300]}"  # the error is the last line
    q = f", analogy {r['analogy_pct']:.2f}%" if r.get("analogy_pct") is not None else ""
    return (f"train {r['train_s']:.2f} s ({r['train_words_per_s'] / 1e3:,.0f}k words/s), "
            f"wall {r['wall_s']:.2f} s, RSS {r['peak_rss_mb']:.0f} MB{q}")


def notes(a, files, corpus_bytes, rep):
    """What a reader must know to read the tables right."""
    out = ["Training words/s = corpus words × epochs / training seconds, for every row; how each "
           "tool's training seconds are isolated, and what its own speed figure counts, is in "
           "bench/README.md. Wall s is end to end: start-up, reading, vocabulary, training, saving."]
    lines = files.get((corpus_bytes, True))
    if lines:
        out.append(f"gensim_file trains on a copy of the corpus cut into 1,000-word lines, {lines[0]} "
                   "(outside the repository), because with 10,000-word lines gensim 4.4.0's corpus_file "
                   "mode silently skips about 30% of the words. With several workers its learning rate "
                   "decays only to about half, which flatters its 1-epoch accuracy, so it is left out of "
                   "the quality bar (the better of word2vec.c and gensim's iterable mode).")
    src = (rep["machine"].get("fastemb") or {}).get("source") or {}
    if src.get("uncommitted"):
        out.append("fastemb was measured with uncommitted changes: " + ", ".join(src["uncommitted"]) + ".")
    if a.quick:
        out.append("--quick: a smoke test of the whole bench on 1.2M words; start-up costs weigh heavily "
                   "and 1 epoch on so little text gives near-chance quality, so read no conclusion from it.")
    return out


def write_outputs(rep, stem, final, draw_plots=True):
    """JSON always (after every run, so an interrupted run keeps its data);
    the summary, Markdown and plots at the end."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    if final:
        rep["summary"] = report.summarize(rep)
        shown = {}
        if draw_plots:
            title = (f"fastemb bench {rep['name']}, {rep['started'][:10]}: {Path(rep['corpus']['path']).name}, "
                     f"{next(iter(rep['settings'].values()))['threads']} threads")
            scaled = rep["summary"]["scaling"]
            for kind, draw in plots.PLOTS.items():
                if kind == "scaling" and not (scaled["size"] or scaled["threads"]):
                    continue  # --no-scaling: an empty picture says nothing
                try:
                    shown[kind] = Path(draw(rep["summary"], f"{stem}-{kind}.png", title)).name
                except Exception as e:  # e.g. no matplotlib: the tables still get written
                    print(f"plot {kind}: {e!r}", file=sys.stderr)
        Path(f"{stem}.md").write_text(report.portable(report.markdown(rep, shown)))
    Path(f"{stem}.json").write_text(report.portable_json(rep))


def replot(path):
    """Summary, Markdown and plots again from a results JSON (after changing
    report.py or plots.py, without measuring again)."""
    rep = json.loads(Path(path).read_text())
    stem = Path(path).with_suffix("")
    write_outputs(rep, stem, final=True)
    print(f"rewrote {stem}.json, .md and the -*.png plots", file=sys.stderr)
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if "--distributed" in argv:  # data-parallel training: its own grid (bench/distributed.py)
        from bench import distributed

        return distributed.main([arg for arg in argv if arg != "--distributed"])
    a = parse_args(argv)
    if a.replot:
        return replot(a.replot)
    t0 = time.perf_counter()
    corpus_bytes = os.path.getsize(a.corpus)
    rounds, scaling_jobs = plan(a, corpus_bytes)
    jobs = [j for r in rounds for j in r] + scaling_jobs
    files = prepare_corpora(a, jobs, corpus_bytes)
    programs = Programs(a.fastemb_python, a.peers_python, a.word2vec_bin)
    rep = {
        "name": a.name, "quick": a.quick,
        "command": report.portable(" ".join(["python -m bench"] + list(sys.argv[1:] if argv is None else argv))),
        "started": datetime.datetime.now().isoformat(timespec="seconds"),
        "corpus": {"path": a.corpus, "bytes": corpus_bytes, "words": files[corpus_bytes, False][1]
                   if (corpus_bytes, False) in files else corpora.count_words(a.corpus)},
        "settings": {m: dataclasses.asdict(Settings(model=m, dim=a.dim, window=a.window, negative=a.negative,
                                                    hs=a.hs, min_count=a.min_count, sample=a.sample, epochs=a.epochs,
                                                    threads=a.threads)) for m in a.models},
        "plan": {"repeats": a.repeats, "repeats_done": 0, "budget_minutes": a.budget_minutes, "models": a.models,
                 "dims": a.dims,
                 "tools": a.tools, "scaling_tools": a.scaling_tools, "scaling_bytes": a.scaling_bytes,
                 "thread_scaling_tools": a.thread_scaling_tools,
                 "thread_scaling_bytes": a.thread_scaling_bytes, "runs": len(jobs)},
        "machine": machine_info(programs, any(ROWS[t].fastemb for t in a.tools)),
        "runs": [],
    }
    rep["notes"] = notes(a, files, corpus_bytes, rep)
    workdir = Path(a.keep_vectors or tempfile.mkdtemp(prefix="fastemb-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    stem = Path(a.results_dir) / f"{a.date}-{a.name}"
    print(f"{len(jobs)} runs; vectors in {workdir}; results: {stem}.*", file=sys.stderr)
    rep["warmup"] = warm_up(a, programs, workdir)

    def run(job):
        r = execute(job, a, files, programs, workdir)
        rep["runs"].append(r)
        write_outputs(rep, stem, final=False)
        print(f"[{len(rep['runs'])}/{len(jobs)} {(time.perf_counter() - t0) / 60:4.1f} min] {job.suite} "
              f"{job.model} dim {job.dim} {job.tool} {job.threads}t {job.corpus_bytes:.0e} B #{job.repeat + 1}: {_line(r)}",
              file=sys.stderr)

    try:
        longest_round = 0.0
        for k, round_jobs in enumerate(rounds):
            # Stop between rounds (never inside one, which would break the
            # alternation) when another round and the scaling runs would
            # overrun the budget.
            elapsed = time.perf_counter() - t0
            projected = elapsed + longest_round + scaling_estimate_s(rep["runs"], scaling_jobs, corpus_bytes,
                                                                     a.threads)
            if k and a.budget_minutes and projected > 60 * a.budget_minutes:
                rep["notes"].append(f"Stopped after {k} of {a.repeats} repeats: another round would have ended "
                                    f"the run after the {a.budget_minutes:g}-minute budget (--budget-minutes).")
                print(rep["notes"][-1], file=sys.stderr)
                break
            for job in round_jobs:
                run(job)
            rep["plan"]["repeats_done"] = k + 1
            longest_round = max(longest_round, time.perf_counter() - t0 - elapsed)
        for job in scaling_jobs:
            run(job)
    except KeyboardInterrupt:
        rep["interrupted"] = True
        print("interrupted: writing what was measured", file=sys.stderr)
    finally:
        if not a.keep_vectors:
            shutil.rmtree(workdir, ignore_errors=True)
    rep["machine"]["loadavg_end"] = os.getloadavg()
    rep["duration_s"] = time.perf_counter() - t0
    write_outputs(rep, stem, final=True, draw_plots=not a.no_plots)
    print(Path(f"{stem}.md").read_text())
    print(f"wrote {stem}.json, .md and the -*.png plots ({rep['duration_s'] / 60:.1f} min)", file=sys.stderr)
    return 130 if rep.get("interrupted") else 0


if __name__ == "__main__":
    sys.exit(main())
