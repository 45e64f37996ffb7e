"""Data-parallel training measured: one process against Ray workers against the simulation at N workers.

    python -m bench --distributed                 # the grid below on the 100 MB corpus, 3 epochs, skip-gram
    python -m bench --distributed --quick         # a smoke test on text8-prefix, 1 epoch
    python -m bench.distributed --help

Rows, in this order (each in a fresh process; the grid stops starting rows
once --budget-minutes is spent, and the report says which did not run):

* ``single``: one process, 2 threads (today's trainer, workers=1);
* ``ray``: 2 Ray workers of 1 thread each on a local cluster, merging every
  --sync-words words per worker (default 1M);
* ``sim``: the deterministic simulation (virtual workers one after another in
  one process, 1 thread) at N = 2, 4, 8, 16 and each sync interval
  (words per worker between merges; ``epoch`` = one merge per epoch, Spark
  MLlib's schedule, run in the same code).

Each row's vectors are scored as bench/quality.py scores them (analogy among
the 30,000 most frequent words, WS353, SimLex). Per row: training words/s,
bytes moved per round, and the sync's share of a round. From the measured
per-core speed and the Ray row's sync cost, a PROJECTION (labelled so) of the
wall time on N nodes. Writes bench/results/<date>-distributed.json, .md and
-distributed-quality.png (analogy against N, one line per sync interval).
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.quality import ANALOGIES, PAIRS, RESTRICT_VOCAB  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPORA = REPO_ROOT.parent / "shared" / "corpora"
RESULTS = REPO_ROOT / "bench" / "results"
DEFAULT_LABEL = "momentum (default)"  # how the results label fastemb's default merge rule
EPOCH = 10**12  # sync_words that never ends a round inside an epoch: one merge per epoch
SYNC_NAMES = {250_000: "0.25M", 1_000_000: "1M", 4_000_000: "4M", EPOCH: "epoch"}
NETWORK_BYTES_PER_S = 1e9  # assumed for the projection only (10 GbE at ~80%)


def default_row(kind, n):
    """fastemb's defaults at n workers: the "momentum" merge, its hot rows, default_sync_words(n) words per worker."""
    from fastemb.distributed import HOT_ROWS
    from fastemb.rounds import default_hot_splits, default_sync_words

    return {"kind": kind, "workers": n, "threads": 1, "sync_words": default_sync_words(n), "rule": "momentum",
            "hot_rows": HOT_ROWS, "hot_splits": default_hot_splits(n)}


def plan(workers, syncs, ray_sync, rules=("mean",)):
    """Rows in priority order: the single process, 2 Ray workers and the
    simulation at each N with fastemb's defaults, then the comparisons: 2 Ray
    workers and the simulations merging by the mean (the --ray-sync interval
    first, then per epoch, then the other merge rules at that interval, then
    the other intervals)."""
    rows = [{"kind": "single", "workers": 1, "threads": 2}, default_row("ray", 2)]
    rows += [default_row("sim", n) for n in workers]
    rows.append({"kind": "ray", "workers": 2, "threads": 1, "sync_words": ray_sync, "rule": "mean"})
    ordered = [ray_sync] + [s for s in syncs if s != ray_sync]
    sims = [(ordered[0], "mean")] + [(s, "mean") for s in ordered[1:2]] + [(ray_sync, r) for r in rules
                                                                          if r != "mean"]
    sims += [(s, "mean") for s in ordered[2:]]
    for sync, rule in sims:
        for n in workers:
            rows.append({"kind": "sim", "workers": n, "threads": 1, "sync_words": sync, "rule": rule})
    return rows


def _row(spec):
    """A row from KIND:N:SYNC:RULE[:HOT_ROWS:HOT_SPLITS]."""
    kind, n, sync, rule, *hot = spec.split(":")
    if kind == "single":
        return {"kind": "single", "workers": 1, "threads": 2}
    row = {"kind": kind, "workers": int(n), "threads": 1, "sync_words": int(float(sync)) or EPOCH, "rule": rule}
    if hot:
        row.update(hot_rows=int(hot[0]), hot_splits=int(hot[1]))
    return row


