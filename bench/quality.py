"""The quality of a run's vectors, scored by fastemb's own evaluators.

Every tool's vectors are scored by the same code (fastemb.evaluate, which
gives gensim's figures; see the README's "How the scores are computed"):

* analogies: ../shared/eval/questions-words.txt, 3CosAdd, answers among the
  30,000 most frequent words (every tool writes its vectors most frequent
  first), case-insensitive; questions with a word outside those are skipped
  and counted;
* word pairs: WordSim-353, SimLex-999, MEN-3k and Stanford Rare Words (RW,
  Luong et al. 2013), Spearman's rho over the pairs whose two words are in
  the vocabulary (oov pairs counted). The rule is the same for every tool,
  subword models included: they could build vectors for RW's unseen words,
  but a word-only model cannot, and scoring each on different pairs would
  not compare them. Both subword rows are scored from their vocabulary's
  vectors (the .vec file each writes), on the same pairs when their
  vocabularies agree;
* RW over all pairs (`rw_all_spearman`), for the subword rows only: every
  word gets the tool's own vector, its vocabulary vector or, for a word it
  never saw, the one it builds from n-grams (fastemb's `wv[word]` from the
  model file it saved, fastText's `get_word_vector` written by its worker);
  the same rule for both.

`evaluate()` runs this file as a script in a Python that has fastemb (and
scipy), so that the benchmark's own Python needs neither:

    python bench/quality.py VECTORS --analogies FILE --pairs NAME=FILE ...

prints one line of JSON.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = REPO_ROOT.parent / "shared" / "eval"
ANALOGIES = EVAL_DIR / "questions-words.txt"
PAIRS = {  # short name (used in results and tables) -> file
    "ws353": EVAL_DIR / "wordsim353.tsv",
    "simlex": EVAL_DIR / "simlex999.txt",
    "men": EVAL_DIR / "word-sim" / "EN-MEN-TR-3k.txt",
    "rw": EVAL_DIR / "word-sim" / "EN-RW-STANFORD.txt",
}
RESTRICT_VOCAB = 30_000  # analogy answers among the most frequent words, as word2vec's compute-accuracy
ALL_PAIRS = ("rw",)  # sets also scored over all pairs when a subword row gives unseen words vectors
MODEL_SUFFIX, UNSEEN_SUFFIX = ".model.npz", ".unseen.txt"  # as in runners.py


def evaluate(python, vectors, analogies=ANALOGIES, pairs=PAIRS):
    """Scores of a word2vec text file, computed in `python`; on failure a
    dict with `eval_error`, so that one bad file does not stop a benchmark."""
    cmd = [python, str(Path(__file__).resolve()), str(vectors), "--analogies", str(analogies),
           "--pairs"] + [f"{name}={path}" for name, path in pairs.items()]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return {"eval_error": r.stderr[-2000:]}
    return json.loads(r.stdout.strip().splitlines()[-1])


def score(vectors, analogies, pairs):
    """The figures stored with each run (flat keys, so tables can pick them)."""
    try:
        import fastemb
    except ImportError:  # not installed in this Python: the repository's own copy
        sys.path.insert(0, str(REPO_ROOT))
        import fastemb

    wv = fastemb.load(vectors)
    a = wv.evaluate_analogies(analogies, restrict_vocab=RESTRICT_VOCAB)
    result = {
        "vocab_size": len(wv),
        "analogy_pct": 100.0 * a["accuracy"],
        "analogy_correct": a["correct"],
        "analogy_attempted": a["attempted"],
        "analogy_skipped": a["skipped"],
    }
    for name, path in pairs.items():
        p = wv.evaluate_word_pairs(path, restrict_vocab=None)
        result.update({f"{name}_spearman": p["spearman"], f"{name}_pairs": p["pairs"], f"{name}_oov": p["oov"]})
    extended = with_unseen_words(vectors, wv, [pairs[name] for name in ALL_PAIRS if name in pairs])
    if extended is not None:
        for name in [name for name in ALL_PAIRS if name in pairs]:
            p = extended.evaluate_word_pairs(pairs[name], restrict_vocab=None)
            result.update({f"{name}_all_spearman": p["spearman"], f"{name}_all_pairs": p["pairs"]})
    return result


def eval_words(paths=None):
    """The words of word-pair files (default: the all-pairs sets), lower-cased, in order of appearance."""
    paths = [PAIRS[name] for name in ALL_PAIRS] if paths is None else paths
    words = {}
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            parts = line.split("\t") if "\t" in line else line.split()
            if len(parts) >= 3 and not line.startswith("#"):
                words.update({parts[0].lower(): None, parts[1].lower(): None})
    return list(words)


def with_unseen_words(vectors, wv, paths):
    """`wv` plus a row for each word of `paths` outside its vocabulary, built by
    the subword model that wrote `vectors` from the word's n-grams: fastemb's
    from the model file saved beside them, fastText's from the vectors its
    worker wrote beside them. None for a row that has neither (word-only tools)."""
    import numpy as np

    import fastemb

    unseen = [w for w in eval_words(paths) if w not in wv]
    if Path(str(vectors) + MODEL_SUFFIX).exists():
        model = fastemb.load_model(str(vectors) + MODEL_SUFFIX)
        extra = fastemb.WordVectors(unseen, np.array([model.wv[w] for w in unseen], np.float32).reshape(-1, wv.dim))
    elif Path(str(vectors) + UNSEEN_SUFFIX).exists():
        extra = fastemb.load(str(vectors) + UNSEEN_SUFFIX)
    else:
        return None
    return fastemb.WordVectors(wv.index_to_word + extra.index_to_word, np.vstack([wv.vectors, extra.vectors]))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("vectors")
    ap.add_argument("--analogies", default=str(ANALOGIES))
    ap.add_argument("--pairs", nargs="*", default=[f"{n}={p}" for n, p in PAIRS.items()],
                    help="NAME=FILE of word-pair sets")
    a = ap.parse_args(argv)
    pairs = dict(item.split("=", 1) for item in a.pairs)
    # NaN (a correlation over fewer than 2 pairs) is not JSON: null instead.
    scores = {k: (None if isinstance(v, float) and v != v else v)
              for k, v in score(a.vectors, a.analogies, pairs).items()}
    print(json.dumps(scores))


if __name__ == "__main__":
    main()
