"""The ``fastemb`` command: ``train``, ``demo``, ``phrases``, and ``similar``, ``analogy``,
``eval``, ``plot``, ``export`` to use trained vectors.

Errors a user can fix print one line on stderr and exit 2; Ctrl-C exits 130.
"""
from __future__ import annotations

import argparse
from dataclasses import fields
import logging
import os
import sys
from typing import List, Optional

from .config import BACKENDS, KERNELS, MODELS, UNICODE_ERRORS, Settings

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _train_parser(subparsers) -> None:
    defaults = Settings()
    p = subparsers.add_parser("train", help="train word vectors on text files",
                              description="Train word vectors (word2vec skip-gram or CBOW, with negative "
                                          "sampling and/or hierarchical softmax).")
    p.add_argument("corpus", nargs="+", help="text files, directories of them, or .gz/.bz2/.xz files")
    p.add_argument("-o", "--output", required=True, help="vectors file to write (word2vec format)")
    p.add_argument("--binary", action="store_true", help="write word2vec's binary format instead of text")
    p.add_argument("--model", choices=MODELS, help=f"default: {defaults.model}")
    p.add_argument("--dim", type=int, help=f"vector dimensions (default {defaults.dim})")
    p.add_argument("--window", type=int, help=f"context words on each side (default {defaults.window})")
    p.add_argument("--negative", type=int,
                   help=f"noise words per example, 0 = none (needs --hs) (default {defaults.negative})")
    p.add_argument("--hs", action="store_true", default=None,
                   help="hierarchical softmax (a Huffman tree over the vocabulary), alone with --negative 0")
    p.add_argument("--min-count", type=int, help=f"ignore rarer words (default {defaults.min_count})")
    p.add_argument("--max-vocab", type=int, help="keep only the N most frequent words (default: no limit)")
    p.add_argument("--phrases", type=int, help="join frequent word pairs first, N passes (default 0: none); "
                                               "see fastemb phrases --help")
    p.add_argument("--phrases-threshold", type=float,
                   help=f"word2phrase score above which a pair is joined (default {defaults.phrases_threshold:g})")
    p.add_argument("--sample", type=float, help=f"subsampling threshold, 0 = off (default {defaults.sample:g})")
    p.add_argument("--epochs", type=int, help=f"passes over the corpus (default {defaults.epochs})")
    p.add_argument("--alpha", type=float, help="initial learning rate (default 0.025 skip-gram, 0.05 CBOW)")
    p.add_argument("--min-alpha", type=float, help="final learning rate (default alpha * 1e-4)")
    p.add_argument("--threads", type=int, help="worker threads (default: all cores)")
    p.add_argument("--seed", type=int, help=f"random seed (default {defaults.seed})")
    p.add_argument("--max-sentence-length", type=int,
                   help=f"cut longer sentences, in words (default {defaults.max_sentence_length})")
    p.add_argument("--backend", choices=BACKENDS, help="compiled code: cython, numba, or auto (default)")
    p.add_argument("--kernel", choices=KERNELS,
                   help="skip-gram updates: batched per window (default) or classic per word pair, as word2vec.c")
    p.add_argument("--max-words-counting", type=int,
                   help=f"distinct words held while counting; past it the rarest are pruned "
                        f"(default {defaults.max_words_counting:,})")
    p.add_argument("--cache-dir", help="directory for the encoded corpus, 4 bytes per word "
                                       "(default: the system's temporary directory)")
    p.add_argument("--minn", type=int, help=f"subwords: shortest character n-gram (default {defaults.minn})")
    p.add_argument("--maxn", type=int,
                   help=f"subwords: longest character n-gram; 0 = no subwords (default {defaults.maxn}; "
                        "fastText's setting is --minn 3 --maxn 6)")
    p.add_argument("--buckets", type=int,
                   help=f"subwords: n-gram hash buckets, dim floats each (default {defaults.buckets:,}: "
                        "800 MB at dim 100)")
    _unicode_errors_argument(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar or log lines")
    _run_arguments(p)


def _unicode_errors_argument(p) -> None:
    p.add_argument("--unicode-errors", choices=UNICODE_ERRORS,
                   help="invalid UTF-8 in the corpus: strict (an error, the default), replace (with U+FFFD) "
                        "or ignore (drop the bytes); replaced bytes are counted and reported")


def _run_arguments(p) -> None:
    """Saving the model, checkpoints and resume, history: fastemb/model.py."""
    from .model import CHECKPOINT_MINUTES

    g = p.add_argument_group("model files, checkpoints and history")
    g.add_argument("--save-model", metavar="FILE",
                   help="also write the whole model (for fastemb.load_model and train_more)")
    g.add_argument("--checkpoint", metavar="FILE",
                   help="save the training state to FILE every --checkpoint-every minutes, and the "
                        "finished model at the end; --resume FILE continues an interrupted run")
    g.add_argument("--checkpoint-every", type=float, default=CHECKPOINT_MINUTES, metavar="MINUTES",
                   help="minutes between checkpoints (default %(default)g)")
    g.add_argument("--resume", metavar="FILE",
                   help="continue the run saved in this checkpoint: give the same corpus (it is read again "
                        "and must match); checkpoints go on to --checkpoint, or to FILE itself")
    g.add_argument("--history", metavar="FILE", help="write per-epoch loss, words/s and seconds as JSON")


def _demo_parser(subparsers) -> None:
    p = subparsers.add_parser("demo", help="train on a built-in corpus with planted structure and show what was learnt")
    p.add_argument("-o", "--output", help="also save the demo vectors here")
    p.add_argument("--threads", type=int, help="worker threads (default: all cores)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _phrases_parser(subparsers) -> None:
    defaults = Settings()  # word2phrase's defaults are word2vec's: threshold 100, min-count 5
    p = subparsers.add_parser(
        "phrases", help="join frequent word pairs with _ (new york -> new_york), as word2phrase",
        description="Join adjacent words a b into a_b when (count(ab) - min_count) / (count(a) count(b)) "
                    "* total_words > threshold (word2phrase's rule). The output is text for fastemb train.")
    p.add_argument("corpus", nargs="+", help="text files, directories of them, or .gz/.bz2/.xz files")
    p.add_argument("-o", "--output", required=True, help="text file to write: one line per input line")
    p.add_argument("--threshold", type=float, default=defaults.phrases_threshold,
                   help="join pairs scoring above this; higher: fewer phrases (default %(default)g)")
    p.add_argument("--min-count", type=int, default=defaults.min_count,
                   help="words and pairs seen fewer times are never joined (default %(default)s)")
    p.add_argument("--passes", type=int, default=1,
                   help="repeat over the joined text for longer phrases (default %(default)s)")
    p.add_argument("--max-words-counting", type=int, default=defaults.max_words_counting,
                   help="distinct words held while counting (default %(default)s)")
    p.add_argument("--cache-dir", help="directory for the id streams, 4 bytes per word "
                                       "(default: the system's temporary directory)")
    _unicode_errors_argument(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar or log lines")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fastemb", description="Fast word2vec-style word embeddings.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _train_parser(subparsers)
    _demo_parser(subparsers)
    _phrases_parser(subparsers)
    _similar_parser(subparsers)
    _analogy_parser(subparsers)
    _eval_parser(subparsers)
    _plot_parser(subparsers)
    _export_parser(subparsers)
    return parser


# every training setting is a flag of `fastemb train` under the same name (min_count: --min-count)
SETTING_NAMES = tuple(field.name for field in fields(Settings))


def _run_train(args: argparse.Namespace) -> None:
    from .formats import check_writable
    from .model import Model, resume

    settings = {name: getattr(args, name) for name in SETTING_NAMES}
    if args.checkpoint_every < 0:
        raise ValueError(f"--checkpoint-every={args.checkpoint_every:g}: give minutes, 0 or more")
    model = None if args.resume else Model(**settings)
    for path in (args.output, args.save_model, args.checkpoint, args.history):
        if path is not None:
            check_writable(path)  # a bad output path fails now, not after training
    _check_distinct_outputs(args)
    checkpoint = args.checkpoint or args.resume
    try:
        if args.resume:
            model = resume(args.resume, args.corpus, progress=not args.quiet, checkpoint_every=args.checkpoint_every,
                           save_to=checkpoint, **{k: v for k, v in settings.items() if v is not None})
        else:
            model.train(args.corpus, progress=not args.quiet, checkpoint=checkpoint,
                        checkpoint_every=args.checkpoint_every)
    except KeyboardInterrupt:
        raise KeyboardInterrupt(_how_to_resume(model, checkpoint, args.checkpoint_every)) from None
    _write_outputs(model, args, checkpoint)
    stats = model.stats
    # one key=value line, for people and for scripts (bench/ reads training_seconds)
    print(f"fastemb: vocabulary={len(model.vocab)} words={stats.words} epochs={model.settings.epochs} "
          f"training_seconds={stats.seconds:.3f} words_per_second={stats.words_per_second:.0f} "
          f"loss={stats.loss:.4f} output={args.output}", file=sys.stderr)


def _run_phrases(args: argparse.Namespace) -> None:
    from .phrases import phrases

    result = phrases(args.corpus, args.output, threshold=args.threshold, min_count=args.min_count,
                     passes=args.passes, progress=not args.quiet, max_words_counting=args.max_words_counting,
                     cache_dir=args.cache_dir, unicode_errors=args.unicode_errors or "strict")
    print(f"fastemb: phrases={len(result.phrases)} joined={result.joins} words_in={result.words_in} "
          f"words_out={result.words_out} seconds={result.seconds:.3f} output={args.output}", file=sys.stderr)


def _check_distinct_outputs(args: argparse.Namespace) -> None:
    """Refuse, before reading anything, an output that would overwrite a corpus
    file or another output of the same run (the checkpoint may be the resumed file)."""
    from .corpus import list_files

    outputs = [(flag, path) for flag, path in (("-o", args.output), ("--save-model", args.save_model),
                                                ("--history", args.history), ("--checkpoint", args.checkpoint))
               if path is not None]
    taken = {os.path.realpath(path): f"the corpus file {path}" for path in list_files(args.corpus)}
    for flag, path in outputs:
        where = os.path.realpath(path)
        if where in taken:
            raise ValueError(f"{flag} {path} would overwrite {taken[where]}; give another file name")
        taken[where] = f"the {flag} output"


def _write_outputs(model, args: argparse.Namespace, checkpoint: Optional[str]) -> None:
    """The vectors, the model and the history, all or none: each goes to a
    temporary file, and all are renamed into place once every one is written."""
    from .errors import PartiallyWritten
    from .formats import written_together

    kept = f"; the checkpoint {checkpoint} holds the finished model" if checkpoint else ""
    try:
        with written_together():
            model.wv.save(args.output, binary=args.binary)
            if args.save_model:
                model.save_model(args.save_model)
            if args.history:
                _write_json(args.history, [record.as_dict() for record in model.history])
    except KeyboardInterrupt:
        raise KeyboardInterrupt(f"while writing the outputs: none was written{kept}") from None
    except PartiallyWritten:  # the message lists what is where
        raise
    except OSError as error:
        raise OSError(f"{error}; no output was written{kept}") from None


def _how_to_resume(model, checkpoint: Optional[str], minutes: float) -> str:
    """What an interrupted train run left behind, and how to go on."""
    if checkpoint is None:
        return "nothing was written"
    saved = model.last_checkpoint if model is not None else None
    if saved is None and not os.path.isfile(checkpoint):
        return f"nothing was written (the first checkpoint comes after {minutes:g} minutes)"
    what = f" ({saved})" if saved else ""
    return f"the checkpoint {checkpoint} is intact{what}; run the same command with --resume {checkpoint} to continue"


def _write_json(path: str, data) -> None:
    import json

    from .formats import atomic_write

    with atomic_write(path) as stream:
        stream.write(json.dumps(data, indent=2).encode() + b"\n")


def _run_demo(args: argparse.Namespace) -> None:
    from .config import make_settings
    from .demo import run

    make_settings(threads=args.threads, seed=args.seed)  # validate before generating anything
    run(threads=args.threads, seed=args.seed, progress=not args.quiet, output=args.output)


# --- using trained vectors: similar, analogy, eval, plot ---------------------------------------

def _vectors_arguments(p) -> None:
    p.add_argument("vectors", help="word vectors file (word2vec text or binary, fastText .vec, GloVe), or a "
                                   "fastemb model file (--save-model; a subword model answers for unseen words)")
    p.add_argument("--limit", type=int, help="read only the N first (most frequent) words")
    p.add_argument("--quiet", action="store_true", help="no summary line on stderr")


def _similar_parser(subparsers) -> None:
    p = subparsers.add_parser("similar", help="the nearest words to each word",
                              description="Print the nearest words (by cosine) to each word given.")
    _vectors_arguments(p)
    p.add_argument("words", nargs="+", metavar="WORD", help="words to look up")
    p.add_argument("--topn", type=int, default=10, help="words to print (default %(default)s)")
    p.add_argument("--restrict-vocab", type=int, help="answer only from the N most frequent words")


def _analogy_parser(subparsers) -> None:
    p = subparsers.add_parser("analogy", help="a is to b as c is to ?",
                              description="Solve 'a is to b as c is to ?' (fastemb analogy v.bin man king woman).")
    _vectors_arguments(p)
    p.add_argument("words", nargs=3, metavar=("A", "B", "C"), help="a b c: the answers are nearest to b - a + c")
    p.add_argument("--topn", type=int, default=5, help="answers to print (default %(default)s)")
    p.add_argument("--method", choices=("3cosadd", "3cosmul"), default="3cosadd", help="default: %(default)s")
    p.add_argument("--restrict-vocab", type=int, help="answer only from the N most frequent words")


def _eval_parser(subparsers) -> None:
    p = subparsers.add_parser("eval", help="score vectors on analogy and word-similarity sets",
                              description="Analogy accuracy and word-pair correlations, as gensim scores them.")
    _vectors_arguments(p)
    p.add_argument("--analogies", nargs="+", default=[], metavar="FILE",
                   help="analogy files in the Google format (': section', then 'a b c d' lines)")
    p.add_argument("--pairs", nargs="+", default=[], metavar="FILE",
                   help="word-pair files: 'word1<TAB>word2<TAB>score' lines, '#' comments")
    p.add_argument("--restrict-vocab", type=int, default=30_000,
                   help="analogies: only the N most frequent words are answers, and questions with other words "
                        "are skipped (default %(default)s; 0 = all words). Word pairs use all words.")
    p.add_argument("--method", choices=("3cosadd", "3cosmul"), default="3cosadd",
                   help="analogy method (default %(default)s)")
    p.add_argument("--case-sensitive", action="store_true", help="do not fold case when matching words")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON, per evaluation file")


def _plot_parser(subparsers) -> None:
    p = subparsers.add_parser("plot", help="draw words in 2-D (PCA), pairs as arrows",
                              description="Draw words in 2-D (PCA of their unit vectors). Needs matplotlib.")
    _vectors_arguments(p)
    p.add_argument("words", nargs="*", metavar="WORD", help="words to draw")
    p.add_argument("-o", "--output", required=True, help="image to write (.png, .svg, .pdf)")
    p.add_argument("--pairs", nargs="+", default=[], metavar="FIRST:SECOND",
                   help="draw an arrow from FIRST to SECOND (man:woman king:queen)")
    p.add_argument("--title", help="title of the picture")


def _export_parser(subparsers) -> None:
    p = subparsers.add_parser("export", help="write vectors for other tools (TensorBoard's embedding projector)",
                              description="Write vectors.tsv and metadata.tsv (word, and count when a model file "
                                          "gives counts) for TensorBoard's embedding projector.")
    _vectors_arguments(p)
    p.add_argument("--projector", required=True, metavar="OUTDIR",
                   help="directory to write vectors.tsv and metadata.tsv into (made if missing)")


def _load_for(args: argparse.Namespace):
    """The vectors a command works on, and the seconds the loading took: a vectors
    file, or a model file's vectors (a subword model's answer for unseen words too)."""
    import time

    from .model_format import is_model_file
    from .vectors import load

    start = time.perf_counter()
    if is_model_file(args.vectors):
        if args.limit is not None:
            raise ValueError(f"--limit reads the first rows of a vectors file; {args.vectors} is a model file, "
                             "which is read whole")
        from .model import load_model

        wv = load_model(args.vectors).wv
    else:
        wv = load(args.vectors, limit=args.limit)
    return wv, time.perf_counter() - start


def _summary(args: argparse.Namespace, wv, load_seconds: float, work: str, work_seconds: float) -> None:
    if not args.quiet:
        print(f"fastemb: loaded {args.vectors} ({len(wv)} words x {wv.dim}) in {load_seconds:.2f} s; "
              f"{work} took {work_seconds * 1000:.1f} ms", file=sys.stderr)


def _table(header: List[str], rows: List[List[str]]) -> str:
    """Rows of text in columns: the first left-aligned, the others right-aligned."""
    widths = [max(len(row[k]) for row in [header] + rows) for k in range(len(header))]
    lines = []
    for row in [header] + rows:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _decimal(value: float, places: int = 4) -> str:
    """``value`` with ``places`` decimals; a tiny negative number (a cosine of -1e-9)
    is 0.0000, not -0.0000, which reads as a sign that means something and widens its column."""
    text = f"{value:.{places}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _unknown_word(error: KeyError) -> ValueError:
    """A KeyError's message as the one-line error the command prints."""
    return ValueError(error.args[0] if error.args else str(error))


def _check_topn(topn: int) -> None:
    if topn < 1:  # the Python API answers [] here, as gensim; a command asked for nothing is a mistake
        raise ValueError(f"topn={topn}: give the number of words to return (1 or more)")


def _run_similar(args: argparse.Namespace) -> None:
    import time

    _check_topn(args.topn)
    wv, load_seconds = _load_for(args)
    start = time.perf_counter()
    try:
        answers = [wv.most_similar(word, topn=args.topn, restrict_vocab=args.restrict_vocab) for word in args.words]
    except KeyError as error:
        raise _unknown_word(error) from None
    query_seconds = time.perf_counter() - start
    for number, (word, answer) in enumerate(zip(args.words, answers)):
        if number:
            print()
        if len(args.words) > 1:
            print(f"nearest to {word}:")
        print(_table(["word", "cosine"], [[w, _decimal(score)] for w, score in answer]))
    _summary(args, wv, load_seconds, f"{len(args.words)} queries" if len(args.words) > 1 else "the query",
             query_seconds)


def _run_analogy(args: argparse.Namespace) -> None:
    import time

    _check_topn(args.topn)
    wv, load_seconds = _load_for(args)
    a, b, c = args.words
    solve = wv.most_similar if args.method == "3cosadd" else wv.most_similar_cosmul
    start = time.perf_counter()
    try:
        answer = solve(positive=[b, c], negative=[a], topn=args.topn, restrict_vocab=args.restrict_vocab)
    except KeyError as error:
        raise _unknown_word(error) from None
    query_seconds = time.perf_counter() - start
    print(f"{a} is to {b} as {c} is to:")
    print(_table(["word", "cosine" if args.method == "3cosadd" else "3cosmul"],
                 [[w, _decimal(score)] for w, score in answer]))
    _summary(args, wv, load_seconds, "the query", query_seconds)


def _run_eval(args: argparse.Namespace) -> None:
    import json
    import math
    import os
    import time

    if not args.analogies and not args.pairs:
        raise ValueError("nothing to evaluate: give --analogies FILE and/or --pairs FILE")
    if args.restrict_vocab < 0:
        raise ValueError(f"--restrict-vocab={args.restrict_vocab}: give a number of words, or 0 for all")
    for path in args.analogies + args.pairs:  # a missing file fails before loading the vectors
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{path}: no such evaluation file")
    if args.json:
        from .formats import check_writable

        check_writable(args.json)
    wv, load_seconds = _load_for(args)
    start = time.perf_counter()
    results = {"vectors": str(args.vectors), "words": len(wv), "dim": wv.dim, "analogies": {}, "pairs": {}}
    for path in args.analogies:
        result = wv.evaluate_analogies(path, restrict_vocab=args.restrict_vocab or None,
                                       case_insensitive=not args.case_sensitive, method=args.method)
        results["analogies"][path] = result
        print(f"analogies: {path} ({args.method}, answers among the {result['restrict_vocab']} most frequent words)")
        rows = [[s["section"], f"{100 * s['accuracy']:.2f}%", str(s["correct"]), str(s["attempted"]),
                 str(s["skipped"])] for s in result["sections"] + [result]]
        print(_table(["section", "accuracy", "correct", "attempted", "skipped"], rows) + "\n")
    if args.pairs:
        rows = []
        for path in args.pairs:
            result = wv.evaluate_word_pairs(path, restrict_vocab=None, case_insensitive=not args.case_sensitive)
            results["pairs"][path] = result = dict(result)  # fastemb's keys, for the table and JSON
            rows.append([path, _decimal(result["spearman"]), _decimal(result["pearson"]), str(result["pairs"]),
                         str(result["oov"])])
        print(_table(["word pairs", "spearman", "pearson", "pairs", "oov"], rows))
    seconds = time.perf_counter() - start
    if args.json:
        from .formats import atomic_write

        def no_nan(value):  # JSON has no NaN: a correlation over fewer than 2 pairs is null
            if isinstance(value, float) and math.isnan(value):
                return None
            if isinstance(value, dict):
                return {key: no_nan(item) for key, item in value.items()}
            if isinstance(value, list):
                return [no_nan(item) for item in value]
            return value

        with atomic_write(args.json) as stream:
            stream.write(json.dumps(no_nan(results), indent=2).encode() + b"\n")
    _summary(args, wv, load_seconds, "evaluation", seconds)


def _run_plot(args: argparse.Namespace) -> None:
    import time

    pairs = []
    for text in args.pairs:
        parts = text.split(":")
        if len(parts) != 2 or not all(parts):
            raise ValueError(f"--pairs: {text!r} is not FIRST:SECOND (for example man:woman)")
        pairs.append(tuple(parts))
    from .formats import check_writable

    check_writable(args.output)
    wv, load_seconds = _load_for(args)
    start = time.perf_counter()
    try:
        wv.plot(args.words, args.output, pairs=pairs, title=args.title)
    except KeyError as error:
        raise _unknown_word(error) from None
    if not args.quiet:
        print(f"fastemb: wrote {args.output}", file=sys.stderr)
    _summary(args, wv, load_seconds, "the plot", time.perf_counter() - start)


def _run_export(args: argparse.Namespace) -> None:
    import time

    from .model_format import is_model_file

    if args.limit is not None and args.limit < 1:
        raise ValueError(f"--limit={args.limit}: give a number of words (1 or more)")
    from_model = is_model_file(args.vectors)  # a model is read whole; its first rows are taken when writing
    wv, load_seconds = _load_for(argparse.Namespace(**{**vars(args), "limit": None}) if from_model else args)
    start = time.perf_counter()
    wv.save_projector(args.projector, limit=args.limit)
    if not args.quiet:
        rows = len(wv) if args.limit is None else min(args.limit, len(wv))
        print(f"fastemb: wrote {rows} rows to {os.path.join(args.projector, 'vectors.tsv')} and metadata.tsv",
              file=sys.stderr)
    _summary(args, wv, load_seconds, "the export", time.perf_counter() - start)


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    quiet = getattr(args, "quiet", False)
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="fastemb: %(message)s")
    try:
        {"train": _run_train, "demo": _run_demo, "phrases": _run_phrases, "similar": _run_similar, "analogy": _run_analogy,
         "eval": _run_eval, "plot": _run_plot, "export": _run_export}[args.command](args)
    except KeyboardInterrupt as interrupt:
        print(f"fastemb: interrupted; {interrupt.args[0] if interrupt.args else 'nothing was written'}",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except (ValueError, OSError, ImportError, ArithmeticError) as error:
        print(f"fastemb: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:  # the matrices or the vocabulary did not fit: say which knobs shrink them
        print("fastemb: error: out of memory; lower --dim, --max-vocab, --buckets or --max-words-counting "
              "(or raise --min-count)", file=sys.stderr)
        return EXIT_USAGE
    return 0
