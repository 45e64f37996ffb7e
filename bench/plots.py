"""PNG plots of a benchmark's summary (matplotlib, drawn off-screen).

* speed: training words/s per row, one panel per model, bars at the median
  with min–max whiskers;
* scaling: wall seconds against corpus size (log–log, so equal slopes mean
  equal growth) and training words/s at 1 and 2 threads;
* quality: analogy accuracy and the three word-pair correlations per row,
  both models side by side, with min–max whiskers.

fastemb's rows are drawn in one colour family and the peers in grey, so the
comparison reads at a glance. Each function returns the file it wrote.
"""

from bench.report import METRICS, shown_quality, title as table_title
from bench.runners import QUALITY_REFERENCE, ROWS

FASTEMB_COLOURS = ["#1f77b4", "#6baed6", "#08519c"]
MARKERS = "osD^vPX"
HATCHES = ["", "//", "..", "xx"]  # one per main table (model, dim) in the quality plot
PEER_COLOURS = ["#7f7f7f", "#a6a6a6", "#525252", "#bdbdbd", "#969696"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    return plt


def _thousands(axis):
    """Tick labels like 1,200k instead of matplotlib's 1.2 with a 1e6 offset."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1e3:,.0f}k"))


def _plain_log(axis):
    """Plain numbers on a log axis (10, 30, 100 rather than 10^1 ...)."""
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _: f"{v:,.3g}")
    axis.set_major_formatter(fmt)
    axis.set_minor_formatter(fmt)


def _colours(tools):
    """A fixed colour per row: blues for fastemb, greys for the peers."""
    ours = iter(FASTEMB_COLOURS * 3)
    theirs = iter(PEER_COLOURS * 3)
    return {t: next(ours) if ROWS[t].fastemb else next(theirs) for t in tools}


def _whiskers(stats_list):
    """Matplotlib's asymmetric error bars (below, above) from median/min/max."""
    return [[s["median"] - s["min"] for s in stats_list], [s["max"] - s["median"] for s in stats_list]]


def speed(summary, path, title):
    """Horizontal bars of median training words/s per row, per model."""
    plt = _pyplot()
    models = summary["models"]
    fig, axes = plt.subplots(1, len(models), figsize=(6 * len(models), 0.5 * 8 + 1), squeeze=False)
    for ax, (model, data) in zip(axes[0], models.items()):
        tools = [t for t, s in data["tools"].items() if s.get("train_words_per_s")]
        stats_list = [data["tools"][t]["train_words_per_s"] for t in tools]
        colours = _colours(tools)
        y = range(len(tools))
        ax.barh(y, [s["median"] for s in stats_list], xerr=_whiskers(stats_list), capsize=3,
                color=[colours[t] for t in tools])
        for i, s in zip(y, stats_list):
            ax.text(s["max"], i, f"  {s['median'] / 1e3:,.0f}k", va="center", fontsize=8)
        ax.set_yticks(list(y), [t for t in tools])
        ax.invert_yaxis()  # first row on top, as in the table
        _thousands(ax.xaxis)
        ax.set_xlabel("training words/s (corpus words × epochs / training s)")
        ax.set_title(table_title(model))
        ax.margins(x=0.2)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def scaling(summary, path, title):
    """Wall time against corpus size, and words/s by thread count."""
    plt = _pyplot()
    from matplotlib.ticker import NullLocator

    sc = summary["scaling"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    colours = _colours(list(sc["size"]) + list(sc["threads"]))
    for k, (tool, points) in enumerate(sc["size"].items()):
        sizes = sorted(points)
        left.plot(sizes, [points[b]["wall_s"] for b in sizes], "-", marker=MARKERS[k % len(MARKERS)],
                  label=tool, color=colours[tool])  # markers tell apart rows of similar grey
    left.set_xscale("log")
    left.set_yscale("log")
    measured = sorted({b for points in sc["size"].values() for b in points})
    left.set_xticks(measured, [f"{b / 1e6:.3g} MB" for b in measured])  # ticks at the sizes measured
    left.xaxis.set_minor_locator(NullLocator())
    _plain_log(left.yaxis)
    left.set_xlabel("corpus bytes (prefix cut at a space)")
    left.set_ylabel("wall seconds, end to end")
    left.set_title("corpus size (skip-gram)")
    left.legend(fontsize=8)
    tools = list(sc["threads"])
    counts = sorted({t for e in sc["threads"].values() for t in e["words_per_s"]})
    width = 0.8 / max(len(counts), 1)
    for k, n in enumerate(counts):
        xs = [i + (k - (len(counts) - 1) / 2) * width for i in range(len(tools))]
        ys = [sc["threads"][t]["words_per_s"].get(n, 0) for t in tools]
        right.bar(xs, ys, width, label=f"{n} thread{'s' * (n > 1)}",
                  color=[colours[t] for t in tools], alpha=0.5 + 0.5 * k / max(len(counts) - 1, 1),
                  edgecolor="black")
    for i, t in enumerate(tools):
        if sc["threads"][t].get("speedup"):
            right.text(i, max(sc["threads"][t]["words_per_s"].values()), f"{sc['threads'][t]['speedup']:.2f}×",
                       ha="center", va="bottom", fontsize=8)
    right.set_xticks(range(len(tools)), tools, rotation=20, fontsize=8)
    _thousands(right.yaxis)
    right.set_ylabel("training words/s")
    right.set_title("threads (skip-gram; speed-up above the bars)")
    right.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def quality(summary, path, title):
    """One panel per quality figure: a bar per row and model, min–max whiskers."""
    plt = _pyplot()
    from matplotlib.patches import Patch

    models = summary["models"]
    tools = list(dict.fromkeys(t for data in models.values() for t in data["tools"]))
    keys = list(dict.fromkeys(k for data in models.values() for k in shown_quality(data["tools"])))
    fig, axes = plt.subplots(1, len(keys), figsize=(4.2 * len(keys), 4.8), squeeze=False)
    axes = axes[0]
    width = 0.8 / max(len(models), 1)
    colours = _colours(tools)
    legend = [Patch(facecolor="white", edgecolor="black", hatch=HATCHES[k], label=table_title(m))
              for k, m in enumerate(models)]
    for ax, key in zip(axes, keys):
        for k, (model, data) in enumerate(models.items()):
            idx = [i for i, t in enumerate(tools) if (data["tools"].get(t) or {}).get(key)]
            stats_list = [data["tools"][tools[i]][key] for i in idx]
            xs = [i + (k - (len(models) - 1) / 2) * width for i in idx]
            ax.bar(xs, [s["median"] for s in stats_list], width, yerr=_whiskers(stats_list), capsize=2,
                   color=[colours[tools[i]] for i in idx], edgecolor="black",
                   hatch=[HATCHES[k]] * len(idx))
        ax.set_xticks(range(len(tools)), [t + ("*" if ROWS[t].needs_lines else "") for t in tools],
                      rotation=35, ha="right", fontsize=8)
        ax.set_title(METRICS[key][0])
        ax.axhline(0, color="black", linewidth=0.5)
        ax.legend(handles=legend, fontsize=7)
    fig.suptitle(f"{title}\nbars: median, whiskers: min–max; "
                 f"* not a quality reference (quality bar: {' and '.join(QUALITY_REFERENCE)})", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


PLOTS = {"speed": speed, "scaling": scaling, "quality": quality}
