"""Checkpoints and resuming: the identity of a corpus, the state a checkpoint
keeps, and :func:`resume`, which continues an interrupted ``train`` or
``train_more`` from it.

A checkpoint is an ordinary model file (model_format.py) whose ``progress``
holds the run's position (trainer.Position), what kind of run it is, the
kernel build, and the corpus's identity: each file's path and size (cheap,
compared before reading), its word count and a hash of its encoded text
(compared after). Chunk seeds and learning rates depend only on a chunk's
position, so with one thread a resumed run equals an uninterrupted one.
"""
from __future__ import annotations

import hashlib
import logging
import os
from typing import TYPE_CHECKING, List, Optional

import numpy as np

from . import corpus, sentences, trainer
from ._backend import ENVIRONMENT_VARIABLE, kernel_for
from .config import Settings
from .errors import CorpusError
from .history import EpochCallback
from .id_cache import release
from .outputs import PathLike, check_writable
from .vocab import Vocab

if TYPE_CHECKING:
    from .model import Model

log = logging.getLogger("fastemb")
CHECKPOINT_MINUTES = 30.0  # default interval of checkpoints: at most this much work is lost


def resume(checkpoint: PathLike, corpus_paths: corpus.Corpus, progress: Optional[bool] = None,
           checkpoint_every: float = CHECKPOINT_MINUTES, callback: Optional[EpochCallback] = None,
           save_to: Optional[PathLike] = None, **settings) -> "Model":
    """Continue the interrupted run whose checkpoint is ``checkpoint``, on the same corpus.

    The run is a ``train`` or a ``train_more`` (the checkpoint says which, with
    the train_more's epochs and learning rates). It re-reads the corpus,
    refuses (CorpusError) if it differs from the checkpoint's (file sizes,
    word counts, text), and goes on from the next chunk with the same
    learning-rate schedule and chunk seeds, on the kernel build that wrote the
    checkpoint when this machine has it (another rounds floats otherwise, which
    is logged): with one thread, the result equals an uninterrupted run's.
    Checkpoints go on to ``save_to`` (default: ``checkpoint`` itself) every
    ``checkpoint_every`` minutes, and the finished model at the end.
    ``settings``: as for :func:`load_model`. A finished model is returned as it is.
    """
    from .model import Model, _read_checked  # model.py uses this module's helpers: imported when called
    from .run_text import read_corpus, read_more

    saved = _read_checked(checkpoint, settings)
    model = Model._from_saved(saved)
    state = saved.progress
    if state is None:
        log.info("%s holds a finished run: nothing to resume", checkpoint)
        return model
    save_to = checkpoint if save_to is None else save_to
    check_checkpoint(save_to, checkpoint_every)
    more = state.get("kind") == "train_more"  # checkpoints of fastemb before train_more had them: a train
    run_settings = (model._settings_for_run(model.runs, state["epochs"], state["alpha"], state["min_alpha"],
                                            state.get("unicode_errors")) if more else model.settings)
    kernel, build = _resume_kernel(checkpoint, run_settings, state.get("kernel"),
                                   settings.get("backend") is not None)
    _same_files(checkpoint, state["corpus"]["files"], fingerprint(corpus_paths))
    # a train_more's vocabulary already holds any words the run added: map the text onto it as it is
    text = (read_more(model.vocab, model.settings.min_count, corpus_paths, run_settings, False, progress) if more
            else read_corpus(corpus_paths, model.settings, progress))
    differs = _corpus_differs(state["corpus"], model.vocab, text.vocab, text.ids, text.tokens)
    if differs:
        raise CorpusError(f"{corpus.describe(corpus_paths)}: not the corpus of the checkpoint {checkpoint} "
                          f"({differs}); resume with the same corpus")
    log.info("resuming %s from %s: %s", f"train_more (run {model.runs})" if more else "train", checkpoint,
             describe_progress(state))
    start = trainer.Position(**{name: state[name] for name in trainer.Position.__dataclass_fields__})
    run_info = ({name: state.get(name) for name in ("kind", "alpha", "min_alpha", "update_vocab", "unicode_errors")}
                if more else None)
    return model._run(kernel, build, text, run_settings, progress, corpus_id=state["corpus"],
                      run_info=run_info, start=start, checkpoint=save_to, checkpoint_every=checkpoint_every,
                      callback=callback)


