"""The transfer bench's summary (medians and ranges over seeds), Markdown report, JSON and plot."""

import json
import statistics
from pathlib import Path
from typing import BinaryIO, Dict, List, Optional

from bench.report import portable
from fastemb.outputs import atomic_write

CATCH_UP_POINTS = 1.0  # random init "has caught up" within this many accuracy points of the best fastemb layer
PRETRAINED = ("frozen", "fine-tuned", "subword")
COLOURS = {"random": "#7f7f7f", "frozen": "#1f77b4", "fine-tuned": "#ff7f0e", "subword": "#2ca02c"}


def _spread(values: List[float]) -> Optional[Dict]:
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def summarize(runs: List[Dict]) -> Dict:
    """{classifier: {"curve": {embedding: {size: accuracy spread}}, "unseen": ..., "unseen_glosses": {size: median},
    "catch_up": size or None, "catch_up_with": {embedding: size or None}, "gap": {size: best fastemb median -
    random median}}}, accuracies in %. Random initialisation catches up at the first size where its median
    accuracy is within CATCH_UP_POINTS of the best fastemb layer's (``catch_up``) or of each one's."""
    out = {}
    for classifier in dict.fromkeys(r["classifier"] for r in runs):  # in the order they ran
        mine = [r for r in runs if r["classifier"] == classifier]
        sizes = sorted({r["per_class"] for r in mine})
        curve, unseen = {}, {}
        for embedding in sorted({r["embedding"] for r in mine}):
            at = {size: [r for r in mine if r["embedding"] == embedding and r["per_class"] == size] for size in sizes}
            curve[embedding] = {size: _spread([100 * r["accuracy"] for r in rs]) for size, rs in at.items()}
            unseen[embedding] = {size: _spread([None if r["unseen_accuracy"] is None else 100 * r["unseen_accuracy"]
                                                for r in rs]) for size, rs in at.items()}
        gap = {size: max(curve[e][size]["median"] for e in PRETRAINED if e in curve)
               - curve["random"][size]["median"] for size in sizes} if "random" in curve else {}
        catch_up = next((size for size in sizes if gap[size] <= CATCH_UP_POINTS), None) if gap else None
        catch_up_with = {e: next((size for size in sizes if curve[e][size]["median"] - curve["random"][size]["median"]
                                  <= CATCH_UP_POINTS), None) for e in PRETRAINED if e in curve and "random" in curve}
        unseen_glosses = {size: statistics.median(r["unseen_glosses"] for r in mine if r["per_class"] == size)
                          for size in sizes}
        out[classifier] = {"curve": curve, "unseen": unseen, "gap": gap, "catch_up": catch_up,
                           "catch_up_with": catch_up_with,
                           "unseen_glosses": unseen_glosses}
    return out


def _small_classes(pools: Dict[str, int], largest: int) -> str:
    small = [f"{label} {n}" for label, n in pools.items() if n < largest]
    return ("Classes whose pool is smaller than the largest size use all of it: " + ", ".join(small) + "."
            if small else "")


def _cell(spread: Optional[Dict]) -> str:
    if spread is None:
        return "–"
    return f"{spread['median']:.1f} [{spread['min']:.1f}–{spread['max']:.1f}]"


