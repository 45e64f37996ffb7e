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

from . import cli_vectors
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
    p.add_argument("--threads", type=int, help="worker threads (default: all cores); with --workers, threads per worker")
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
    _progress_arguments(p)
    _run_arguments(p)
    _cluster_arguments(p)
    p.set_defaults(run=_run_train)


def _cluster_arguments(p) -> None:
    """Data-parallel training on a Ray cluster: fastemb/distributed.py, docs/distributed.md."""
    g = p.add_argument_group("data-parallel training on a Ray cluster (pip install \"fastemb[ray]\")")
    g.add_argument("--workers", type=int, default=1,
                   help="workers, each with --threads threads and its own shard of the corpus "
                        "(default %(default)s: this process alone)")
    g.add_argument("--cluster", metavar="ADDRESS",
                   help="auto (the running Ray cluster, else a local one; the default with --workers > 1), "
                        "a Ray address such as ray://head:10001, or simulate (the workers one after another here)")
    g.add_argument("--sync-words", type=int, metavar="N",
                   help="words each worker trains between full merges "
                        "(default: 4,000,000 / --workers squared: 1,000,000 for 2, 15,625 for 16)")


def _unicode_errors_argument(p) -> None:
    p.add_argument("--unicode-errors", choices=UNICODE_ERRORS,
                   help="invalid UTF-8 in the corpus: strict (an error, the default), replace (with U+FFFD) "
                        "or ignore (drop the bytes); replaced bytes are counted and reported")


def _progress_arguments(p) -> None:
    shown = p.add_mutually_exclusive_group()
    shown.add_argument("--quiet", action="store_true", help="no progress bars or log lines")
    shown.add_argument("--progress", action="store_true",
                       help="progress bars even when stderr is not a terminal (a log file); by default "
                            "they are shown in a terminal only")


def progress_of(args: argparse.Namespace) -> Optional[bool]:
    """The ``progress`` argument a command's flags ask for: False (--quiet), True
    (--progress), else None: bars when stderr is a terminal."""
    if getattr(args, "quiet", False):
        return False
    return True if getattr(args, "progress", False) else None


def _run_arguments(p) -> None:
    """Saving the model, checkpoints and resume, history: fastemb/model.py."""
    from .checkpoint import CHECKPOINT_MINUTES

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
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(run=_run_demo)


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
    _progress_arguments(p)
    p.set_defaults(run=_run_phrases)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fastemb", description="Fast word2vec-style word embeddings.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _train_parser(subparsers)
    _demo_parser(subparsers)
    _phrases_parser(subparsers)
    cli_vectors.add_parsers(subparsers)
    return parser


# every training setting is a flag of `fastemb train` under the same name (min_count: --min-count)
SETTING_NAMES = tuple(field.name for field in fields(Settings))


def _run_train(args: argparse.Namespace) -> None:
    from .outputs import check_writable
    from .checkpoint import resume
    from .model import Model

    from .distributed import check_arguments, is_distributed

    settings = {name: getattr(args, name) for name in SETTING_NAMES}
    check_arguments(args.workers, args.cluster, args.sync_words)
    if args.resume and is_distributed(args.workers, args.cluster):
        raise ValueError("--resume with --workers > 1 or --cluster is not supported yet")
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
            model = resume(args.resume, args.corpus, progress=progress_of(args), checkpoint_every=args.checkpoint_every,
                           save_to=checkpoint, **{k: v for k, v in settings.items() if v is not None})
        else:
            model.train(args.corpus, progress=progress_of(args), checkpoint=checkpoint,
                        checkpoint_every=args.checkpoint_every, workers=args.workers, cluster=args.cluster,
                        sync_words=args.sync_words)
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
                     passes=args.passes, progress=progress_of(args), max_words_counting=args.max_words_counting,
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
    from .outputs import written_together

    kept = f"; the checkpoint {checkpoint} holds the finished model" if checkpoint else ""
    try:
        with written_together():
            model.wv.save(args.output, binary=args.binary, progress=progress_of(args))
            if args.save_model:
                model.save_model(args.save_model, progress=progress_of(args))
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

    from .outputs import atomic_write

    with atomic_write(path) as stream:
        stream.write(json.dumps(data, indent=2).encode() + b"\n")


def _run_demo(args: argparse.Namespace) -> None:
    from .config import make_settings
    from .demo import run

    make_settings(threads=args.threads, seed=args.seed)  # validate before generating anything
    run(threads=args.threads, seed=args.seed, progress=progress_of(args), output=args.output)


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    quiet = getattr(args, "quiet", False)
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="fastemb: %(message)s")
    try:
        args.run(args)
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
