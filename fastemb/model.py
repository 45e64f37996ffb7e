"""Model: settings, vocabulary and both weight matrices; training, training more, saving and loading
(checkpoints, corpus identity and resuming: checkpoint.py)."""
from __future__ import annotations

import logging
import os
import time
from dataclasses import asdict, replace
from typing import List, Optional

import numpy as np

from . import corpus, sentences, trainer
from ._backend import kernel_for, resolve
from .checkpoint import CHECKPOINT_MINUTES, check_checkpoint, describe_progress, fingerprint, ids_digest
from .config import Settings, make_settings
from .distributed import check_arguments, is_distributed, train_distributed
from .errors import ModelFormatError
from .outputs import PathLike
from .history import EpochCallback, EpochRecord
from .model_format import SavedModel, read_header, read_model, write_model
from .progress import Progress
from .run_text import RunText, read_corpus, read_more
from .subwords import SubwordTable
from .vectors import SubwordVectors, WordVectors
from .vocab import Vocab

log = logging.getLogger("fastemb")
CorpusPaths = corpus.Corpus  # files and directories, or sentences from Python


class Model:
    """A word2vec model (skip-gram or CBOW, negative sampling and/or hierarchical softmax).

    ``Model(**settings)`` takes the settings of :class:`fastemb.config.Settings`
    (``dim=100``, ``window=5``, ``negative=5``, ``min_count=5``, ``sample=1e-3``,
    ``epochs=5``, ...), validated at once. After :meth:`train`, ``vocab`` holds
    the words, ``w_in`` the word vectors (the input matrix), ``w_out`` the
    output matrix, ``stats`` what the last run did, ``history`` one
    :class:`~fastemb.history.EpochRecord` per epoch of every run, and ``wv``
    the vectors to use. :meth:`save_model` and :func:`load_model` keep all of it;
    :meth:`train_more` continues training.

    With subwords (``maxn > 0``, say ``minn=3, maxn=6`` as fastText), ``w_in``
    has ``len(vocab) + buckets`` rows, fastText's layout: row ``i`` is word
    ``i``'s own row, row ``len(vocab) + b`` n-gram bucket ``b``. Settings,
    vocabulary, ``w_in`` and ``w_out`` are the whole model (a model file keeps
    them): the n-gram table (``subwords``) is rebuilt from the vocabulary and
    settings when needed, and ``wv`` is then a :class:`SubwordVectors`, which
    gives vectors to unseen words too.

    If a run raises (Ctrl-C, divergence), the model holds the state it reached.
    """

    def __init__(self, **settings):
        self.settings: Settings = make_settings(**settings)
        self.vocab: Optional[Vocab] = None
        self.w_in: Optional[np.ndarray] = None
        self.w_out: Optional[np.ndarray] = None
        self.stats: Optional[trainer.TrainingStats] = None
        self.history: List[EpochRecord] = []
        self.runs = 0  # training runs so far: train is run 1, each train_more one more
        self.rounds: list = []  # a data-parallel run's rounds (rounds.RoundRecord), else empty
        self._checkpoint: Optional[PathLike] = None  # where the latest run saves its checkpoints
        self._forget_subwords()

    def __repr__(self) -> str:
        trained = f", {len(self.vocab)} words" if self.vocab is not None else ", untrained"
        return f"Model({self.settings.model}, dim={self.settings.dim}{trained})"

    @property
    def wv(self) -> WordVectors:
        """The trained word vectors, with the vocabulary's counts (``wv.counts``,
        which ``to_gensim`` and ``save_projector`` pass on): rows of ``w_in``,
        shared, not copied; with subwords, a SubwordVectors of the composed
        vectors (computed once per run, about a second for 70k words) and the
        bucket rows of ``w_in`` (shared). The same object until the vocabulary
        or the weights change, so its norms are computed once."""
        self._require_trained()
        cached = self._wv_cache
        if cached is None or cached[0] is not self.vocab or cached[1] is not self.w_in:
            self._wv_cache = cached = (self.vocab, self.w_in, self._vectors())
        return cached[2]

    def _vectors(self) -> WordVectors:
        table, vocab_size = self.subwords, len(self.vocab)
        if table is None:
            return WordVectors(self.vocab.words, self.w_in[:vocab_size], counts=self.vocab.counts)
        rows = trainer.input_rows(vocab_size, self.settings)
        if len(self.w_in) != rows:
            raise ValueError(f"w_in has {len(self.w_in)} rows; a subword model of {vocab_size} words and "
                             f"buckets={table.buckets} needs {rows}")
        return SubwordVectors(self.vocab.words, table.compose(self.w_in), self.w_in[vocab_size:],
                              table.minn, table.maxn, counts=self.vocab.counts)

    @property
    def subwords(self) -> Optional[SubwordTable]:
        """The input rows of every vocabulary word (None without subwords), built
        from the vocabulary and settings on first use (0.6 s for 70k words)."""
        settings = self.settings
        if settings.maxn == 0 or self.vocab is None:
            return None
        if self._subwords is None or self._subwords_of is not self.vocab:
            self._subwords = SubwordTable.build(self.vocab.words, settings.minn, settings.maxn, settings.buckets)
            self._subwords_of = self.vocab
        return self._subwords

    def _forget_subwords(self) -> None:
        """Drop the n-gram table and the composed vectors (a new vocabulary or new weights)."""
        self._subwords: Optional[SubwordTable] = None
        self._subwords_of: Optional[Vocab] = None
        self._wv_cache = None  # (vocab, w_in, the WordVectors of them)

    def _require_trained(self) -> None:
        if self.vocab is None:
            raise RuntimeError("the model is not trained yet: call model.train(corpus) first")

    def train(self, corpus_paths: CorpusPaths, progress: Progress = None, checkpoint: Optional[PathLike] = None,
              checkpoint_every: float = CHECKPOINT_MINUTES, callback: Optional[EpochCallback] = None,
              workers: int = 1, cluster: Optional[str] = None, sync_words: Optional[int] = None) -> "Model":
        """Read the corpus (files, directories, .gz/.bz2/.xz), build the vocabulary
        and train from scratch. ``progress``: a bar on stderr for each long step
        (counting, phrases, encoding, training); None (the default) shows them when
        stderr is a terminal or a notebook, True always, False never.

        ``checkpoint``: a model file written every ``checkpoint_every`` minutes
        (default 30; 0: after every chunk of each thread) between chunks, and at
        the end, when it holds the finished model; :func:`resume` continues an
        interrupted run from it.
        ``callback(record)`` is called on this thread after each epoch with its
        :class:`~fastemb.history.EpochRecord`. Returns the model itself.

        ``workers`` > 1 trains data-parallel on a Ray cluster (the ``ray`` extra:
        ``pip install "fastemb[ray]"``), ``threads`` threads per worker, merging
        the workers' changes every ``sync_words`` words each (default None:
        4,000,000 / workers squared, 1,000,000 for 2 workers and 15,625 for 16,
        with which 16 workers kept one process's quality within 2 points,
        docs/distributed.md);
        ``cluster`` is ``"auto"`` (the default then: join the running Ray
        cluster, else start a local one), a Ray address such as
        ``"ray://head:10001"``, or ``"simulate"`` (the same rounds with virtual
        workers, one after another in this process). See docs/distributed.md.
        """
        check_arguments(workers, cluster, sync_words)
        if is_distributed(workers, cluster):
            return self._train_distributed(corpus_paths, progress, checkpoint, callback, workers, cluster,
                                           sync_words)
        settings = self.settings
        kernel, build = kernel_for(settings)  # fail (or compile) before reading, not after
        check_checkpoint(checkpoint, checkpoint_every)
        files = fingerprint(corpus_paths)
        if checkpoint is not None and sentences.given(corpus_paths) and not sentences.restartable(corpus_paths):
            log.warning("the sentences come from a one-pass iterator: to resume from %s, give resume the same "
                        "sentences again", checkpoint)
        text = read_corpus(corpus_paths, settings, progress)
        self.vocab = vocab = text.vocab
        if settings.maxn:
            log.info("subwords: n-grams of %d..%d characters, %s buckets; %.1f input rows per word; "
                     "input matrix %.0f MB", settings.minn, settings.maxn, f"{settings.buckets:,}",
                     len(self.subwords.rows) / len(vocab),
                     trainer.input_rows(len(vocab), settings) * settings.dim * 4 / 1e6)
        self.w_in, self.w_out = trainer.init_matrices(len(vocab), settings)
        self.history, self.runs, self.stats = [], 1, None
        corpus_id = {"files": files, "tokens": text.tokens, "digest": ids_digest(text.ids) if checkpoint else None}
        return self._run(kernel, build, text, settings, progress, corpus_id=corpus_id, checkpoint=checkpoint,
                         checkpoint_every=checkpoint_every, callback=callback)

    def _train_distributed(self, corpus_paths: CorpusPaths, progress: Progress, checkpoint: Optional[PathLike],
                           callback: Optional[EpochCallback], workers: int, cluster: Optional[str],
                           sync_words: Optional[int], on_round=None, rule: str = "momentum", **merging) -> "Model":
        """Model.train with workers > 1 or a cluster (distributed.py); the model
        changes only when the run succeeds."""
        if checkpoint is not None:
            raise ValueError("checkpoint with workers > 1 is not supported yet; a lost worker is replaced "
                             "from the last merge instead (docs/distributed.md)")
        history: List[EpochRecord] = []

        def on_epoch(tokens: int, epoch: int, loss: float, examples: int, seconds: float, first: float,
                     last: float) -> None:
            record = EpochRecord(1, epoch + 1, tokens, examples, loss, seconds, first, last)
            history.append(record)
            if callback is not None:
                callback(record)

        run = train_distributed(corpus_paths, self.settings, workers, cluster, sync_words, progress,
                                on_epoch=on_epoch, on_round=on_round, rule=rule, **merging)
        self.vocab, self.w_in, self.w_out, self.history, self.runs = run.vocab, run.w_in, run.w_out, history, 1
        self.stats = trainer.TrainingStats(run.tokens * self.settings.epochs, run.seconds, run.loss,
                                           invalid_bytes=run.invalid_bytes, kernel=run.build)
        self.rounds = run.rounds
        self._forget_subwords()
        return self

    def train_more(self, corpus_paths: CorpusPaths, epochs: Optional[int] = None, progress: Progress = None,
                   update_vocab: bool = False, alpha: Optional[float] = None, min_alpha: Optional[float] = None,
                   callback: Optional[EpochCallback] = None, checkpoint: Optional[PathLike] = None,
                   checkpoint_every: float = CHECKPOINT_MINUTES, unicode_errors: Optional[str] = None) -> "Model":
        """Continue training a trained model on the same text or new text.

        Each call is a new run of ``epochs`` passes (default: the model's
        ``epochs``) whose learning rate falls linearly from ``alpha`` to
        ``min_alpha`` again (default: the model's; ``alpha`` alone sets
        ``min_alpha`` to alpha * 1e-4), as gensim's ``train`` on a trained model
        does; its random draws come from the seed and the run number, so a second
        pass over the same text samples anew. With one thread, the result is
        reproducible.

        Words not in the vocabulary are skipped, counted in
        ``stats.skipped_words`` and logged. ``update_vocab=True`` instead adds
        the new words seen at least ``min_count`` times in the new text: they
        get the next ids (the old ones do not move, so ids are no longer in
        frequency order), input rows drawn as a new model's and output rows of
        zeros; every count grows by the new text's, and the subsampling and
        noise tables follow. ``unicode_errors`` reads the new text so (default:
        the model's setting).

        ``checkpoint`` and ``checkpoint_every``: as for :meth:`train`; the
        checkpoint records that it is this train_more run (its number, epochs,
        learning rates, update_vocab), and :func:`resume` continues it, with
        one thread exactly as if it had not stopped. Returns the model itself.
        """
        self._require_trained()
        if update_vocab and self.settings.hs:
            raise ValueError("update_vocab=True with hs=True: the Huffman tree would change with the vocabulary "
                             "and its output rows lose their meaning; train a new model instead")
        run_settings = self._settings_for_run(self.runs + 1, epochs, alpha, min_alpha, unicode_errors)
        kernel, build = kernel_for(run_settings)
        check_checkpoint(checkpoint, checkpoint_every)
        files = fingerprint(corpus_paths) if checkpoint else None
        text = read_more(self.vocab, self.settings.min_count, corpus_paths, run_settings, update_vocab, progress)
        vocab = text.vocab
        added = len(vocab) - len(self.vocab)
        if added:
            self.w_in, self.w_out = trainer.grow_matrices(self.w_in, self.w_out, len(self.vocab), added,
                                                          seed=[self.settings.seed, self.runs + 1])
        self.vocab, self.runs = vocab, self.runs + 1
        corpus_id = {"files": files, "tokens": text.tokens, "digest": ids_digest(text.ids)} if checkpoint else None
        run_info = {"kind": "train_more", "alpha": run_settings.alpha, "min_alpha": run_settings.min_alpha,
                    "update_vocab": update_vocab, "unicode_errors": run_settings.unicode_errors}
        return self._run(kernel, build, text, run_settings, progress, corpus_id=corpus_id,
                         run_info=run_info, checkpoint=checkpoint, checkpoint_every=checkpoint_every, callback=callback)

    def save_model(self, path: PathLike, progress: Progress = None) -> None:
        """Write the whole model (settings, vocabulary and counts, both matrices,
        history) to one file, atomically; :func:`load_model` reads it back.
        The format is described in fastemb/model_format.py. ``progress``: a bar
        (None, the default: in a terminal, once the write has taken a second)."""
        self._require_trained()
        write_model(path, self._saved(), progress)

    def _saved(self, progress: Optional[dict] = None) -> SavedModel:
        stats = asdict(self.stats) if self.stats is not None else None
        return SavedModel(self.settings, self.vocab, self.w_in, self.w_out, self.runs, progress, stats,
                          [record.as_dict() for record in self.history])

    @classmethod
    def _from_saved(cls, saved: SavedModel) -> "Model":
        model = cls.__new__(cls)
        model.settings, model.vocab, model.w_in, model.w_out = saved.settings, saved.vocab, saved.w_in, saved.w_out
        known = trainer.TrainingStats.__dataclass_fields__
        model.stats = trainer.TrainingStats(**{k: v for k, v in saved.stats.items() if k in known}) \
            if saved.stats else None
        model.history = [EpochRecord.from_dict(record) for record in saved.history]
        model.runs, model._checkpoint, model.rounds = saved.runs, None, []
        model._forget_subwords()
        return model

    def _settings_for_run(self, run: int, epochs: Optional[int], alpha: Optional[float],
                          min_alpha: Optional[float], unicode_errors: Optional[str] = None) -> Settings:
        """The model's settings with this run's epochs, learning rates, seed and reading of the text."""
        values = self.settings.as_dict()
        if unicode_errors is not None:
            values["unicode_errors"] = unicode_errors
        if epochs is not None:
            values["epochs"] = epochs
        if alpha is not None:
            values["alpha"], values["min_alpha"] = alpha, min_alpha
        elif min_alpha is not None:
            values["min_alpha"] = min_alpha
        settings = make_settings(**values)
        return replace(settings, seed=run_seed(settings.seed, run))

    def _run(self, kernel, build: str, text: RunText, run_settings: Settings, progress: Progress, *,
             corpus_id: Optional[dict] = None, run_info: Optional[dict] = None,
             start: Optional[trainer.Position] = None,
             checkpoint: Optional[PathLike] = None, checkpoint_every: float = CHECKPOINT_MINUTES,
             callback: Optional[EpochCallback] = None) -> "Model":
        """Train the current matrices on ``text`` for one run, recording its epochs.
        ``run_info``: what a checkpoint must know to go on with this run besides its
        position (a train_more's learning rates, see resume); ``build``: the kernel's (_backend.BUILDS)."""
        tables = trainer.Tables.build(self.vocab.counts, run_settings)
        run = self.runs
        self._checkpoint = checkpoint  # an earlier run's would be described on Ctrl-C as this one's
        self._wv_cache = None  # the weights change in place

        def on_epoch(epoch: int, loss: float, examples: int, seconds: float, first: float, last: float) -> None:
            record = EpochRecord(run, epoch + 1, text.tokens, examples, loss, seconds, first, last)
            self.history.append(record)
            if callback is not None:
                callback(record)

        def save_checkpoint(position: trainer.Position) -> None:
            write_model(checkpoint, self._saved(dict(run_info or {"kind": "train"}, **position.as_dict(),
                                                     epochs=run_settings.epochs, corpus=corpus_id, kernel=build)))
            log.debug("checkpoint %s: %s", checkpoint, self.last_checkpoint)

        control = trainer.RunControl(start, save_checkpoint if checkpoint is not None else None,
                                     checkpoint_every * 60.0, on_epoch)
        log.info("training %s with the %s backend (%s kernel), %d thread(s)", run_settings.model,
                 resolve(run_settings.backend), build, run_settings.threads)
        stats = trainer.train(kernel, self.w_in, self.w_out, text.ids, tables, run_settings, progress=progress,
                              control=control, subwords=self.subwords)
        # one yardstick for every tool: corpus words (rare ones included) x epochs per second
        stats.words, stats.skipped_words, stats.kernel = text.tokens * run_settings.epochs, text.skipped, build
        stats.invalid_bytes = text.invalid_bytes
        self.stats = stats
        if checkpoint is not None:  # the run is over: the checkpoint becomes the finished model
            write_model(checkpoint, self._saved())
        return self

    @property
    def last_checkpoint(self) -> Optional[str]:
        """What the checkpoint file of the latest run holds now ("epoch 3 of 5, 52% of
        the run, saved at 17:50:42", or "the finished model, ..."), None if that run
        has no checkpoint (yet). Read from the file, so that a Ctrl-C landing between
        a save and any bookkeeping after it cannot make it describe another one."""
        if self._checkpoint is None:
            return None
        try:
            progress, saved_at = read_header(self._checkpoint)["progress"], os.path.getmtime(self._checkpoint)
        except (OSError, ModelFormatError):
            return None
        what = describe_progress(progress, of="the run") if progress else "the finished model"
        return f"{what}, saved at {time.strftime('%H:%M:%S', time.localtime(saved_at))}"


