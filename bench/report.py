"""Summaries of the raw runs: median [min–max], ratios, and the Markdown report.

The summary is computed from the runs alone (`summarize`), stored in the JSON
beside them, and rendered to Markdown (`markdown`); the plots read the same
summary. Ratios are of medians. "Peers" are every row that is not fastemb;
the quality bar is the better of word2vec.c and gensim's iterable mode
(runners.QUALITY_REFERENCE), not gensim's corpus_file mode, whose learning
rate does not decay fully with several workers.
"""

import json
import os
import statistics
from pathlib import Path

from bench.quality import ALL_PAIRS, PAIRS
from bench.runners import QUALITY_REFERENCE, ROWS

BASELINE = "fastemb"
# key in a run's record -> (table header, format of one number)
METRICS = {
    "train_words_per_s": ("train words/s", lambda x: f"{x / 1e3:,.0f}k"),
    "wall_s": ("wall s", lambda x: f"{x:.1f}"),
    "peak_rss_mb": ("peak RSS MB", lambda x: f"{x:,.0f}"),
    "analogy_pct": ("analogy %", lambda x: f"{x:.2f}"),
    "ws353_spearman": ("WS353 ρ", lambda x: f"{x:.3f}"),
    "simlex_spearman": ("SimLex ρ", lambda x: f"{x:.3f}"),
    "men_spearman": ("MEN ρ", lambda x: f"{x:.3f}"),
    "rw_spearman": ("RW ρ", lambda x: f"{x:.3f}"),
    "rw_all_spearman": ("RW all pairs ρ", lambda x: f"{x:.3f}"),
}
QUALITY = ["analogy_pct"] + [f"{name}_spearman" for name in PAIRS] + [f"{name}_all_spearman" for name in ALL_PAIRS]
MODEL_TITLES = {"skipgram": "Skip-gram", "cbow": "CBOW"}


def table_key(model, dim, first_dim):
    """A main table's key in the summary: the model's name at the run's first
    dimension (as in runs before there were several), "<model>-dim<D>" at others."""
    return model if dim == first_dim else f"{model}-dim{dim}"


def title(key):
    """A main table's title from its key: "Skip-gram", "Skip-gram, dim 300"."""
    model, _, dim = key.partition("-dim")
    return MODEL_TITLES[model] + (f", dim {dim}" if dim else "")


def plan_dims(report):
    """The run's dimensions; [None] (any) for results from before --dims, which had one."""
    return report["plan"].get("dims") or [None]


