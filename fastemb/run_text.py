"""The text of one training run, read and encoded on its vocabulary: a new
model's (:func:`read_corpus`) or a trained model's, for train_more and its
resume (:func:`read_more`). Counting, phrases and encoding are corpus.py's and
phrases.py's; this module strings them together and reports what was read."""
from __future__ import annotations

import ctypes
import logging
import time
from typing import NamedTuple

import numpy as np

from . import corpus
from .config import Settings
from .corpus import Corpus
from .errors import CorpusError
from .phrases import join_scanned
from .progress import Progress
from .vocab import Vocab, build_vocab, map_to_vocab

log = logging.getLogger("fastemb")


class RunText(NamedTuple):
    """Text read for one run, encoded on the vocabulary it maps to."""

    vocab: Vocab
    ids: np.ndarray  # the encoded corpus (see corpus.encode)
    tokens: int  # corpus words, those outside the vocabulary included
    skipped: int = 0  # train_more: occurrences of words not in the vocabulary
    invalid_bytes: int = 0  # invalid UTF-8 bytes replaced or dropped (unicode_errors)


def report_invalid(scanned: corpus.ScannedCorpus, settings: Settings) -> int:
    """Say how many invalid UTF-8 bytes were replaced or dropped (a warning:
    the user chose to go on, but should know); returns their number."""
    summary = scanned.invalid.summary(settings.unicode_errors)
    if summary:
        log.warning("%s (unicode_errors=%s)", summary, settings.unicode_errors)
    return sum(scanned.invalid.per_file.values())


def return_free_memory() -> None:
    """Hand the heap that counting left free (~12 MB on a 100 MB corpus: the word
    table and per-block token lists) back to the system before the big arrays are
    allocated, so that it does not count in the peak. glibc only; elsewhere a no-op."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def read_corpus(corpus_paths: Corpus, settings: Settings, progress: Progress) -> RunText:
    """Scan the corpus, build the vocabulary and encode the text, for a new model."""
    started = time.perf_counter()
    with corpus.scan(corpus_paths, max_words=settings.max_words_counting, cache_dir=settings.cache_dir,
                     unicode_errors=settings.unicode_errors, progress=progress) as scanned:
        if settings.phrases:  # join frequent word pairs ("new_york") first, on the ids
            join_scanned(scanned, settings.phrases, settings.phrases_threshold, settings.min_count,
                         progress=progress)
        vocab, new_id = build_vocab(scanned.words, scanned.counts, settings.min_count, settings.max_vocab)
        distinct, tokens = len(scanned.words), scanned.tokens
        scanned.words = []  # the strings are in vocab now; free the rest
        return_free_memory()
        ids = corpus.encode(scanned, new_id, cache_dir=settings.cache_dir, progress=progress)
    if scanned.prunes:
        log.warning("more than %s distinct words: the rarest were pruned %d time(s) while counting; "
                    "counts of words that came back are lower bounds (--max-words-counting)",
                    f"{settings.max_words_counting:,}", len(scanned.prunes))
    log.info("read %s words, %s distinct; vocabulary %s words (min_count=%d) in %.1f s",
             f"{tokens:,}", f"{distinct:,}", f"{len(vocab):,}", settings.min_count,
             time.perf_counter() - started)
    return RunText(vocab, ids, tokens, 0, report_invalid(scanned, settings))


def read_more(model_vocab: Vocab, min_count: int, corpus_paths: Corpus, run_settings: Settings, update_vocab: bool,
              progress: Progress) -> RunText:
    """Text for train_more, on the model's vocabulary ``model_vocab`` (grown with
    ``update_vocab`` by the new words seen ``min_count`` times, the model's setting)."""
    started = time.perf_counter()
    add_min_count = min_count if update_vocab else None
    with corpus.scan(corpus_paths, max_words=run_settings.max_words_counting, cache_dir=run_settings.cache_dir,
                     unicode_errors=run_settings.unicode_errors, progress=progress) as scanned:
        if run_settings.phrases:  # the vocabulary holds phrases: join the new text's pairs too
            join_scanned(scanned, run_settings.phrases, run_settings.phrases_threshold, run_settings.min_count,
                         progress=progress)
        vocab, new_id = map_to_vocab(model_vocab, scanned.words, scanned.counts, add_min_count)
        tokens, distinct = scanned.tokens, len(scanned.words)
        unknown = int(np.count_nonzero(new_id < 0))
        skipped = tokens - int(scanned.counts[new_id >= 0].sum())
        if skipped == tokens:
            raise CorpusError(f"{corpus.describe(corpus_paths)}: none of its {tokens:,} words is in the model's "
                              "vocabulary; update_vocab=True adds new words")
        scanned.words = []
        ids = corpus.encode(scanned, new_id, cache_dir=run_settings.cache_dir, progress=progress)
    added = len(vocab) - len(model_vocab)
    log.info("read %s words, %s distinct, in %.1f s; %s", f"{tokens:,}", f"{distinct:,}",
             time.perf_counter() - started,
             f"added {added:,} new words (min_count={min_count})" if update_vocab
             else "the vocabulary is unchanged")
    if skipped:
        log.info("skipped %s occurrences (%.1f%%) of %s words not in the vocabulary%s", f"{skipped:,}",
                 100 * skipped / tokens, f"{unknown:,}", " (below min_count)" if update_vocab else "")
    return RunText(vocab, ids, tokens, skipped, report_invalid(scanned, run_settings))