def _corpus_differs(saved: dict, model_vocab: Vocab, vocab: Vocab, ids: np.ndarray, tokens: int) -> Optional[str]:
    """How the corpus read for a resume differs from the checkpoint's, or None."""
    if tokens != saved["tokens"]:
        return f"{tokens:,} words; the checkpoint's had {saved['tokens']:,}"
    if vocab.words != model_vocab.words or not np.array_equal(vocab.counts, model_vocab.counts):
        return "as many words, but another vocabulary or other counts"
    if ids_digest(ids) != saved["digest"]:
        return "the same vocabulary and counts, but the text in another order"
    return None


def _resume_kernel(checkpoint: PathLike, settings: Settings, saved_build: Optional[str], chosen: bool):
    """The kernel a resume runs, and its build: the checkpoint's, unless a backend
    was chosen for this resume (argument or environment) or this machine lacks it.
    Builds round floats differently, so another one cannot repeat the run exactly: say so."""
    chosen = chosen or bool(os.environ.get(ENVIRONMENT_VARIABLE)) or os.environ.get("FASTEMB_PORTABLE") == "1"
    kernel, build = kernel_for(settings, prefer=None if chosen else saved_build)
    if saved_build and build != saved_build:
        log.warning("%s was trained with the %s kernel, this run uses %s (%s): the vectors will differ "
                    "slightly from an uninterrupted run's", checkpoint, saved_build, build,
                    "chosen" if chosen else f"{saved_build} is not available here")
    return kernel, build


def fingerprint(corpus_paths: corpus.Corpus) -> List[list]:
    """[path, size in bytes] of each corpus file, in reading order: cheap to
    compare before a resume reads the whole corpus again. Sentences from Python
    have none: their word count, vocabulary and digest identify them."""
    if sentences.given(corpus_paths):
        return []
    return [[str(path), path.stat().st_size] for path in corpus.list_files(corpus_paths)]


def ids_digest(ids: np.ndarray, block: int = 1 << 22) -> str:
    """A hash (BLAKE2b, 128 bits) of the encoded corpus, the text as trained on:
    a resume compares it, so reordered lines are caught too. Reads the ids
    once, in blocks (0.05 s for 17M ids, the 100 MB corpus's size)."""
    digest = hashlib.blake2b(digest_size=16)
    for start in range(0, len(ids), block):
        digest.update(np.ascontiguousarray(ids[start: start + block]).view(np.uint8))
        release(ids, start, start + block)
    return digest.hexdigest()


def _same_files(checkpoint: PathLike, saved: List[list], now: List[list]) -> None:
    if len(saved) != len(now):
        raise CorpusError(f"the corpus has {len(now)} file(s); the checkpoint {checkpoint} was taken on "
                          f"{len(saved)}: resume with the same corpus")
    for (old_path, old_size), (path, size) in zip(saved, now):
        if old_size != size:
            raise CorpusError(f"{path}: {size:,} bytes; the checkpoint {checkpoint} was taken on {old_path} "
                              f"of {old_size:,} bytes: resume with the same corpus")


def describe_progress(state: dict, of: str = "the run done") -> str:
    jobs = state["chunks_per_epoch"] * state["epochs"]
    epoch = state["next_job"] // state["chunks_per_epoch"]
    return f"epoch {epoch + 1} of {state['epochs']}, {100 * state['next_job'] / jobs:.0f}% of {of}"


def check_checkpoint(path: Optional[PathLike], minutes: float) -> None:
    if path is None:
        return
    check_writable(path)
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not minutes >= 0:
        raise ValueError(f"checkpoint_every={minutes!r} must be a number of minutes, 0 or more")