def stats(values):
    """median, min, max and count of the non-missing values, or None."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def shown_quality(tools):
    """The QUALITY keys some tool of a summary has a figure for (the all-pairs
    scores only exist for subword rows): the columns and panels to show."""
    return [key for key in QUALITY if any((s.get(key) or {}).get("median") is not None for s in tools.values())]


def _median(summary, tool, key):
    s = summary.get(tool, {}).get(key)
    return s["median"] if s else None


def _ratio(a, b):
    return a / b if a is not None and b else None


# --------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------


def summarize_main(runs, model, tools, dim=None):
    """Per tool: stats of every metric over its successful main runs of `model`
    (at `dim`, where given; a run without a dim counts as any)."""
    out = {}
    for tool in tools:
        mine = [r for r in runs if r["suite"] == "main" and r["model"] == model and r["tool"] == tool
                and _at(r, dim)]
        if not mine:
            continue
        ok = [r for r in mine if r.get("ok")]
        out[tool] = {key: stats([r.get(key) for r in ok]) for key in METRICS}
        out[tool]["runs"] = f"{len(ok)}/{len(mine)}"
        own = [r["tool_speed"] for r in ok if r.get("tool_speed")]
        if own:
            out[tool]["tool_speed"] = {"median": statistics.median(o["value"] for o in own),
                                       "unit": own[0]["unit"], "short": own[0]["short"]}
        raw = [r["raw_words_trained"] for r in ok if r.get("raw_words_trained")]
        if raw:
            out[tool]["raw_words_trained"] = statistics.median(raw)
    return out


def headline(summary):
    """The figures fastemb's goals are stated in: against the fastest and
    leanest peer and the quality bar, and the Numba backend against Cython."""
    peers = [t for t in summary if not ROWS[t].fastemb]
    h = subword_headline(summary)
    if BASELINE not in summary or not peers:
        return h

    def best(key, pick, among):
        found = [(_median(summary, t, key), t) for t in among if _median(summary, t, key) is not None]
        return pick(found) if found else (None, None)

    speed, fastest = best("train_words_per_s", max, peers)
    wall, quickest = best("wall_s", min, peers)
    rss, leanest = best("peak_rss_mb", min, peers)
    h["speed_vs_fastest_peer"] = {"peer": fastest, "ratio": _ratio(_median(summary, BASELINE, "train_words_per_s"), speed)}
    h["wall_vs_quickest_peer"] = {"peer": quickest, "ratio": _ratio(_median(summary, BASELINE, "wall_s"), wall)}
    h["rss_vs_leanest_peer"] = {"peer": leanest, "ratio": _ratio(_median(summary, BASELINE, "peak_rss_mb"), rss)}
    reference = [t for t in QUALITY_REFERENCE if t in summary]
    h["quality_reference"] = reference
    for key in QUALITY:
        bar, by = best(key, max, reference)
        ours = _median(summary, BASELINE, key)
        h[f"{key}_vs_reference"] = {"peer": by, "difference": ours - bar if None not in (ours, bar) else None}
    for tool in [t for t in summary if ROWS[t].fastemb and t != BASELINE]:
        a, b = _median(summary, tool, "analogy_pct"), _median(summary, BASELINE, "analogy_pct")
        h[f"{tool}_vs_{BASELINE}"] = {
            "speed_ratio": _ratio(_median(summary, tool, "train_words_per_s"),
                                  _median(summary, BASELINE, "train_words_per_s")),
            "analogy_difference": a - b if None not in (a, b) else None}
    return h


SUBWORD_PAIR = ("fastemb_subword", "fasttext_subword")


def subword_headline(summary):
    """fastemb's subword row against fastText's (both n-grams 3..6): words/s ratio
    and the differences in every quality figure. Empty unless both ran."""
    ours, theirs = SUBWORD_PAIR
    if ours not in summary or theirs not in summary:
        return {}
    entry = {"speed_ratio": _ratio(_median(summary, ours, "train_words_per_s"),
                                   _median(summary, theirs, "train_words_per_s"))}
    for key in QUALITY:
        a, b = _median(summary, ours, key), _median(summary, theirs, key)
        entry[f"{key}_difference"] = a - b if None not in (a, b) else None
    return {"subword_vs_fasttext": entry}


def _at(run, dim):
    return dim is None or run.get("dim", dim) == dim


def summarize_scaling(runs, main_summary, full_bytes, tools, dim=None):
    """Thread scaling (words/s at 1 and more threads on one prefix) and size
    scaling (wall and words/s per prefix, the full corpus from the main runs)."""
    scaling = [r for r in runs if r["suite"] == "scaling" and r.get("ok")]
    sizes = sorted({r["corpus_bytes"] for r in scaling} | {full_bytes})
    threads = sorted({r["threads"] for r in runs if r.get("ok")})
    size = {}
    for tool in tools:
        points = {}
        for b in sizes:
            if b == full_bytes:
                main = main_summary.get(tool, {})
                if main.get("wall_s"):
                    points[b] = {"wall_s": main["wall_s"]["median"], "words": main.get("words"),
                                 "train_words_per_s": main["train_words_per_s"]["median"], "from": "main runs (median)"}
                continue
            found = [r for r in scaling if r["tool"] == tool and r["corpus_bytes"] == b
                     and r["threads"] == max(threads)]
            if found:
                points[b] = {k: statistics.median(r[k] for r in found) for k in ("wall_s", "train_words_per_s", "words")}
        if points:
            size[tool] = points
    return {"size": size, "threads": summarize_threads(runs, max(threads), dim)}


def summarize_threads(runs, most, dim=None):
    """Median skip-gram words/s of each row at 1 thread and at ``most`` threads on
    the same corpus size (scaling runs, and the main runs for the whole corpus)."""
    ok = [r for r in runs if r.get("ok") and r["model"] == "skipgram" and r.get("train_words_per_s") and _at(r, dim)]
    thread = {}
    for tool in dict.fromkeys(r["tool"] for r in ok if r["suite"] == "scaling" and r["threads"] < most):
        few = [r for r in ok if r["suite"] == "scaling" and r["tool"] == tool and r["threads"] < most]
        b = few[0]["corpus_bytes"]
        entry = thread[tool] = {"corpus_bytes": b, "words_per_s": {}}
        entry["words_per_s"][few[0]["threads"]] = statistics.median(r["train_words_per_s"] for r in few)
        many = [r["train_words_per_s"] for r in ok if r["tool"] == tool and r["corpus_bytes"] == b
                and r["threads"] == most]
        if many:
            entry["words_per_s"][most] = statistics.median(many)
            entry["speedup"] = entry["words_per_s"][most] / entry["words_per_s"][few[0]["threads"]]
    return thread


def summarize(report):
    """Everything the tables and plots show, from report['runs']."""
    runs, tools = report["runs"], report["plan"]["tools"]
    out = {"models": {}}
    dims = plan_dims(report)
    for dim in dims:
        for model in report["plan"]["models"]:
            s = summarize_main(runs, model, [t for t in tools if model in ROWS[t].models], dim)
            for tool, words in _main_words(runs, model, dim).items():
                if tool in s:
                    s[tool]["words"] = words
            out["models"][table_key(model, dim, dims[0])] = {"tools": s, "headline": headline(s)}
    main_sg = out["models"].get("skipgram", {}).get("tools", {})
    out["scaling"] = summarize_scaling(runs, main_sg, report["corpus"]["bytes"], report["plan"]["scaling_tools"],
                                       dims[0])
    return out


def _main_words(runs, model, dim=None):
    return {r["tool"]: r["words"] for r in runs if r["suite"] == "main" and r["model"] == model and _at(r, dim)}


# --------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------


def _cell(s, fmt):
    """median [min–max], or the single value when there is one run."""
    if not s:
        return "–"
    if s["n"] == 1:
        return fmt(s["median"])
    return f"{fmt(s['median'])} [{fmt(s['min'])}–{fmt(s['max'])}]"


def _x(r):
    return f"{r:.2f}×" if r is not None else "–"


def main_table(summary):
    """One row per tool: the metrics, their ratios to fastemb, the tool's own speed."""
    head = ["tool", "ok runs", "train words/s", f"÷ {BASELINE}", "wall s", f"÷ {BASELINE}",
            "peak RSS MB", f"÷ {BASELINE}"] + [METRICS[k][0] for k in shown_quality(summary)] + ["tool's own speed"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for tool, s in summary.items():
        row = [ROWS[tool].label, s["runs"]]
        for key in ("train_words_per_s", "wall_s", "peak_rss_mb"):
            row += [_cell(s[key], METRICS[key][1]), _x(_ratio(_median(summary, tool, key),
                                                             _median(summary, BASELINE, key)))]
        row += [_cell(s[key], METRICS[key][1]) for key in shown_quality(summary)]
        own = s.get("tool_speed")
        row.append(f"{own['median'] / 1e3:,.0f}k {own['short']}" if own else "–")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def headline_lines(h):
    """The headline as a few sentences."""
    if not h:
        return []
    f = lambda v, fmt: fmt.format(v) if v is not None else "–"  # noqa: E731
    lines = []
    sub = h.get("subword_vs_fasttext")
    if sub:
        lines.append(
            f"- {SUBWORD_PAIR[0]} ÷ {SUBWORD_PAIR[1]}: training words/s **{f(sub['speed_ratio'], '{:.2f}×')}**; "
            + ", ".join(f"{METRICS[k][0]} {f(sub[f'{k}_difference'], '{:+.3f}' if k != 'analogy_pct' else '{:+.2f} points')}"
                        for k in QUALITY if sub[f"{k}_difference"] is not None) + ".")
    if "speed_vs_fastest_peer" not in h:
        return lines
    lines += [
        f"- {BASELINE} training words/s ÷ fastest peer ({h['speed_vs_fastest_peer']['peer']}): "
        f"**{f(h['speed_vs_fastest_peer']['ratio'], '{:.2f}×')}**; wall ÷ quickest peer "
        f"({h['wall_vs_quickest_peer']['peer']}): **{f(h['wall_vs_quickest_peer']['ratio'], '{:.2f}×')}**; "
        f"peak RSS ÷ leanest peer ({h['rss_vs_leanest_peer']['peer']}): "
        f"**{f(h['rss_vs_leanest_peer']['ratio'], '{:.2f}×')}**.",
        f"- {BASELINE} quality minus the better of {' and '.join(h['quality_reference'])}: "
        + ", ".join(f"{METRICS[k][0]} {f(h[f'{k}_vs_reference']['difference'], '{:+.3f}' if k != 'analogy_pct' else '{:+.2f} points')}"
                    for k in QUALITY if h[f"{k}_vs_reference"]["difference"] is not None) + ".",
    ]
    for key, v in h.items():
        if key.endswith(f"_vs_{BASELINE}"):
            lines.append(f"- {key[:-len(BASELINE) - 4]} ÷ {BASELINE}: words/s {f(v['speed_ratio'], '{:.2f}×')}, "
                         f"analogy {f(v['analogy_difference'], '{:+.2f}')} points.")
    return lines


def raw_words_line(summary):
    """gensim's own count of the corpus words it trained on, beside the corpus's
    count: the check that corpus_file mode saw every word (see runners)."""
    seen = {t: s["raw_words_trained"] for t, s in summary.items() if s.get("raw_words_trained")}
    if not seen:
        return []
    words = next(s.get("words") for s in summary.values() if s.get("words"))
    return [f"- Words gensim says it trained on (\"training on N raw words\"), of {words:,} in the corpus: "
            + ", ".join(f"{t} {n:,.0f}" for t, n in seen.items()) + "."]


def _bytes(b):
    return f"{b:.0e}".replace("e+0", "e") + " B"


def scaling_tables(scaling, report_bytes):
    """Thread scaling and corpus-size scaling, as two Markdown tables."""
    out = []
    if scaling["threads"]:
        any_entry = next(iter(scaling["threads"].values()))
        counts = sorted({t for e in scaling["threads"].values() for t in e["words_per_s"]})
        where = ("the whole corpus" if any_entry["corpus_bytes"] >= report_bytes
                 else f"{_bytes(any_entry['corpus_bytes'])} prefix")
        out += [f"Thread scaling (skip-gram, {where}; medians of the 1-thread runs and of the "
                "runs at more threads): training words/s",
                "", "| tool | " + " | ".join(f"{t} thread{'s' * (t > 1)}" for t in counts) + " | speed-up |",
                "|---|" + "---|" * (len(counts) + 1)]
        for tool, e in scaling["threads"].items():
            cells = [f"{e['words_per_s'][t] / 1e3:,.0f}k" if t in e["words_per_s"] else "–" for t in counts]
            out.append(f"| {ROWS[tool].label} | " + " | ".join(cells) + f" | {_x(e.get('speedup'))} |")
        out.append("")
    if scaling["size"]:
        sizes = sorted({b for points in scaling["size"].values() for b in points})
        out += ["Corpus-size scaling (skip-gram, prefixes cut at a space; the full corpus is the main runs' "
                "median, the prefixes one run each): wall seconds end to end (training words/s)",
                "", "| tool | " + " | ".join(_bytes(b) for b in sizes) + " | wall per word, largest ÷ smallest |",
                "|---|" + "---|" * (len(sizes) + 1)]
        for tool, points in scaling["size"].items():
            cells = [f"{points[b]['wall_s']:.1f} ({points[b]['train_words_per_s'] / 1e3:,.0f}k)" if b in points else "–"
                     for b in sizes]
            ends = [points[b] for b in sizes if b in points and points[b].get("words")]
            growth = (_ratio(ends[-1]["wall_s"] / ends[-1]["words"], ends[0]["wall_s"] / ends[0]["words"])
                      if len(ends) > 1 else None)
            out.append(f"| {ROWS[tool].label} | " + " | ".join(cells) + f" | {_x(growth)} |")
    return out


def markdown(report, plots):
    """The whole Markdown report; `plots` maps a plot's kind to its file name."""
    c, m, p = report["corpus"], report["machine"], report["plan"]
    peers = m.get("peers", {})
    fe = m.get("fastemb", {})
    s0 = next(iter(report["settings"].values()))
    lines = [
        f"# fastemb bench: {report['name']} ({report['started'][:10]})", "",
        "```", report["command"], "```", "",
        f"- Machine: {m['cpu_model']}, {m['cpus_usable']} usable CPUs, {m['mem_total_gb']} GB; "
        f"load average {m['loadavg_start'][0]:.2f} at the start, {m.get('loadavg_end', [float('nan')])[0]:.2f} at the end.",
        f"- Corpus: `{c['path']}`, {c['bytes']:,} bytes, {c['words']:,} words.",
        f"- Settings: dim {', '.join(str(d or s0['dim']) for d in plan_dims(report))}, window {s0['window']}, negative {s0['negative']}, min-count "
        f"{s0['min_count']}, sample {s0['sample']:g}, epochs {s0['epochs']}, threads {s0['threads']}; alpha "
        + ", ".join(f"{s['alpha']:g} {MODEL_TITLES[k]}" for k, s in report["settings"].items()) + ".",
        f"- Versions: fastemb {fe.get('fastemb')} (commit {str((fe.get('source') or {}).get('commit'))[:10]}"
        + (f", with uncommitted changes to {len(fe['source']['uncommitted'])} file(s)"
           if (fe.get("source") or {}).get("uncommitted") else "")
        + f"; kernel module {fe.get('fastemb_cython_module')}, numba {fe.get('numba')}), gensim {peers.get('gensim')}, "
        f"fasttext {peers.get('fasttext')}, word2vec {peers.get('word2vec')} (word2vec.c), "
        f"Python {peers.get('python')}.",
        f"- {p.get('repeats_done', p['repeats'])} repeat(s), the rows alternating (A B C … A B C …); median [min–max]; ratios are of medians. "
        f"Run took {report.get('duration_s', 0) / 60:.1f} min.",
        "",
    ]
    for model, data in report["summary"]["models"].items():
        lines += [f"## {title(model)}", "", main_table(data["tools"]), ""]
        lines += headline_lines(data["headline"]) + raw_words_line(data["tools"]) + [""]
    sc = scaling_tables(report["summary"]["scaling"], report["corpus"]["bytes"])
    if sc:
        lines += ["## Scaling", ""] + sc + [""]
    if plots:
        lines += ["## Plots", ""] + [f"![{kind}]({name})" for kind, name in plots.items()] + [""]
    lines += ["## Notes", ""] + [f"- {n}" for n in report["notes"]] + [""]
    return "\n".join(lines)


def portable(text):
    """`text` with absolute paths under the repository's parent made relative to
    the repository (../shared/..., ../venvs/...) and the home directory written
    ~ (the corpus cache), so that results from different machines read alike
    and name no machine's directories."""
    root = str(Path(__file__).resolve().parent.parent)
    text = text.replace(root + "/", "").replace(os.path.dirname(root) + "/", "../")
    return text.replace(str(Path.home()) + "/", "~/")


def portable_json(report):
    return portable(json.dumps(report, indent=1))
