"""When labelled data is small: classifiers started from fastemb's vectors against random initialisation.

    python -m bench.transfer             # the full run: 24 min on 2 cores, once the vectors are cached
    python -m bench.transfer --quick     # 8 classes, 3 sizes, 2 seeds: a few minutes
    python -m bench.transfer --help

The task: WordNet 3.0 noun glosses, labelled by lexicographer file (25
classes; bench/transfer_data.py). The classifiers and the four embedding
layers they start from are in bench/transfer_models.py; the fastemb vectors
(5 epochs on ../shared/corpora/enwiki-text8style-1e8.txt) are trained on the
first run and cached (bench/transfer_vectors.py). For each number of training
glosses per class and each seed, every classifier is trained from every
embedding and scored on a fixed held-out set, and on the held-out glosses
whose content words none of that run's training glosses has (unseen words).
Writes bench/results/<date>-transfer[-quick].json (every run), .md (medians and
ranges) and .png (the learning curves).
"""

import argparse
import datetime
import json
import logging
import os
import platform
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/transfer.py`: make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REPO_ROOT = Path(__file__).resolve().parent.parent
# The installed fastemb (with its compiled kernels), not the source tree in the working directory.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO_ROOT] + [str(REPO_ROOT)]

import numpy as np  # noqa: E402

from bench import transfer_data as data  # noqa: E402
from bench import transfer_models as models  # noqa: E402
from bench import transfer_report as report  # noqa: E402
from bench import transfer_vectors  # noqa: E402
from bench.corpora import default_cache_dir  # noqa: E402
from bench.machine import cpu_model, source_state  # noqa: E402

CORPUS = REPO_ROOT.parent / "shared" / "corpora" / "enwiki-text8style-1e8.txt"
RESULTS = REPO_ROOT / "bench" / "results"
PRESETS = {
    "full": {"sizes": "5,10,20,50,100,200", "seeds": 5, "classes": len(data.CLASSES),
             "classifiers": ",".join(models.CLASSIFIERS)},
    "quick": {"sizes": "5,20,100", "seeds": 2, "classes": 8, "classifiers": "keras-mean,torch-mean"},
}
QUICK_CLASSES = ["noun.animal", "noun.artifact", "noun.body", "noun.food", "noun.location", "noun.person",
                 "noun.plant", "noun.time"]


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="python -m bench.transfer", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="8 classes, sizes 5,20,100, 2 seeds, the two mean "
                    "classifiers: a few minutes once the vectors are cached")
    ap.add_argument("--sizes", help="training glosses per class, comma-separated (default 5,10,20,50,100,200)")
    ap.add_argument("--seeds", type=int, help="seeds per size (default 5)")
    ap.add_argument("--classifiers", help=f"comma-separated, of {', '.join(models.CLASSIFIERS)} (default: all)")
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="the vectors' corpus (default: %(default)s)")
    ap.add_argument("--wordnet", type=Path, default=data.DATA_NOUN, help="WordNet 3.0's data.noun "
                    "(default: %(default)s, from `apt-get install wordnet-base`)")
    ap.add_argument("--cache-dir", type=Path, default=default_cache_dir(),
                    help="where the trained vectors are kept between runs (default: %(default)s)")
    ap.add_argument("--vectors-only", action="store_true", help="train (or find) the vectors and stop")
    ap.add_argument("--from-json", type=Path, metavar="FILE", help="write the Markdown and the plot again from "
                    "a run's JSON (after a change to the report), training nothing")
    ap.add_argument("--threads", type=int, default=2, help="threads for training the vectors (default 2); "
                    "the classifiers use one torch thread")
    ap.add_argument("--output", type=Path, default=RESULTS, help="directory of the results (default: bench/results)")
    ap.add_argument("--name", help="results are <output>/<date>-<name>.*; default: transfer or transfer-quick")
    ap.add_argument("--date", default=datetime.date.today().isoformat())
    args = ap.parse_args(argv)
    preset = PRESETS["quick" if args.quick else "full"]
    args.sizes = [int(s) for s in (args.sizes or preset["sizes"]).split(",")]
    args.seeds = args.seeds or preset["seeds"]
    args.classifiers = (args.classifiers or preset["classifiers"]).split(",")
    args.classes = QUICK_CLASSES if args.quick else data.CLASSES
    args.name = args.name or ("transfer-quick" if args.quick else "transfer")
    unknown = [c for c in args.classifiers if c not in models.CLASSIFIERS]
    if unknown:
        ap.error(f"--classifiers: {', '.join(unknown)} unknown; use {', '.join(models.CLASSIFIERS)}")
    if min(args.sizes) < 1 or args.seeds < 1:
        ap.error("--sizes and --seeds: 1 or more")
    return args


def check_inputs(args) -> None:
    """Every input named before any training: one line each."""
    if not args.wordnet.exists():
        raise SystemExit(f"python -m bench.transfer: {args.wordnet} not found; WordNet 3.0 comes with Debian's "
                         f"wordnet-base: {data.INSTALL_HINT}")
    if not args.corpus.exists():
        raise SystemExit(f"python -m bench.transfer: the corpus {args.corpus} is not there (--corpus FILE)")
    args.output.mkdir(parents=True, exist_ok=True)
    if not os.access(args.output, os.W_OK):
        raise SystemExit(f"python -m bench.transfer: cannot write to --output {args.output}")


def run_grid(args, glosses, vectors, log=print):
    pools, held_out = data.split(glosses, args.classes)
    index = data.word_index(glosses)
    label_of = {label: i for i, label in enumerate(args.classes)}
    test_ids = models.pad([g.tokens for g in held_out], index)
    test_labels = np.array([label_of[g.label] for g in held_out])
    runs = []
    for size in args.sizes:
        for seed in range(args.seeds):
            train = data.training_sample(pools, size, seed)
            unseen = {g.offset for g in data.unseen_subset(held_out, train)}
            unseen_mask = np.array([g.offset in unseen for g in held_out])
            train_xy = (models.pad([g.tokens for g in train], index), np.array([label_of[g.label] for g in train]))
            for classifier in args.classifiers:
                for embedding in models.EMBEDDINGS:
                    start = time.perf_counter()
                    predicted = models.predict(classifier, embedding, vectors, index, train_xy, test_ids,
                                               len(args.classes), seed)
                    right = predicted == test_labels
                    runs.append({"classifier": classifier, "embedding": embedding, "per_class": size, "seed": seed,
                                 "train_glosses": len(train), "accuracy": float(right.mean()),
                                 "unseen_glosses": int(unseen_mask.sum()),
                                 "unseen_accuracy": float(right[unseen_mask].mean()) if unseen_mask.any() else None,
                                 "seconds": round(time.perf_counter() - start, 2)})
                    log(f"{size:>4} per class, seed {seed}, {classifier:<10} {embedding:<10} "
                        f"accuracy {right.mean():.3f}  unseen {runs[-1]['unseen_accuracy'] or float('nan'):.3f} "
                        f"({unseen_mask.sum()})  {runs[-1]['seconds']:.1f} s")
    dataset = {"glosses": len(glosses), "classes": list(args.classes), "held_out": len(held_out),
               "pool_per_class": {label: len(pools[label]) for label in args.classes}, "vocabulary": len(index)}
    return runs, dataset


def coverage(vectors, glosses) -> dict:
    """How many of the glosses' words each set of vectors covers (what the layers' ``coverage`` says)."""
    from fastemb.embedding_layers import embedding_rows

    index = data.word_index(glosses)
    out = {}
    for kind, wv in vectors.items():
        _, cover = embedding_rows(wv, index)
        out[kind] = {"words": cover.words, "found": cover.found, "from_ngrams": len(cover.from_ngrams),
                     "missing": len(cover.missing)}
    return out


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.from_json:
        result = json.loads(args.from_json.read_text(encoding="utf-8"))
        result["summary"] = report.summarize(result["runs"])
        for path in report.write(result, args.from_json.parent, args.from_json.stem):
            print(f"wrote {path}")
        return 0
    check_inputs(args)
    source = source_state()  # the code that runs, not the one at the end of the run
    logging.getLogger("fastemb").setLevel(logging.WARNING)
    import torch

    torch.set_num_threads(1)  # small models; the machine is shared
    started = time.time()
    trained = transfer_vectors.ensure_vectors(args.cache_dir, args.corpus, threads=args.threads)
    if args.vectors_only:
        return 0
    glosses = [g for g in data.read_glosses(args.wordnet) if g.label in args.classes]
    vectors = {kind: transfer_vectors.load_vectors(path) for kind, (path, _) in trained.items()}
    runs, dataset = run_grid(args, glosses, vectors)
    import fastemb
    import keras

    result = {
        "name": args.name, "date": args.date,
        "command": "python -m bench.transfer " + " ".join(sys.argv[1:] if argv is None else argv),
        "settings": {"sizes": args.sizes, "seeds": args.seeds, "classifiers": args.classifiers,
                     "embeddings": list(models.EMBEDDINGS), "batch": models.BATCH, "min_steps": models.MIN_STEPS,
                     "min_epochs": models.MIN_EPOCHS, "learning_rate": models.LEARNING_RATE,
                     "max_tokens": models.MAX_TOKENS, "test_per_class": data.TEST_PER_CLASS},
        "vectors": {kind: {"file": str(path), "training_seconds": seconds, "words": len(vectors[kind]),
                           "dim": vectors[kind].dim, "epochs": transfer_vectors.EPOCHS,
                           "settings": transfer_vectors.KINDS[kind]}
                    for kind, (path, seconds) in trained.items()},
        "corpus": str(args.corpus), "dataset": dataset, "coverage": coverage(vectors, glosses),
        "machine": {"cpu_model": cpu_model(), "logical_cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version(), "fastemb": fastemb.__version__,
                    "torch": torch.__version__, "keras": keras.__version__, "numpy": np.__version__,
                    "torch_threads": torch.get_num_threads(), "source": source},
        "wall_seconds": round(time.time() - started, 1),
        "runs": runs,
    }
    result["summary"] = report.summarize(runs)
    written = report.write(result, args.output, f"{args.date}-{args.name}")
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