def load_model(path: PathLike, **settings) -> Model:
    """Read a model written by :meth:`Model.save_model` (or a checkpoint).

    ``settings`` about the machine (``threads``, ``backend``, ``cache_dir``)
    replace the saved ones; any other given must equal the saved value. Raises
    FileNotFoundError, or ModelFormatError (one line) for a file that is not a
    fastemb model, is damaged, or has a format version this fastemb does not read.
    """
    saved = _read_checked(path, settings)
    if saved.progress is not None:
        log.info("%s is a checkpoint of an unfinished run (%s); fastemb.resume continues it",
                 path, describe_progress(saved.progress))
    return Model._from_saved(saved)


MACHINE_SETTINGS = ("threads", "backend", "cache_dir")  # may differ from the saved ones


def _read_checked(path: PathLike, settings: dict) -> SavedModel:
    """Read a model file; ``settings`` about the machine replace the saved ones,
    any other given must equal the saved value (ValueError naming each that differs)."""
    machine = {k: v for k, v in settings.items() if k in MACHINE_SETTINGS}
    saved = read_model(path, **machine)
    others = {k: v for k, v in settings.items() if k not in MACHINE_SETTINGS and v is not None}
    if others:
        wanted = make_settings(**{**saved.settings.as_dict(), **others})
        differ = [f"{name}={getattr(wanted, name)!r} (saved: {getattr(saved.settings, name)!r})"
                  for name in sorted(others) if getattr(wanted, name) != getattr(saved.settings, name)]
        if differ:
            raise ValueError(f"{path}: {', '.join(differ)}: a saved model's settings are fixed; "
                             f"drop them, or train a new model")
    return saved


def run_seed(seed: int, run: int) -> int:
    """The seed of training run ``run`` (1-based): the model's own for the first,
    one derived from (seed, run) for each train_more, in [0, 2**63)."""
    if run <= 1:
        return seed
    return int(np.random.SeedSequence([seed, run]).generate_state(1, np.uint64)[0] >> np.uint64(1))


def train(corpus_paths: CorpusPaths, progress: Progress = None, workers: int = 1, cluster: Optional[str] = None,
          sync_words: Optional[int] = None, **settings) -> WordVectors:
    """Train word vectors on a corpus: ``Model(**settings).train(corpus_paths).wv``.

    ``corpus_paths`` is a file, a directory, or a list of them; see :class:`Model`
    for the settings and their defaults, and :meth:`Model.train` for
    ``workers``, ``cluster`` and ``sync_words`` (data-parallel training on Ray).
    """
    return Model(**settings).train(corpus_paths, progress=progress, workers=workers, cluster=cluster,
                                   sync_words=sync_words).wv
