"""The ``fastemb`` command: ``fastemb train``, ``fastemb demo``.

Errors a user can fix print one line on stderr and exit 2; Ctrl-C exits 130.
"""
from __future__ import annotations

import argparse
import logging
import sys
from typing import List, Optional

from .config import BACKENDS, MODELS, Settings

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _train_parser(subparsers) -> None:
    defaults = Settings()
    p = subparsers.add_parser("train", help="train word vectors on text files",
                              description="Train word vectors (word2vec skip-gram or CBOW, negative sampling).")
    p.add_argument("corpus", nargs="+", help="text files, directories of them, or .gz/.bz2/.xz files")
    p.add_argument("-o", "--output", required=True, help="vectors file to write (word2vec format)")
    p.add_argument("--binary", action="store_true", help="write word2vec's binary format instead of text")
    p.add_argument("--model", choices=MODELS, default=defaults.model, help="default: %(default)s")
    p.add_argument("--dim", type=int, help=f"vector dimensions (default {defaults.dim})")
    p.add_argument("--window", type=int, help=f"context words on each side (default {defaults.window})")
    p.add_argument("--negative", type=int, help=f"noise words per example (default {defaults.negative})")
    p.add_argument("--min-count", type=int, help=f"ignore rarer words (default {defaults.min_count})")
    p.add_argument("--max-vocab", type=int, help="keep only the N most frequent words (default: no limit)")
    p.add_argument("--sample", type=float, help=f"subsampling threshold, 0 = off (default {defaults.sample:g})")
    p.add_argument("--epochs", type=int, help=f"passes over the corpus (default {defaults.epochs})")
    p.add_argument("--alpha", type=float, help="initial learning rate (default 0.025 skip-gram, 0.05 CBOW)")
    p.add_argument("--min-alpha", type=float, help="final learning rate (default alpha * 1e-4)")
    p.add_argument("--threads", type=int, help="worker threads (default: all cores)")
    p.add_argument("--seed", type=int, help=f"random seed (default {defaults.seed})")
    p.add_argument("--max-sentence-length", type=int,
                   help=f"cut longer sentences, in words (default {defaults.max_sentence_length})")
    p.add_argument("--backend", choices=BACKENDS, help="kernel: cython, numba, or auto (default)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or log lines")


def _demo_parser(subparsers) -> None:
    p = subparsers.add_parser("demo", help="train on a built-in corpus with planted structure and show what was learnt")
    p.add_argument("-o", "--output", help="also save the demo vectors here")
    p.add_argument("--threads", type=int, help="worker threads (default: all cores)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fastemb", description="Fast word2vec-style word embeddings.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _train_parser(subparsers)
    _demo_parser(subparsers)
    return parser


def _run_train(args: argparse.Namespace) -> None:
    from .formats import check_writable
    from .model import Model

    settings = {name: getattr(args, name) for name in (
        "model", "dim", "window", "negative", "min_count", "max_vocab", "sample", "epochs", "alpha",
        "min_alpha", "threads", "seed", "max_sentence_length", "backend")}
    model = Model(**settings)
    check_writable(args.output)  # a bad output path fails now, not after training
    model.train(args.corpus, progress=not args.quiet)
    model.wv.save(args.output, binary=args.binary)
    stats = model.stats
    # one key=value line, for people and for scripts (bench/ reads training_seconds)
    print(f"fastemb: vocabulary={len(model.vocab)} words={stats.words} epochs={model.settings.epochs} "
          f"training_seconds={stats.seconds:.3f} words_per_second={stats.words_per_second:.0f} "
          f"loss={stats.loss:.4f} output={args.output}", file=sys.stderr)


def _run_demo(args: argparse.Namespace) -> None:
    from .config import make_settings
    from .demo import run

    make_settings(threads=args.threads, seed=args.seed)  # validate before generating anything
    run(threads=args.threads, seed=args.seed, progress=not args.quiet, output=args.output)


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    quiet = getattr(args, "quiet", False)
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="fastemb: %(message)s")
    try:
        {"train": _run_train, "demo": _run_demo}[args.command](args)
    except KeyboardInterrupt:
        print("fastemb: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (ValueError, OSError, ImportError, ArithmeticError) as error:
        print(f"fastemb: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    return 0
