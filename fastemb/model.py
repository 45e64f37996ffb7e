"""Model: settings, vocabulary and both weight matrices, and the steps of a training run."""
from __future__ import annotations

import ctypes
import logging
import time
from typing import Optional, Sequence, Union

import numpy as np

from . import corpus, trainer
from ._backend import load_kernel, resolve
from .config import Settings, make_settings
from .phrases import join_scanned
from .vectors import WordVectors
from .vocab import Vocab, build_vocab

log = logging.getLogger("fastemb")
CorpusPaths = Union[corpus.PathLike, Sequence[corpus.PathLike]]


class Model:
    """A word2vec model (skip-gram or CBOW with negative sampling).

    ``Model(**settings)`` takes the settings of :class:`fastemb.config.Settings`
    (``dim=100``, ``window=5``, ``negative=5``, ``min_count=5``, ``sample=1e-3``,
    ``epochs=5``, ...), validated at once. After :meth:`train`, ``vocab`` holds
    the words, ``w_in`` the word vectors (the input matrix), ``w_out`` the
    output matrix, ``stats`` what the run did, and ``wv`` the vectors to use.
    """

    def __init__(self, **settings):
        self.settings: Settings = make_settings(**settings)
        self.vocab: Optional[Vocab] = None
        self.w_in: Optional[np.ndarray] = None
        self.w_out: Optional[np.ndarray] = None
        self.stats: Optional[trainer.TrainingStats] = None

    def __repr__(self) -> str:
        trained = f", {len(self.vocab)} words" if self.vocab is not None else ", untrained"
        return f"Model({self.settings.model}, dim={self.settings.dim}{trained})"

    @property
    def wv(self) -> WordVectors:
        """The trained word vectors (rows of ``w_in``, shared, not copied)."""
        if self.vocab is None:
            raise RuntimeError("the model is not trained yet: call model.train(corpus) first")
        return WordVectors(self.vocab.words, self.w_in)

    def train(self, corpus_paths: CorpusPaths, progress: bool = True) -> "Model":
        """Read the corpus (files, directories, .gz/.bz2/.xz), build the vocabulary
        and train from scratch. ``progress`` shows a tqdm bar on stderr.
        Returns the model itself."""
        settings = self.settings
        kernel = load_kernel(settings.backend)  # fail (or compile) before reading, not after
        started = time.perf_counter()
        with corpus.scan(corpus_paths, max_words=settings.max_words_counting,
                         cache_dir=settings.cache_dir) as scanned:
            if settings.phrases:  # join frequent word pairs ("new_york") first, on the ids
                join_scanned(scanned, settings.phrases, settings.phrases_threshold, settings.min_count)
            vocab, new_id = build_vocab(scanned.words, scanned.counts, settings.min_count, settings.max_vocab)
            distinct, tokens = len(scanned.words), scanned.tokens
            scanned.words = []  # the strings are in vocab now; free the rest
            _return_free_memory()
            ids = corpus.encode(scanned, new_id, cache_dir=settings.cache_dir)
        if scanned.prunes:
            log.warning("more than %s distinct words: the rarest were pruned %d time(s) while counting; "
                        "counts of words that came back are lower bounds (--max-words-counting)",
                        f"{settings.max_words_counting:,}", len(scanned.prunes))
        log.info("read %s words, %s distinct; vocabulary %s words (min_count=%d) in %.1f s",
                 f"{tokens:,}", f"{distinct:,}", f"{len(vocab):,}", settings.min_count,
                 time.perf_counter() - started)
        tables = trainer.Tables.build(vocab.counts, settings)
        w_in, w_out = trainer.init_matrices(len(vocab), settings)
        log.info("training %s with the %s backend, %d thread(s)", settings.model,
                 resolve(settings.backend), settings.threads)
        stats = trainer.train(kernel, w_in, w_out, ids, tables, settings, progress=progress)
        # one yardstick for every tool: corpus words (rare ones included) x epochs per second
        stats.words = tokens * settings.epochs
        self.vocab, self.w_in, self.w_out, self.stats = vocab, w_in, w_out, stats
        return self


def _return_free_memory() -> None:
    """Hand the heap that counting left free (~12 MB on a 100 MB corpus: the word
    table and per-block token lists) back to the system before the big arrays are
    allocated, so that it does not count in the peak. glibc only; elsewhere a no-op."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def train(corpus_paths: CorpusPaths, progress: bool = True, **settings) -> WordVectors:
    """Train word vectors on a corpus: ``Model(**settings).train(corpus_paths).wv``.

    ``corpus_paths`` is a file, a directory, or a list of them; see :class:`Model`
    for the settings and their defaults.
    """
    return Model(**settings).train(corpus_paths, progress=progress).wv
