"""The ``fastemb`` subcommands that use trained vectors: ``similar``, ``analogy``,
``eval``, ``plot`` and ``export``. Each reads a vectors file or a model file
(:func:`_load_for`), prints aligned tables on stdout and a summary line on
stderr; errors follow cli.py's rules (one line, exit 2).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from typing import List


def add_parsers(subparsers) -> None:
    """Register the subcommands; each parser's ``run`` default is its function."""
    for add in (_similar_parser, _analogy_parser, _eval_parser, _plot_parser, _export_parser):
        add(subparsers)


def _vectors_arguments(p) -> None:
    p.add_argument("vectors", help="word vectors file (word2vec text or binary, fastText .vec, GloVe), or a "
                                   "fastemb model file (--save-model; a subword model answers for unseen words)")
    p.add_argument("--limit", type=int, help="read only the N first (most frequent) words")
    p.add_argument("--quiet", action="store_true", help="no summary line or progress bar on stderr")


def _similar_parser(subparsers) -> None:
    p = subparsers.add_parser("similar", help="the nearest words to each word",
                              description="Print the nearest words (by cosine) to each word given.")
    _vectors_arguments(p)
    p.add_argument("words", nargs="+", metavar="WORD", help="words to look up")
    p.add_argument("--topn", type=int, default=10, help="words to print (default %(default)s)")
    p.add_argument("--restrict-vocab", type=int, help="answer only from the N most frequent words")
    p.set_defaults(run=_run_similar)


def _analogy_parser(subparsers) -> None:
    p = subparsers.add_parser("analogy", help="a is to b as c is to ?",
                              description="Solve 'a is to b as c is to ?' (fastemb analogy v.bin man king woman).")
    _vectors_arguments(p)
    p.add_argument("words", nargs=3, metavar=("A", "B", "C"), help="a b c: the answers are nearest to b - a + c")
    p.add_argument("--topn", type=int, default=5, help="answers to print (default %(default)s)")
    p.add_argument("--method", choices=("3cosadd", "3cosmul"), default="3cosadd", help="default: %(default)s")
    p.add_argument("--restrict-vocab", type=int, help="answer only from the N most frequent words")
    p.set_defaults(run=_run_analogy)


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
    p.set_defaults(run=_run_eval)


def _plot_parser(subparsers) -> None:
    p = subparsers.add_parser("plot", help="draw words in 2-D (PCA), pairs as arrows",
                              description="Draw words in 2-D (PCA of their unit vectors). Needs matplotlib.")
    _vectors_arguments(p)
    p.add_argument("words", nargs="*", metavar="WORD", help="words to draw")
    p.add_argument("-o", "--output", required=True, help="image to write (.png, .svg, .pdf)")
    p.add_argument("--pairs", nargs="+", default=[], metavar="FIRST:SECOND",
                   help="draw an arrow from FIRST to SECOND (man:woman king:queen)")
    p.add_argument("--title", help="title of the picture")
    p.set_defaults(run=_run_plot)


def _export_parser(subparsers) -> None:
    p = subparsers.add_parser("export", help="write vectors for other tools (TensorBoard's embedding projector)",
                              description="Write vectors.tsv and metadata.tsv (word, and count when a model file "
                                          "gives counts) for TensorBoard's embedding projector.")
    _vectors_arguments(p)
    p.add_argument("--projector", required=True, metavar="OUTDIR",
                   help="directory to write vectors.tsv and metadata.tsv into (made if missing)")
    p.set_defaults(run=_run_export)


def _load_for(args: argparse.Namespace):
    """The vectors a command works on, and the seconds the loading took: a vectors
    file, or a model file's vectors (a subword model's answer for unseen words too)."""
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

    if not args.analogies and not args.pairs:
        raise ValueError("nothing to evaluate: give --analogies FILE and/or --pairs FILE")
    if args.restrict_vocab < 0:
        raise ValueError(f"--restrict-vocab={args.restrict_vocab}: give a number of words, or 0 for all")
    for path in args.analogies + args.pairs:  # a missing file fails before loading the vectors
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{path}: no such evaluation file")
    if args.json:
        from .outputs import check_writable

        check_writable(args.json)
    wv, load_seconds = _load_for(args)
    start = time.perf_counter()
    results = {"vectors": str(args.vectors), "words": len(wv), "dim": wv.dim, "analogies": {}, "pairs": {}}
    for path in args.analogies:
        result = wv.evaluate_analogies(path, restrict_vocab=args.restrict_vocab or None,
                                       case_insensitive=not args.case_sensitive, method=args.method,
                                       progress=False if args.quiet else None)
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
        from .outputs import atomic_write

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

    pairs = []
    for text in args.pairs:
        parts = text.split(":")
        if len(parts) != 2 or not all(parts):
            raise ValueError(f"--pairs: {text!r} is not FIRST:SECOND (for example man:woman)")
        pairs.append(tuple(parts))
    from .outputs import check_writable

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
