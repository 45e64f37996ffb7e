"""Side-by-side benchmark of fastemb against word2vec.c, gensim and fastText.

    python bench/compare.py --corpus PATH --repeats 3 --threads 2 --epochs 1 \
        --model skipgram --tools fastemb,word2vec_c,gensim,fasttext \
        --fastemb-python PATH --peers-python PATH --out results.json

Tools run one at a time and alternate (A B C A B C ...), so that slow drifts
of the machine (other load, thermal state, page cache) spread over all tools
instead of hitting one tool's block of repeats.  Each run is measured by
peers.measure() (see peers.py for what each figure means); its vectors are
then scored by peers.evaluate_vectors() in a separate Python (the peers'
venv, which has gensim), and deleted unless --keep-vectors.

Prints a Markdown table of median [min-max] over repeats and writes every
raw figure, the settings, machine info and tool versions to --out (rewritten
after every run, so a long benchmark that is interrupted keeps its data).
"""

import argparse
import dataclasses
import datetime
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402  (sibling module, found through the line above)


def count_words(path, chunk=1 << 20):
    """Whitespace-separated words in a file, streamed (the corpora are one line)."""
    n, carry = 0, b""
    with open(path, "rb") as f:
        while block := f.read(chunk):
            block = carry + block
            words = block.split()
            # A word cut by the chunk boundary is carried into the next block.
            carry = words.pop() if words and not block[-1:].isspace() else b""
            n += len(words)
    return n + bool(carry)


def _python_versions(python, modules):
    """Versions of `modules` as seen by another interpreter (None if absent)."""
    code = (
        "import json, sys, importlib.metadata as m\n"
        "v = {'python': sys.version.split()[0]}\n"
        f"for name in {modules!r}:\n"
        "    try: v[name] = m.version(name)\n"
        "    except Exception: v[name] = None\n"
        "try:\n"
        "    from gensim.models.word2vec_inner import FAST_VERSION\n"
        "    v['gensim_FAST_VERSION'] = FAST_VERSION\n"
        "except Exception: pass\n"
        "print(json.dumps(v))\n")
    try:
        r = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120,
                           cwd=peers.REPO_ROOT)
        return json.loads(r.stdout)
    except Exception as e:  # a broken interpreter must not stop the benchmark
        return {"error": repr(e)}


def machine_info(args):
    """What someone needs to read the numbers: CPU, cores, memory, load, versions."""
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    w2v = Path(args.word2vec_bin)
    info = {
        "cpu_model": cpu,
        "logical_cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "mem_total_gb": round(mem_kb / 2**20, 1),
        "platform": platform.platform(),
        "loadavg_start": os.getloadavg(),
        "peers": _python_versions(args.peers_python,
                                  ["gensim", "fasttext", "word2vec", "numpy", "scipy", "psutil"]),
        "word2vec_binary": {"path": str(w2v),
                            "sha256": hashlib.sha256(w2v.read_bytes()).hexdigest() if w2v.exists() else None},
    }
    if {"fastemb", "fastemb_numba"} & set(args.tools):
        info["fastemb"] = _python_versions(args.fastemb_python, ["fastemb", "numpy"])
        info["fastemb"]["command"] = peers.fastemb_command(args.fastemb_python)
    return info


