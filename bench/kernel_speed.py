"""CPU seconds of the training kernel alone: one thread, one pass, direct calls.

    python bench/kernel_speed.py ../shared/corpora/text8-prefix.txt
    python bench/kernel_speed.py CORPUS --methods skipgram-batched --hs --negative 0 --backend numba

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


def encode(path: str, min_count: int) -> tuple:
    with corpus.scan(path) as scanned:
        vocab, new_id = build_vocab(scanned.words, scanned.counts, min_count)
        return vocab, np.array(corpus.encode(scanned, new_id))


def kernel_seconds(settings, vocab, ids: np.ndarray, repeats: int) -> float:
    """Least CPU seconds of one pass of the kernel over ``ids``, chunk by chunk as the trainer cuts it."""
    tables = trainer.Tables.build(vocab.counts, settings)
    kernel = load_kernel(settings.backend)
    method = trainer.METHODS[settings.model, settings.kernel]
    n_targets = trainer.most_targets(settings, tables)
    bounds = trainer.chunk_bounds(ids)
    best = float("inf")
    for _ in range(repeats):
        w_in, w_out = trainer.init_matrices(len(vocab), settings)
        sentence = np.empty(settings.max_sentence_length, np.int32)
        targets, signs = np.empty(2 * n_targets, np.int32), np.empty(2 * n_targets, np.float32)
        work = np.empty(trainer.work_shape(settings.window, n_targets, settings.dim), np.float32)
        started = time.process_time()
        for chunk, (start, end) in enumerate(zip(bounds[:-1], bounds[1:])):
            kernel(method, w_in, w_out, ids[start:end], tables.keep_prob, tables.noise_prob, tables.noise_alias,
                   tables.path_offsets, tables.path_rows, tables.path_signs, tables.logistic, sentence, targets,
                   signs, work, settings.window, settings.negative, settings.alpha, settings.min_alpha,
                   trainer.chunk_seed(settings.seed, 0, chunk))
        best = min(best, time.process_time() - started)
    return best


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("--methods", default=",".join(METHODS), help="comma-separated, from: " + ",".join(METHODS))
    ap.add_argument("--backend", default="cython", choices=("cython", "numba"))
    ap.add_argument("--negative", type=int, default=5)
    ap.add_argument("--hs", action="store_true")
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args(argv)
    vocab, ids = encode(a.corpus, min_count=5)
    for name in a.methods.split(","):
        model, kernel = name.split("-")
        settings = make_settings(model=model, kernel=kernel, backend=a.backend, negative=a.negative, hs=a.hs,
                                 dim=a.dim, epochs=1)
        seconds = kernel_seconds(settings, vocab, ids, a.repeats)
        print(f"{name} backend={a.backend} hs={int(a.hs)} negative={a.negative}: {seconds:.3f} CPU s, "
              f"{len(ids) / seconds / 1e6:.2f}M words per CPU second", flush=True)


if __name__ == "__main__":
    main()
