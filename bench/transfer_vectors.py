"""The fastemb vectors the transfer bench starts its classifiers from, trained once and cached.

Two models on the same corpus, 5 epochs, 2 threads, fastemb's defaults
otherwise (skip-gram, dim 100, window 5, 5 negatives, min_count 5): plain
vectors (word2vec binary) and a subword model (``maxn=6``, fastText's n-grams
of 3-6 characters, 2M buckets; a model file, whose vectors cover unseen
words). They go to the bench's cache directory, outside the repository, named
after the corpus (name, size, modification time) and the settings, so a rerun
loads them instead of training again.
"""

import time
from pathlib import Path

import fastemb

EPOCHS = 5
SEED = 1
KINDS = {"plain": {}, "subword": {"maxn": 6}}


def cache_path(cache_dir: Path, corpus: Path, kind: str) -> Path:
    st = corpus.stat()
    suffix = ".bin" if kind == "plain" else ".npz"
    return Path(cache_dir) / "transfer" / f"{corpus.stem}-{st.st_size}-{int(st.st_mtime)}-{kind}-e{EPOCHS}{suffix}"


def ensure_vectors(cache_dir: Path, corpus: Path, threads: int = 2, log=print) -> dict:
    """Train whichever of the two models is not cached yet; returns {kind: (path, training seconds or None)}."""
    out = {}
    for kind, settings in KINDS.items():
        path = cache_path(cache_dir, corpus, kind)
        if path.exists():
            log(f"vectors: cached {path}")
            out[kind] = (path, None)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        log(f"vectors: training {kind} on {corpus} ({EPOCHS} epochs, {threads} threads) -> {path}")
        start = time.perf_counter()
        model = fastemb.Model(epochs=EPOCHS, threads=threads, seed=SEED, **settings).train(str(corpus),
                                                                                          progress=False)
        seconds = time.perf_counter() - start
        if kind == "plain":
            model.wv.save(str(path), binary=True)  # fastemb writes atomically
        else:
            model.save_model(str(path))
        log(f"vectors: {kind} trained in {seconds:.0f} s ({len(model.wv)} words)")
        out[kind] = (path, seconds)
    return out


def load_vectors(path: Path):
    """WordVectors from the .bin, SubwordVectors from the model file."""
    return fastemb.load(str(path)) if path.suffix == ".bin" else fastemb.load_model(str(path)).wv
