"""CPU seconds of the training kernel alone: one thread, one pass, direct calls.

    python bench/kernel_speed.py ../shared/corpora/text8-prefix.txt
    python bench/kernel_speed.py CORPUS --methods skipgram-batched --hs --negative 0 --backend numba
    python bench/kernel_speed.py CORPUS --methods skipgram-subword,cbow-subword --maxn 6
    python bench/kernel_speed.py CORPUS --dims 50,100,200,300,500,1000 --repeats 1

Reports, per method and dimension, the CPU seconds, nanoseconds per corpus word
and nanoseconds per word per dimension: the last is flat while the kernel's cost
grows with the arithmetic alone, and rises where the rows a window touches no
longer fit in a cache level.

Reads and encodes the corpus once, then calls the kernel chunk by chunk over the
whole of it, from fresh matrices, --repeats times, and prints the least CPU
time (time.process_time) per method. CPU time of one thread, not wall time: on a
machine where other work runs it moves far less than wall time, which makes it
the A/B yardstick for kernel changes (old and new builds alternated, by
PYTHONPATH). Whole-run speed, with threads and the peers, is `python -m bench`.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.append(str(Path(__file__).resolve().parents[1]))  # after PYTHONPATH: A/B of two builds

from fastemb import corpus, trainer  # noqa: E402
from fastemb._backend import load_kernel  # noqa: E402
from fastemb.config import make_settings  # noqa: E402
from fastemb.vocab import build_vocab  # noqa: E402

METHODS = ("skipgram-batched", "skipgram-classic", "cbow-batched")
SUBWORD_METHODS = ("skipgram-subword", "cbow-subword")  # train_chunk_subword, with --maxn above 0


def encode(path: str, min_count: int) -> tuple:
    with corpus.scan(path) as scanned:
        vocab, new_id = build_vocab(scanned.words, scanned.counts, min_count)
        return vocab, np.array(corpus.encode(scanned, new_id))


def kernel_seconds(settings, vocab, ids: np.ndarray, repeats: int, subwords: bool = False) -> float:
    """Least CPU seconds of one pass of the kernel over ``ids``, chunk by chunk as
    the trainer cuts and calls it (kernel_call.py); ``subwords``: train_chunk_subword."""
    from fastemb.kernel_call import Tables, kernel_call

    tables = Tables.build(vocab.counts, settings)
    kernel = load_kernel(settings.backend, subword=subwords)
    table = None
    if subwords:
        from fastemb.subwords import SubwordTable

        table = SubwordTable.build(vocab.words, settings.minn, settings.maxn, settings.buckets)
    bounds = trainer.chunk_bounds(ids)
    best = float("inf")
    for _ in range(repeats):
        w_in, w_out = trainer.init_matrices(len(vocab), settings)
        call = kernel_call(kernel, w_in, w_out, tables, settings, table)
        scratch = call.scratch()
        started = time.process_time()
        for chunk, (start, end) in enumerate(zip(bounds[:-1], bounds[1:])):
            call.run(scratch, ids[start:end], settings.alpha, settings.min_alpha,
                     trainer.chunk_seed(settings.seed, 0, chunk))
        best = min(best, time.process_time() - started)
    return best


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("--methods", default=",".join(METHODS),
                    help="comma-separated, from: " + ",".join(METHODS + SUBWORD_METHODS))
    ap.add_argument("--backend", default="cython", choices=("cython", "numba"))
    ap.add_argument("--negative", type=int, default=5)
    ap.add_argument("--hs", action="store_true")
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--dims", help="comma-separated dimensions to run in turn (overrides --dim), "
                    "each method at every dimension")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--maxn", type=int, default=6, help="longest n-gram of the -subword methods (minn 3)")
    a = ap.parse_args(argv)
    dims = [int(d) for d in a.dims.split(",")] if a.dims else [a.dim]
    vocab, ids = encode(a.corpus, min_count=5)
    for name in a.methods.split(","):
        model, kernel = name.split("-")
        subword = kernel == "subword"
        for dim in dims:
            settings = make_settings(model=model, kernel="batched" if subword else kernel, backend=a.backend,
                                     negative=a.negative, hs=a.hs, dim=dim, epochs=1,
                                     maxn=a.maxn if subword else 0)
            seconds = kernel_seconds(settings, vocab, ids, a.repeats, subwords=subword)
            ns_per_word = seconds / len(ids) * 1e9
            print(f"{name} backend={a.backend} hs={int(a.hs)} negative={a.negative} dim={dim}: "
                  f"{seconds:.3f} CPU s, {len(ids) / seconds / 1e6:.2f}M words per CPU second, "
                  f"{ns_per_word:.0f} ns/word, {ns_per_word / dim:.3f} ns/word/dim", flush=True)


if __name__ == "__main__":
    main()