def evaluate(python, vectors):
    """Run peers.evaluate_vectors() in `python` (which must have gensim)."""
    r = subprocess.run([python, str(Path(peers.__file__).resolve()), "evaluate", vectors],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return {"eval_error": r.stderr[-2000:]}
    return json.loads(r.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------
# Summary table
# --------------------------------------------------------------------------

COLUMNS = [  # (header, key in a run's record, format of one number)
    ("train words/s", "train_words_per_s", lambda x: f"{x / 1e3:,.0f}k"),
    ("wall s", "wall_s", lambda x: f"{x:.2f}"),
    ("peak RSS MB", "peak_rss_mb", lambda x: f"{x:,.0f}"),
    ("analogy %", "analogy_pct", lambda x: f"{x:.2f}"),
    ("WS353 ρ", "ws353_spearman", lambda x: f"{x:.3f}"),
]


def _values(runs, key):
    return [r[key] for r in runs if r.get(key) is not None]


def _cell(values, fmt):
    """median [min–max], or the single value when there is one run."""
    if not values:
        return "–"
    med = statistics.median(values)
    if len(values) == 1:
        return fmt(med)
    return f"{fmt(med)} [{fmt(min(values))}–{fmt(max(values))}]"


def summary_table(results, tools, baseline):
    """Markdown table; ratios are of medians, relative to `baseline`."""
    by_tool = {t: [r for r in results if r["tool"] == t and r["ok"]] for t in tools}
    med = {t: {k: statistics.median(_values(by_tool[t], k)) if _values(by_tool[t], k) else None
               for _, k, _ in COLUMNS} for t in tools}
    base = med.get(baseline, {})
    head = (["tool", "ok runs"] + [h for h, _, _ in COLUMNS]
            + [f"speed ÷ {baseline}", f"wall ÷ {baseline}", "tool's own speed"])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for t in tools:
        runs = by_tool[t]
        row = [t, f"{len(runs)}/{sum(r['tool'] == t for r in results)}"]
        row += [_cell(_values(runs, k), fmt) for _, k, fmt in COLUMNS]
        for key in ("train_words_per_s", "wall_s"):
            a, b = med[t][key], base.get(key)
            row.append(f"{a / b:.2f}" if a and b else "–")
        own = [r["tool_speed"] for r in runs if r.get("tool_speed")]
        row.append(f"{statistics.median(o['value'] for o in own) / 1e3:,.0f}k {own[0]['short']}"
                   if own else "–")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


# --------------------------------------------------------------------------


def portable_json(report) -> str:
    """The report as JSON, with absolute paths made relative to the repository, so
    that results from different machines read alike."""
    root = str(Path(__file__).resolve().parent.parent)
    parent = os.path.dirname(root)
    text = json.dumps(report, indent=1)
    return text.replace(root + "/", "").replace(parent + "/", "../")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--tools", default="fastemb,word2vec_c,gensim,fasttext",
                    help="comma-separated, from: " + ",".join(peers.RUNNERS))
    ap.add_argument("--model", choices=["skipgram", "cbow"], default="skipgram")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--window", type=int, default=5)
    ap.add_argument("--negative", type=int, default=5)
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--sample", type=float, default=1e-3)
    ap.add_argument("--alpha", type=float, default=None,
                    help="default 0.025 for skipgram, 0.05 for cbow (word2vec.c's)")
    ap.add_argument("--fastemb-python", default=sys.executable,
                    help="Python whose environment has fastemb")
    ap.add_argument("--peers-python", default=sys.executable,
                    help="Python whose environment has gensim, fasttext and the word2vec binary")
    ap.add_argument("--eval-python", default=None, help="Python that runs evaluate_vectors "
                    "(default: --peers-python)")
    ap.add_argument("--word2vec-bin", default=None, help="default: `word2vec` beside --peers-python")
    ap.add_argument("--baseline", default="fastemb", help="tool the ratios are relative to")
    ap.add_argument("--workdir", default=None, help="where vectors are written (default: a new temp dir)")
    ap.add_argument("--keep-vectors", action="store_true")
    ap.add_argument("--out", default=None, help="JSON with all raw figures (default: in --workdir)")
    args = ap.parse_args(argv)

    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(args.tools) - set(peers.RUNNERS)
    if unknown:
        ap.error(f"unknown tools: {sorted(unknown)}")
    if args.baseline not in args.tools:
        args.baseline = args.tools[0]
    args.eval_python = args.eval_python or args.peers_python
    args.word2vec_bin = args.word2vec_bin or peers.default_word2vec_binary(args.peers_python)
    corpus = os.path.abspath(args.corpus)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="fastemb-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    out_json = Path(args.out or workdir / "results.json")

    s = peers.Settings(model=args.model, dim=args.dim, window=args.window, negative=args.negative,
                       min_count=args.min_count, sample=args.sample, epochs=args.epochs,
                       alpha=args.alpha, threads=args.threads)
    t = time.perf_counter()
    n_words = count_words(corpus)
    print(f"corpus: {corpus}: {n_words:,} words (counted in {time.perf_counter() - t:.1f}s)",
          file=sys.stderr)

    report = {
        "started": datetime.datetime.now().isoformat(timespec="seconds"),
        "corpus": {"path": corpus, "bytes": os.path.getsize(corpus), "words": n_words},
        "settings": dataclasses.asdict(s),
        "tools": args.tools, "repeats": args.repeats, "baseline": args.baseline,
        "machine": machine_info(args),
        "runs": [],
    }
    # How to call each runner: only the Python / binary differs.
    extra = {"fastemb": {"python": args.fastemb_python}, "fastemb_numba": {"python": args.fastemb_python},
             "word2vec_c": {"binary": args.word2vec_bin},
             "gensim": {"python": args.peers_python}, "fasttext": {"python": args.peers_python}}

    for rep in range(args.repeats):
        for tool in args.tools:  # alternate tools within each repeat
            vectors = str(workdir / f"{tool}-{rep}.txt")
            try:
                r = peers.RUNNERS[tool](corpus, vectors, s, **extra[tool])
            except OSError as e:  # e.g. a wrong --fastemb-python: record it, go on
                r = {"tool": tool, "ok": False, "returncode": None, "stderr_tail": repr(e)}
            r["repeat"] = rep
            r["loadavg_after"] = os.getloadavg()
            if r.get("train_s"):
                # Same numerator for every tool: raw corpus words x epochs.
                r["train_words_per_s"] = n_words * s.epochs / r["train_s"]
            if r["ok"]:
                r.update(evaluate(args.eval_python, vectors))
            if not args.keep_vectors:
                Path(vectors).unlink(missing_ok=True)
            report["runs"].append(r)
            out_json.write_text(portable_json(report))
            print(f"[{rep + 1}/{args.repeats}] {tool}: "
                  + (f"train {r['train_s']:.2f}s, wall {r['wall_s']:.2f}s, "
                     f"RSS {r['peak_rss_mb']:.0f}MB, analogy {r.get('analogy_pct', float('nan')):.2f}%"
                     if r["ok"] else f"FAILED (rc={r['returncode']}): {r.get('stderr_tail', '')[-300:]}"),
                  file=sys.stderr)

    table = summary_table(report["runs"], args.tools, args.baseline)
    report["machine"]["loadavg_end"] = os.getloadavg()
    report["table_markdown"] = table
    out_json.write_text(portable_json(report))
    print(f"\n{args.model}, dim {s.dim}, window {s.window}, negative {s.negative}, "
          f"min-count {s.min_count}, sample {s.sample:g}, alpha {s.alpha:g}, epochs {s.epochs}, "
          f"threads {s.threads}; {n_words:,} words; {args.repeats} repeat(s); "
          f"median [min–max]\n")
    print(table)
    print(f"\nraw figures: {out_json}", file=sys.stderr)


if __name__ == "__main__":
    main()