def run_row(row, corpus, epochs, dim):
    """Train and score one row in this process; returns its figures."""
    import fastemb

    settings = dict(model="skipgram", dim=dim, epochs=epochs, threads=row["threads"], seed=1)
    model = fastemb.Model(**settings)
    started = time.perf_counter()
    if row["kind"] == "single":
        model.train(corpus, progress=False)
    else:  # _train_distributed: Model.train's path with workers > 1, which also takes the merge rule
        model._train_distributed(corpus, False, None, None, row["workers"],
                                 "simulate" if row["kind"] == "sim" else "auto", row["sync_words"],
                                 rule=row.get("rule", "mean"), hot_rows=row.get("hot_rows", 0),
                                 hot_splits=row.get("hot_splits", 1))
    wall = time.perf_counter() - started
    rounds = model.rounds
    training = sum(r.seconds for r in rounds) if rounds else model.stats.seconds
    kernel = sum(r.compute_seconds for r in rounds) if rounds else None
    result = dict(row, wall_seconds=wall, training_seconds=training, words=model.stats.words,
                  words_per_second=model.stats.words / training, vocab_size=len(model.vocab),
                  vocab_digest=_digest(model.vocab), loss=model.stats.loss)
    if rounds:
        result.update(rounds=len(rounds), kernel_seconds=kernel,
                      bytes_per_round=statistics.median(r.bytes for r in rounds),
                      sync_seconds=sum(r.sync_seconds for r in rounds),
                      sync_share_median=statistics.median(r.sync_seconds / r.seconds for r in rounds),
                      sync_share_max=max(r.sync_seconds / r.seconds for r in rounds),
                      rows_per_round=statistics.median(r.rows for r in rounds))
    wv = model.wv
    analogies = wv.evaluate_analogies(ANALOGIES, restrict_vocab=RESTRICT_VOCAB)
    result["analogy_pct"] = 100.0 * analogies["accuracy"]
    for name in ("ws353", "simlex"):
        result[f"{name}_spearman"] = wv.evaluate_word_pairs(PAIRS[name], restrict_vocab=None)["spearman"]
    return result


def _digest(vocab):
    import hashlib

    h = hashlib.sha256("\n".join(vocab.words).encode())
    h.update(vocab.counts.tobytes())
    return h.hexdigest()[:16]


def projection(results):
    """Wall seconds of the 3-epoch run on N nodes of 1 core, from measured parts
    (labelled a projection: no N-node cluster was run)."""
    rays = [r for r in results if r["kind"] == "ray" and "error" not in r]
    if not rays:
        return []
    out = []
    for row in results:
        if row["kind"] != "sim" or "error" in row:
            continue
        # the Ray row that merged as this row does, else one with its rule, else the first (then an estimate)
        same = [r for r in rays if _merging(r) == _merging(row) and r.get("sync_words") == row.get("sync_words")]
        alike = [r for r in rays if _merging(r) == _merging(row)]
        ray = (same or alike[-1:] or rays)[0]
        # kernel_seconds: the slowest worker's, summed over rounds; each worker trained its share of the words
        per_core = ray["words"] / (ray["workers"] * ray["kernel_seconds"])  # words/s of one 1-thread worker
        sync_per_round_2 = ray["sync_seconds"] / ray["rounds"]
        n = row["workers"]
        compute = row["words"] / (n * per_core)
        # the driver's merge grows with the workers it hears from; the bytes cross the network once each way
        sync = row["rounds"] * (sync_per_round_2 * n / 2 + row["bytes_per_round"] / NETWORK_BYTES_PER_S)
        out.append({"workers": n, "sync_words": row["sync_words"],
                    "rule": row.get("rule", "mean") + (f", top {row['hot_rows']} {row['hot_splits']}x"
                                                       if row.get("hot_rows") else ""),
                    "compute_seconds": compute,
                    "sync_seconds": sync, "wall_seconds": compute + sync, "sync_share": sync / (compute + sync)})
    return out