def markdown(result: Dict, plot_name: str) -> str:
    summary, settings, data = result["summary"], result["settings"], result["dataset"]
    embeddings = settings["embeddings"]
    lines = [f"# fastemb transfer bench: {result['name']} ({result['date']})", "",
             "```sh", f"{result['command'].strip()}", "```", "",
             f"WordNet 3.0 noun glosses (definitions only), labelled by lexicographer file: {len(data['classes'])} "
             f"classes, {data['glosses']:,} glosses, a fixed held-out set of {data['held_out']:,} "
             f"(up to {settings['test_per_class']} per class); {data['vocabulary']:,} distinct words. "
             + _small_classes(data["pool_per_class"], max(settings["sizes"])),
             "",
             "Vectors: " + "; ".join(
                 f"{kind}: {v['words']:,} words x {v['dim']}, {v['epochs']} epochs on {Path(result['corpus']).name}"
                 + (f" ({', '.join(f'{k}={x}' for k, x in v['settings'].items())})" if v["settings"] else "")
                 + (f", trained in {v['training_seconds']:.0f} s" if v["training_seconds"] else ", cached")
                 for kind, v in result["vectors"].items()) + ".",
             "Words of the glosses with a vector: " + "; ".join(
                 f"{kind} {c['found']:,} of {c['words']:,}" + (f" ({c['from_ngrams']:,} from n-grams)"
                                                              if c["from_ngrams"] else "")
                 for kind, c in result["coverage"].items()) + ".",
             "",
             "Training: Adam (learning rate " + ", ".join(f"{rate:g} for {kind}" for kind, rate in
                                                          settings["learning_rate"].items()) + f"), batches of {settings['batch']}, "
             f"max({settings['min_epochs']} epochs, {settings['min_steps']} steps), no early stopping; "
             f"{settings['seeds']} seed(s) per size (the seed draws the training glosses and the initialisation). "
             "Accuracy in %, median [min–max] over the seeds; chance is "
             f"{100 / len(data['classes']):.1f}%.",
             "", f"![learning curves]({plot_name})", ""]
    for classifier, s in summary.items():
        sizes = sorted(s["gap"]) if s["gap"] else sorted(next(iter(s["curve"].values())))
        lines += [f"## {classifier}", "", "Held-out accuracy:", "",
                  "| glosses per class | " + " | ".join(embeddings) + " | best fastemb − random |",
                  "|---:|" + "---|" * (len(embeddings) + 1)]
        for size in sizes:
            gap = s["gap"].get(size)
            lines.append(f"| {size} | " + " | ".join(_cell(s["curve"][e][size]) for e in embeddings)
                         + (f" | {gap:+.1f} |" if gap is not None else " | – |"))
        lines += ["", "Held-out glosses none of whose content words is in the run's training glosses "
                  "(median number of such glosses in parentheses):", "",
                  "| glosses per class | " + " | ".join(embeddings) + " |", "|---:|" + "---|" * len(embeddings)]
        for size in sizes:
            lines.append(f"| {size} ({s['unseen_glosses'][size]:g}) | "
                         + " | ".join(_cell(s["unseen"][e][size]) for e in embeddings) + " |")
        catch = (f"random initialisation comes within {CATCH_UP_POINTS:g} point of the best fastemb layer at "
                 f"{s['catch_up']} glosses per class" if s["catch_up"] is not None else
                 f"random initialisation has not caught up at {sizes[-1]} glosses per class "
                 f"(best fastemb layer {s['gap'][sizes[-1]]:+.1f} points)") if s["gap"] else ""
        each = "; ".join(f"{e} at {size}" if size is not None else f"{e} not by {sizes[-1]}"
                         for e, size in s.get("catch_up_with", {}).items())
        lines += ["", (catch + ". Layer by layer, it comes within that of " + each + "." if each else catch + ".")
                  if catch else "", ""]
    machine = result["machine"]
    lines += ["## Machine", "",
              f"{machine['cpu_model']}, {machine['logical_cpus']} logical CPUs, {machine['platform']}; Python "
              f"{machine['python']}, fastemb {machine['fastemb']} (commit {machine['source']['commit'][:10]}"
              + (f", uncommitted: {', '.join(machine['source']['uncommitted'])}" if machine['source']['uncommitted']
                 else "")
              + f"), torch {machine['torch']} ({machine['torch_threads']} thread), keras {machine['keras']}, "
              f"numpy {machine['numpy']}. The whole run took {result['wall_seconds'] / 60:.0f} min.", ""]
    return "\n".join(lines)


def plot(result: Dict, stream: BinaryIO) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = result["summary"]
    classifiers = list(summary)
    figure, axes = plt.subplots(2, len(classifiers), figsize=(4.2 * len(classifiers), 7.2), squeeze=False,
                                sharex=True, sharey="row")
    for column, classifier in enumerate(classifiers):
        for row, part in enumerate(("curve", "unseen")):
            ax = axes[row][column]
            for embedding in result["settings"]["embeddings"]:
                by_size = summary[classifier][part][embedding]
                points = [(size, s) for size, s in sorted(by_size.items()) if s is not None]
                xs = [size for size, _ in points]
                ax.plot(xs, [s["median"] for _, s in points], "o-", color=COLOURS[embedding], label=embedding,
                        markersize=4)
                ax.fill_between(xs, [s["min"] for _, s in points], [s["max"] for _, s in points],
                                color=COLOURS[embedding], alpha=0.15, linewidth=0)
            ax.set_xscale("log")
            ax.set_xticks(result["settings"]["sizes"], [str(s) for s in result["settings"]["sizes"]])
            ax.minorticks_off()
            ax.grid(alpha=0.3)
            if row == 0:
                ax.set_title(classifier)
            else:
                ax.set_xlabel("training glosses per class")
            if column == 0:
                ax.set_ylabel("held-out accuracy %" if part == "curve" else "accuracy % on unseen-word glosses")
    axes[0][0].legend(loc="lower right", fontsize=8)
    figure.suptitle(f"WordNet noun glosses, {len(result['dataset']['classes'])} classes: median and range over "
                    f"{result['settings']['seeds']} seeds ({result['date']})", fontsize=10)
    figure.tight_layout()
    figure.savefig(stream, dpi=110, format="png")
    plt.close(figure)


def write(result: Dict, directory: Path, stem: str) -> List[Path]:
    """<stem>.json, .md and .png in ``directory``; returns their paths."""
    directory = Path(directory)
    paths = [directory / f"{stem}.json", directory / f"{stem}.png", directory / f"{stem}.md"]
    # paths as ../shared/... and ~/..., not this machine's directories (bench/report.py's rule)
    with atomic_write(paths[0]) as stream:
        stream.write((portable(json.dumps(result, indent=1)) + "\n").encode("utf-8"))
    with atomic_write(paths[1]) as stream:
        plot(result, stream)
    with atomic_write(paths[2]) as stream:
        stream.write(portable(markdown(result, paths[1].name)).encode("utf-8"))
    return paths
