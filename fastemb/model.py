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
from .subwords import SubwordTable
from .vectors import SubwordVectors, WordVectors
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

    With subwords (``maxn > 0``, say ``minn=3, maxn=6`` as fastText), ``w_in``
    has ``len(vocab) + buckets`` rows, fastText's layout: row ``i`` is word
    ``i``'s own row, row ``len(vocab) + b`` n-gram bucket ``b``. Settings,
    vocabulary, ``w_in`` and ``w_out`` are the whole model: the n-gram table
    (``subwords``) is rebuilt from the vocabulary and settings when needed,
    and ``wv`` is then a :class:`SubwordVectors`.
    """

    def __init__(self, **settings):
        self.settings: Settings = make_settings(**settings)
        self.vocab: Optional[Vocab] = None
        self.w_in: Optional[np.ndarray] = None
        self.w_out: Optional[np.ndarray] = None
        self.stats: Optional[trainer.TrainingStats] = None
        self._subwords: Optional[SubwordTable] = None
        self._wv_cache = None  # (vocab, w_in, SubwordVectors): composing every word costs about a second

    def __repr__(self) -> str:
        trained = f", {len(self.vocab)} words" if self.vocab is not None else ", untrained"
        return f"Model({self.settings.model}, dim={self.settings.dim}{trained})"

    @property
    def subwords(self) -> Optional[SubwordTable]:
        """The input rows of every vocabulary word (None without subwords), built from
        the vocabulary and settings on first use."""
        settings = self.settings
        if settings.maxn == 0 or self.vocab is None:
            return None
        if self._subwords is None or len(self._subwords) != len(self.vocab):
            self._subwords = SubwordTable.build(self.vocab.words, settings.minn, settings.maxn, settings.buckets)
        return self._subwords

    @property
    def wv(self) -> WordVectors:
        """The trained word vectors: rows of ``w_in``, shared, not copied; with
        subwords, a SubwordVectors of the composed vectors (computed once per
        trained model) and the bucket rows of ``w_in`` (shared)."""
        if self.vocab is None:
            raise RuntimeError("the model is not trained yet: call model.train(corpus) first")
        table = self.subwords
        if table is None:
            return WordVectors(self.vocab.words, self.w_in)
        vocab_size = len(self.vocab)
        if len(self.w_in) != trainer.input_rows(vocab_size, self.settings):
            raise ValueError(f"w_in has {len(self.w_in)} rows; a subword model of {vocab_size} words and "
                             f"buckets={table.buckets} needs {trainer.input_rows(vocab_size, self.settings)}")
        cached = self._wv_cache
        if cached is None or cached[0] is not self.vocab or cached[1] is not self.w_in:
            vectors = SubwordVectors(self.vocab.words, table.compose(self.w_in), self.w_in[vocab_size:],
                                     table.minn, table.maxn)
            self._wv_cache = cached = (self.vocab, self.w_in, vectors)
        return cached[2]

    def train(self, corpus_paths: CorpusPaths, progress: bool = True) -> "Model":
        """Read the corpus (files, directories, .gz/.bz2/.xz), build the vocabulary
        and train from scratch. ``progress`` shows a tqdm bar on stderr.
        Returns the model itself."""
        settings = self.settings
        subword = settings.maxn > 0
        kernel = load_kernel(settings.backend, subword=subword)  # fail (or compile) before reading, not after
        started = time.perf_counter()
        with corpus.scan(corpus_paths, max_words=settings.max_words_counting,
                         cache_dir=settings.cache_dir) as scanned:
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
        table = None
        if subword:
            table = SubwordTable.build(vocab.words, settings.minn, settings.maxn, settings.buckets)
            log.info("subwords: n-grams of %d..%d characters, %s buckets; %.1f input rows per word; "
                     "input matrix %.0f MB", settings.minn, settings.maxn, f"{settings.buckets:,}",
                     len(table.rows) / len(vocab), (len(vocab) + settings.buckets) * settings.dim * 4 / 1e6)
        w_in, w_out = trainer.init_matrices(len(vocab), settings)
        log.info("training %s with the %s backend, %d thread(s)", settings.model,
                 resolve(settings.backend), settings.threads)
        stats = trainer.train(kernel, w_in, w_out, ids, tables, settings, progress=progress, subwords=table)
        # one yardstick for every tool: corpus words (rare ones included) x epochs per second
        stats.words = tokens * settings.epochs
        self.vocab, self.w_in, self.w_out, self.stats = vocab, w_in, w_out, stats
        self._subwords, self._wv_cache = table, None
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
