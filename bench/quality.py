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
  vocabularies agree.

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
        p = wv.evaluate_word_pairs(path)
        result.update({f"{name}_spearman": p["spearman"], f"{name}_pairs": p["pairs"], f"{name}_oov": p["oov"]})
    return result


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
