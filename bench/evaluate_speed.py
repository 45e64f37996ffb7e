"""How fast fastemb scores analogies and answers nearest-word queries.

    python bench/evaluate_speed.py --analogies ../shared/eval/questions-words.txt

Builds random vectors (seeded) over a vocabulary that holds every word of the
analogy file first, so that every question is attempted (the slowest case),
then filler words up to --words; scores the whole file by 3CosAdd and 3CosMul
over all of those words (restrict_vocab = --words), and times single
most_similar queries on a --query-words vocabulary. --gensim also times gensim's
evaluate_word_analogies once on the same vectors, for comparison.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import fastemb  # noqa: E402
from fastemb.evaluate import read_analogies  # noqa: E402


def random_vectors(analogies: Path, words: int, dim: int, seed: int = 0) -> fastemb.WordVectors:
    in_questions = (word.lower() for _, questions in read_analogies(analogies) for q in questions for word in q)
    vocabulary = list(dict.fromkeys(in_questions))[:words]
    vocabulary += [f"filler{i}" for i in range(words - len(vocabulary))]
    rng = np.random.default_rng(seed)
    return fastemb.WordVectors(vocabulary, rng.standard_normal((words, dim)).astype(np.float32))


def timed(function, repeats: int):
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - start)
    return result, seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--analogies", type=Path, default=REPO.parent / "shared" / "eval" / "questions-words.txt")
    parser.add_argument("--words", type=int, default=30_000, help="vocabulary of the analogy run (default 30000)")
    parser.add_argument("--query-words", type=int, default=70_000, help="vocabulary of the query run (default 70000)")
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--gensim", action="store_true", help="also time gensim's evaluate_word_analogies once")
    args = parser.parse_args(argv)

    print(f"machine: {os.cpu_count()} cores; numpy {np.__version__}; fastemb {fastemb.__version__}")
    wv = random_vectors(args.analogies, args.words, args.dim)
    for method in ("3cosadd", "3cosmul"):
        # a fresh copy each time, so that the unit vectors are computed inside the timing
        result, seconds = timed(lambda: fastemb.WordVectors(wv.index_to_word, wv.vectors).evaluate_analogies(
            args.analogies, restrict_vocab=args.words, method=method), args.repeats)
        print(f"evaluate_analogies {method}: {result['attempted']:,} questions ({result['skipped']} skipped) "
              f"on {args.words:,} x {args.dim}: median {statistics.median(seconds):.2f} s "
              f"[{min(seconds):.2f}-{max(seconds):.2f}] over {args.repeats} runs")

    big = fastemb.WordVectors([f"w{i}" for i in range(args.query_words)],
                              np.random.default_rng(1).standard_normal((args.query_words, args.dim)).astype(np.float32))
    _, first = timed(lambda: big.most_similar("w1", topn=10), 1)
    queries = [f"w{i}" for i in range(2, 102)]
    seconds = [timed(lambda: big.most_similar(word, topn=10), 1)[1][0] for word in queries]
    print(f"most_similar on {args.query_words:,} x {args.dim}: first query {1000 * first[0]:.1f} ms "
          f"(computes the unit vectors), then median {1000 * statistics.median(seconds):.2f} ms "
          f"over {len(queries)} queries")

    if args.gensim:
        from gensim.models import KeyedVectors

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "vectors.bin"
            wv.save(path, binary=True)
            kv = KeyedVectors.load_word2vec_format(str(path), binary=True)
        start = time.perf_counter()
        accuracy, _ = kv.evaluate_word_analogies(str(args.analogies), restrict_vocab=args.words)
        print(f"gensim evaluate_word_analogies (3CosAdd, one question at a time): "
              f"{time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
