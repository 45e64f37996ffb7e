"""Training from Python sentences against training from the file, and against gensim.

    python bench/sentences_speed.py ../shared/corpora/enwiki-text8style-1e8.txt --rounds 3

Each round, in this order and each in a fresh process: fastemb on the file,
fastemb on a generator of token lists (the file's words in sentences of 1,000,
as gensim's Text8Corpus cuts it), gensim 4's Word2Vec on the same generator
(restarted for its second pass: gensim reads its input twice, fastemb once).
Skip-gram, dim 100, window 5, negative 5, min-count 5, sample 1e-3, 1 epoch,
2 threads. Prints wall seconds end to end (reading included) per run, then
the medians and ranges.
"""
import argparse
import statistics
import subprocess
import sys
import time

SENTENCE_WORDS = 1000

GENERATOR = f'''
def sentences(path):
    """The file's words, {SENTENCE_WORDS} to a sentence, read a block at a time."""
    words, rest = [], b""
    with open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            parts = (rest + block).split(b" ")
            rest = parts.pop()
            words.extend(part.decode() for part in parts if part.strip())
            while len(words) >= {SENTENCE_WORDS}:
                yield words[:{SENTENCE_WORDS}]
                del words[:{SENTENCE_WORDS}]
    words.extend(rest.decode().split())
    if words:
        yield words
'''

RUNS = {
    "fastemb, file": "import fastemb\n"
                     "fastemb.train(PATH, dim=100, epochs=1, threads=2, progress=False)",
    "fastemb, generator": GENERATOR + "import fastemb\n"
                          "fastemb.train(sentences(PATH), dim=100, epochs=1, threads=2, progress=False)",
    # gensim reads its input twice (vocabulary, then training): a class that restarts the generator
    "gensim, generator": GENERATOR + "from gensim.models import Word2Vec\n"
                         "class Restarting:\n    def __iter__(self):\n        return sentences(PATH)\n"
                         "Word2Vec(Restarting(), vector_size=100, window=5, negative=5, min_count=5, "
                         "sample=1e-3, sg=1, epochs=1, workers=2)",
}


def wall_seconds(code: str, path: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"PATH = {path!r}\n" + code], check=True)
    return time.perf_counter() - started


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args(argv)
    seconds = {name: [] for name in RUNS}
    for round_ in range(a.rounds):
        for name, code in RUNS.items():
            seconds[name].append(wall_seconds(code, a.corpus))
            print(f"round {round_ + 1}: {name}: {seconds[name][-1]:.1f} s", flush=True)
    for name, values in seconds.items():
        print(f"{name}: median {statistics.median(values):.1f} s [{min(values):.1f}-{max(values):.1f}]")


if __name__ == "__main__":
    main()
