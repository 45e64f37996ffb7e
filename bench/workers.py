"""Code that runs inside the child Python of a gensim or fastText run.

    python bench/workers.py gensim|gensim_file|fasttext|fasttext_subword CORPUS OUT SETTINGS_JSON

Run as a script (not imported by the parent), in the Python that has gensim
and fasttext. SETTINGS_JSON holds the fields of runners.Settings. Each worker
writes the vectors as word2vec text, most frequent word first (the order every
tool uses, which the analogy restriction to the first 30,000 rows relies on),
and prints `key=value` facts on stderr for the parent to parse.
"""

import json
import sys
import time


def gensim(corpus, out, s, corpus_file=False):
    """gensim's Word2Vec, from a streamed Text8Corpus or, with `corpus_file`,
    from its own multi-threaded file reader (`corpus` must then have lines of
    at most 1,000 words: runners.run_gensim_file says why).

    Prints vocab_seconds= and training_seconds= (model.train() alone) and, via
    gensim's INFO log, its own "effective words/s" and "training on N raw
    words" lines.
    """
    import logging

    logging.basicConfig(format="%(asctime)s %(levelname)s %(message)s", level=logging.INFO)
    from gensim.models.word2vec import Text8Corpus, Word2Vec
    from gensim.models.word2vec_inner import FAST_VERSION

    print(f"fast_version={FAST_VERSION}", file=sys.stderr)  # -1 would mean pure-Python gensim
    model = Word2Vec(sg=int(s["model"] == "skipgram"), vector_size=s["dim"], window=s["window"],
                     negative=s["negative"], hs=int(s["hs"]), sample=s["sample"], min_count=s["min_count"],
                     workers=s["threads"], epochs=s["epochs"], alpha=s["alpha"],
                     min_alpha=s["alpha"] * 1e-4)  # word2vec.c's floor on the decayed rate
    # Text8Corpus streams 10,000-word sentences, never a whole (100 MB) line.
    source = {"corpus_file": corpus} if corpus_file else {"corpus_iterable": Text8Corpus(corpus)}
    t = time.perf_counter()
    model.build_vocab(**source)
    print(f"vocab_seconds={time.perf_counter() - t:.6f}", file=sys.stderr)
    t = time.perf_counter()
    if corpus_file:
        model.train(corpus_file=corpus, total_words=model.corpus_total_words, epochs=model.epochs)
    else:
        model.train(source["corpus_iterable"], total_examples=model.corpus_count, epochs=model.epochs)
    print(f"training_seconds={time.perf_counter() - t:.6f}", file=sys.stderr)
    model.wv.save_word2vec_format(out)


def fasttext(corpus, out, s):
    """fastText's C++ trainer through its Python module, plain word vectors
    (minn = maxn = 0: no character n-grams, which also makes bucket 0)."""
    import fasttext

    model = fasttext.train_unsupervised(
        input=corpus, model=s["model"], dim=s["dim"], ws=s["window"], neg=s["negative"],
        minCount=s["min_count"], t=s["sample"], thread=s["threads"], epoch=s["epochs"], lr=s["alpha"],
        minn=0, maxn=0, wordNgrams=1, loss="hs" if s["hs"] else "ns", verbose=2)
    words = model.get_words()  # dictionary order = descending frequency
    matrix = model.get_input_matrix()  # bucket=0, so row i is exactly word i's vector
    assert matrix.shape == (len(words), s["dim"]), matrix.shape
    row = " ".join(["%.6f"] * s["dim"])
    with open(out, "w", encoding="utf-8") as f:
        f.write(f"{len(words)} {s['dim']}\n")
        for w, v in zip(words, matrix.tolist()):
            f.write(w + " " + row % tuple(v) + "\n")


def fasttext_subword(corpus, out, s):
    """fastText skip-gram or CBOW with its default character n-grams (minn 3,
    maxn 6, bucket 2,000,000). Writes each vocabulary word's vector as fastText
    gives it (get_word_vector: the mean of the word's row and its n-gram rows),
    as `fasttext print-word-vectors` and its .vec file do."""
    import fasttext

    model = fasttext.train_unsupervised(
        input=corpus, model=s["model"], dim=s["dim"], ws=s["window"], neg=s["negative"],
        minCount=s["min_count"], t=s["sample"], thread=s["threads"], epoch=s["epochs"], lr=s["alpha"],
        minn=3, maxn=6, bucket=2_000_000, wordNgrams=1, loss="hs" if s["hs"] else "ns", verbose=2)
    words = model.get_words()
    _write_vectors(out, words, [model.get_word_vector(w) for w in words], s["dim"])
    # the eval sets' words it never saw, built from their n-grams, for quality.py's all-pairs scores
    from quality import eval_words
    known = set(words)
    unseen = [w for w in eval_words() if w not in known]
    _write_vectors(out + ".unseen.txt", unseen, [model.get_word_vector(w) for w in unseen], s["dim"])


def _write_vectors(path, words, vectors, dim):
    import numpy as np

    matrix = np.array(vectors, dtype=np.float32).reshape(len(words), dim)
    row = " ".join(["%.6f"] * dim)
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{len(words)} {dim}\n")
        for w, v in zip(words, matrix.tolist()):
            f.write(w + " " + row % tuple(v) + "\n")


WORKERS = {
    "gensim": gensim,
    "gensim_file": lambda corpus, out, s: gensim(corpus, out, s, corpus_file=True),
    "fasttext": fasttext,
    "fasttext_subword": fasttext_subword,
}

if __name__ == "__main__":
    tool, corpus, out, settings = sys.argv[1:]
    WORKERS[tool](corpus, out, json.loads(settings))