def _merging(row):
    """How a row merges: its rule (the default's label aside), hot rows and their merges a round."""
    return row.get("rule", "mean").removesuffix(" (default)"), row.get("hot_rows", 0), row.get("hot_splits", 1)


def markdown(report):
    lines = [f"# Data-parallel training, {report['date']}", "",
             f"Command: `{report['command']}`  ", f"Corpus: {report['corpus']} ({report['corpus_bytes']:,} bytes), "
             f"{report['epochs']} epochs, skip-gram, dim {report['dim']}, seed 1. Machine: {os.cpu_count()} cores "
             "shared with other work; one run per row (timings: a single sample, +-30%).", "",
             "| row | workers x threads | sync words/worker | merge | analogy % | WS353 | SimLex | training s | words/s | "
             "rounds | MB/round | sync share (median / all rounds / max) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in report["results"]:
        if "error" in r:
            rule = r.get("rule", "-") + (f", top {r['hot_rows']} rows {r['hot_splits']}x" if r.get("hot_rows") else "")
            lines.append(f"| {r['kind']} | {r['workers']} x {r['threads']} | "
                         f"{SYNC_NAMES.get(r.get('sync_words'), r.get('sync_words'))} | {rule} "
                         f"| failed: {r['error'][:80]} |")
            continue
        sync = SYNC_NAMES.get(r.get("sync_words"), f"{r.get('sync_words', 0):,}")
        rounds = (f"{r['rounds']} | {r['bytes_per_round'] / 1e6:.1f} | "
                  f"{100 * r['sync_share_median']:.1f}% / {100 * r['sync_seconds'] / r['training_seconds']:.1f}% / "
                  f"{100 * r['sync_share_max']:.1f}%") if "rounds" in r \
            else "- | - | -"
        rule = r.get("rule", "-") + (f", top {r['hot_rows']} rows {r['hot_splits']}x" if r.get("hot_rows") else "")
        lines.append(f"| {r['kind']} | {r['workers']} x {r['threads']} | {sync or '-'} | {rule} | "
                     f"{r['analogy_pct']:.2f} | "
                     f"{r['ws353_spearman']:.3f} | {r['simlex_spearman']:.3f} | {r['training_seconds']:.1f} | "
                     f"{r['words_per_second']:,.0f} | {rounds} |")
    if report["not_run"]:
        lines += ["", "Not run (time budget): " + ", ".join(
            f"{r['kind']} N={r['workers']} sync={SYNC_NAMES.get(r.get('sync_words'), '')} {r.get('rule', '')}"
            for r in report["not_run"])]
    added = list(dict.fromkeys(r["added_by"] for r in report["results"] if r.get("added_by")))
    if added:
        lines += ["", "Rows after the grid were measured by:", ""] + [f"- `{command}`" for command in added]
    lines += ["", "Simulation rows: sync share is the non-kernel part of a round run one worker after another "
              "(delta extraction and apply for every worker, plus the merge), not a cluster's.", ""]
    if report["projection"]:
        lines += ["## PROJECTION (not measured): wall time on N one-core nodes", "",
                  "compute = words / (N x the Ray row's per-core words/s); sync per round = the Ray row's measured "
                  f"sync per round x N/2 + bytes per round / {NETWORK_BYTES_PER_S / 1e9:g} GB/s (an assumed "
                  "network).", "", "| N | sync words/worker | merge | compute s | sync s | wall s | sync share |",
                  "|---|---|---|---|---|---|---|"]
        for p in report["projection"]:
            lines.append(f"| {p['workers']} | {SYNC_NAMES.get(p['sync_words'], p['sync_words'])} | {p['rule']} | "
                         f"{p['compute_seconds']:.1f} | {p['sync_seconds']:.1f} | {p['wall_seconds']:.1f} | "
                         f"{100 * p['sync_share']:.1f}% |")
    return "\n".join(lines) + "\n"


def plot(report, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 4.5))
    single = next((r for r in report["results"] if r["kind"] == "single" and "error" not in r), None)
    sims = [r for r in report["results"] if r["kind"] == "sim" and "error" not in r]
    def line(r):  # one line per sync interval and merge, the default's label kept
        return (r["sync_words"], r.get("rule", "mean"), *_merging(r)[1:])

    for sync, rule, hot, splits in sorted({line(r) for r in sims}):
        points = sorted((r["workers"], r["analogy_pct"]) for r in sims if line(r) == (sync, rule, hot, splits))
        if len(points) < 2 or rule.startswith(DEFAULT_LABEL):  # single experiments: in the table only
            continue
        extra = f", top {hot} rows {splits}x" if hot else ""
        ax.plot(*zip(*points), marker="o" if not hot else "s", linestyle="-" if rule == "mean" else ":",
                label=f"simulation, {rule}{extra} every {SYNC_NAMES.get(sync, sync)} words/worker")
    best = {}  # the default rule: its best measured row at each N, labelled with its sync words per worker
    for r in sims:
        if r.get("rule", "").startswith(DEFAULT_LABEL) and r["analogy_pct"] > best.get(r["workers"], {}).get(
                "analogy_pct", -1):
            best[r["workers"]] = r
    if best:
        rows = [best[n] for n in sorted(best)]
        ax.plot([r["workers"] for r in rows], [r["analogy_pct"] for r in rows], "r-o", linewidth=2,
                label="simulation, momentum (the default), best rounds measured")
        for r in rows:
            ax.annotate(f"{r['sync_words']:,} words/worker", (r["workers"], r["analogy_pct"]), fontsize=7,
                        textcoords="offset points", xytext=(4, -10))
    ray = [r for r in report["results"] if r["kind"] == "ray" and "error" not in r]
    if ray:
        ax.plot([r["workers"] for r in ray], [r["analogy_pct"] for r in ray], "k*", markersize=12,
                label="2 Ray workers x 1 thread (every rule measured)")
    if single:
        ax.axhline(single["analogy_pct"], color="grey", linestyle="--", label="one process, 2 threads")
        ax.axhspan(single["analogy_pct"] - 1, single["analogy_pct"] + 1, color="grey", alpha=0.15)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("workers N")
    ax.set_ylabel("analogy accuracy, %")
    ax.set_title(f"Quality against workers ({report['epochs']} epochs, {report['date']})")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))  # beside the axes: the lines stay visible
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench --distributed", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="text8-prefix.txt, 1 epoch, N = 2, 4; sync 1M and epoch")
    ap.add_argument("--corpus")
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--workers", help="simulated N, comma-separated (default 2,4,8,16)")
    ap.add_argument("--syncs", help="words per worker between merges, comma-separated; 0 = per epoch "
                                    "(default 1e6,0,2.5e5,4e6)")
    ap.add_argument("--ray-sync", type=float, default=1e6)
    ap.add_argument("--rules", default="mean,sum",
                    help="merge rules simulated at --ray-sync (fastemb.row_merge.RULES; default %(default)s)")
    ap.add_argument("--rows", help="only these rows, comma-separated KIND:N:SYNC:RULE (sim:16:62500:hybrid, "
                                   "ray:2:1e6:mean, single:1:0:-), instead of the grid")
    ap.add_argument("--budget-minutes", type=float, default=60.0)
    ap.add_argument("--name", default="distributed")
    ap.add_argument("--date", default=datetime.date.today().isoformat())
    ap.add_argument("--replot", metavar="JSON", help="only rewrite the Markdown, projection and plot of a results JSON")
    ap.add_argument("--add", metavar="JSON", nargs="*", default=[],
                    help="with --replot: rows measured by --rows runs (their JSON files) to add to the report")
    ap.add_argument("--run", help=argparse.SUPPRESS)  # one row, as JSON: what each child process does
    a = ap.parse_args(argv)
    if a.replot:
        report = json.loads(Path(a.replot).read_text())
        for extra in a.add:
            more = json.loads(Path(extra).read_text())
            report["results"] += [dict(r, added_by=more["command"]) for r in more["results"]]
        report["projection"] = projection(report["results"])
        base = Path(a.replot).with_suffix("")
        Path(f"{base}.json").write_text(json.dumps(report, indent=1) + "\n")
        Path(f"{base}.md").write_text(markdown(report))
        plot(report, f"{base}-quality.png")
        return 0
    if a.run:
        row = json.loads(a.run)
        print(json.dumps(run_row(row["row"], row["corpus"], row["epochs"], row["dim"])))
        return 0
    corpus = a.corpus or str(CORPORA / ("text8-prefix.txt" if a.quick else "enwiki-text8style-1e8.txt"))
    epochs = a.epochs or (1 if a.quick else 3)
    workers = [int(n) for n in (a.workers or ("2,4" if a.quick else "2,4,8,16")).split(",")]
    syncs = [int(float(s)) or EPOCH for s in (a.syncs or ("1e6,0" if a.quick else "1e6,0,2.5e5,4e6")).split(",")]
    rows = plan(workers, syncs, int(a.ray_sync), [r for r in a.rules.split(",") if r])
    if a.rows:
        rows = [_row(spec) for spec in a.rows.split(",") if spec]
    results, not_run, began = [], [], time.monotonic()
    given = sys.argv[1:] if argv is None else argv
    command = "python -m bench --distributed" + "".join(f" {arg}" for arg in given if arg != "--distributed")
    for i, row in enumerate(rows):
        if a.budget_minutes and time.monotonic() - began > 60 * a.budget_minutes:
            not_run = rows[i:]
            break
        print(f"[{i + 1}/{len(rows)}] {row}", file=sys.stderr, flush=True)
        child = subprocess.run([sys.executable, "-m", "bench.distributed", "--run",
                                json.dumps({"row": row, "corpus": corpus, "epochs": epochs, "dim": a.dim})],
                               capture_output=True, text=True, cwd=REPO_ROOT)
        if child.returncode == 0:
            results.append(json.loads(child.stdout.strip().splitlines()[-1]))
            r = results[-1]
            print(f"    analogy {r['analogy_pct']:.2f}%  {r['training_seconds']:.1f} s", file=sys.stderr, flush=True)
        else:
            results.append(dict(row, error=child.stderr.strip().splitlines()[-1] if child.stderr.strip() else "?"))
            print(f"    failed: {results[-1]['error']}", file=sys.stderr, flush=True)
        _write(a, corpus, epochs, command, results, rows[i + 1:])
    report = _write(a, corpus, epochs, command, results, not_run)
    print((RESULTS / f"{a.date}-{a.name}.md").read_text())
    return 0 if report else 1


def _write(a, corpus, epochs, command, results, not_run):
    """Write the JSON, Markdown and plot for the rows measured so far (a run cut short keeps them)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {"date": a.date, "command": command, "corpus": os.path.basename(corpus),
              "corpus_bytes": os.path.getsize(corpus), "epochs": epochs, "dim": a.dim, "results": results,
              "not_run": not_run, "projection": projection(results)}
    base = RESULTS / f"{a.date}-{a.name}"
    Path(f"{base}.json").write_text(json.dumps(report, indent=1) + "\n")
    Path(f"{base}.md").write_text(markdown(report))
    try:
        plot(report, f"{base}-quality.png")
    except ImportError:
        pass
    return report


if __name__ == "__main__":
    sys.exit(main())
