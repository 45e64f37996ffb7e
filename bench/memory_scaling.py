"""Peak memory of `fastemb train` against corpus size: it should not grow.

Generates synthetic corpora of a fixed vocabulary (Zipf-distributed words, so
the vocabulary and both matrices are the same size for every corpus) in a
temporary directory, trains on each in a fresh child process, reads the
child's peak resident set from wait4(), and deletes the corpora. What still
grows with the corpus -- the encoded ids, 4 bytes per word -- is memory-mapped
from a cache file (fastemb/id_cache.py) and released as it is read, so the peak
should stay flat.

    python bench/memory_scaling.py --sizes-mb 25 50 100 200

Light on purpose (1 thread, 1 epoch, 20 dimensions): it measures memory, not
speed. Needs free space in --tmp for the largest corpus plus its ids (~1.7 x).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

VOCAB = 50_000
WORDS_PER_WRITE = 1_000_000


def make_corpus(path: str, megabytes: int, seed: int = 0) -> int:
    """Write about ``megabytes`` MB of Zipf-distributed words, 1,000 per line. Returns the word count."""
    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{i}" for i in range(VOCAB)])
    written = words = 0
    with open(path, "wb") as stream:
        while written < megabytes * 1_000_000:
            picks = vocab[(rng.zipf(1.2, WORDS_PER_WRITE) - 1) % VOCAB].reshape(-1, 1000)
            data = ("\n".join(" ".join(line) for line in picks) + "\n").encode()
            stream.write(data)
            written += len(data)
            words += WORDS_PER_WRITE
    return words


def peak_rss_mb(command) -> tuple:
    """Run ``command``; return (peak RSS in MB from wait4, wall seconds, exit code)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{child.stderr.read().decode()}")
    return usage.ru_maxrss / 1024, time.perf_counter() - started, child.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[25, 50, 100, 200])
    parser.add_argument("--tmp", default=None, help="where to put the corpora (default: the temp directory)")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="fastemb-memory-", dir=args.tmp)
    try:
        print("corpus MB  words        ids MB (4 B/word)  peak RSS MB  wall s")
        for megabytes in args.sizes_mb:
            corpus = os.path.join(workdir, f"corpus-{megabytes}.txt")
            words = make_corpus(corpus, megabytes)
            command = [sys.executable, "-m", "fastemb", "train", corpus, "-o", os.path.join(workdir, "v.bin"),
                       "--binary", "--dim", "20", "--epochs", "1", "--threads", "1", "--negative", "2",
                       "--quiet", "--cache-dir", workdir]
            rss, seconds, _ = peak_rss_mb(command)
            print(f"{megabytes:9d}  {words:11,d}  {words * 4 / 1e6:17.0f}  {rss:11.0f}  {seconds:6.1f}", flush=True)
            os.remove(corpus)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
