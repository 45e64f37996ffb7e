"""Per-epoch accounts of a training run: loss, examples, wall seconds.

Threads take chunks in order, so epochs overlap at chunk granularity: while
one thread finishes the last chunk of epoch e, another may have begun epoch
e + 1. Each chunk's loss is credited to the epoch it belongs to, and an epoch
ends when its last chunk is done. Its ``seconds`` run from the end of the
previous epoch (or the start of the run) to its own end, so they add up to the
run's wall time.
"""
from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass
from typing import Callable, Dict, List, Optional


@dataclass
class EpochRecord:
    """One finished epoch, as ``model.history`` lists it."""

    run: int  # 1 for the first training, 2 for the first train_more, ...
    epoch: int  # 1-based, within its run
    words: int  # corpus words of one pass (rare and unknown ones included), as TrainingStats.words
    examples: int  # positive (centre, context) examples trained, after subsampling
    loss: float  # mean over those examples, of the positive + its noise words (natural log)
    seconds: float  # wall seconds since the previous epoch ended
    alpha_start: float  # learning rate at the epoch's first word
    alpha_end: float  # and at its last word

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict:
        return dict(asdict(self), words_per_second=self.words_per_second)

    @classmethod
    def from_dict(cls, values: Dict) -> "EpochRecord":
        return cls(**{name: values[name] for name in cls.__dataclass_fields__})


EpochCallback = Callable[[EpochRecord], None]  # called after each epoch (Model.train's callback=)


class EpochTally:
    """Loss and examples per epoch, added to by the worker threads, read by the main thread.

    ``state()`` and ``EpochTally(..., state=...)`` carry the sums of unfinished
    epochs across a checkpoint, so a resumed run reports whole epochs.
    """

    def __init__(self, epochs: int, chunks_per_epoch: int, state: Optional[Dict] = None):
        self.chunks_per_epoch = chunks_per_epoch
        self.loss = [0.0] * epochs
        self.examples = [0] * epochs
        self.chunks = [0] * epochs
        self.ended: List[Optional[float]] = [None] * epochs  # perf_counter() at an epoch's last chunk
        self.reported = 0  # epochs handed to report() so far, in order
        self.lock = threading.Lock()
        self.last_end = time.perf_counter()
        self.carried_seconds = 0.0  # of the epoch in progress, spent before a resume
        if state:
            self.loss[: len(state["loss"])] = state["loss"]
            self.examples[: len(state["examples"])] = state["examples"]
            self.chunks[: len(state["chunks"])] = state["chunks"]
            self.reported = state["reported"]
            self.carried_seconds = state["seconds"]

    def add(self, epoch: int, loss: float, examples: int) -> None:
        """Credit one finished chunk of ``epoch``."""
        with self.lock:
            self.loss[epoch] += loss
            self.examples[epoch] += examples
            self.chunks[epoch] += 1
            if self.chunks[epoch] == self.chunks_per_epoch:
                self.ended[epoch] = time.perf_counter()

    def report(self) -> List[tuple]:
        """The epochs finished since the last call, in order, as (epoch, loss, examples, seconds)."""
        done = []
        with self.lock:
            while self.reported < len(self.ended) and self.ended[self.reported] is not None:
                epoch = self.reported
                end = max(self.ended[epoch], self.last_end)  # a later epoch can end first: never negative
                seconds = end - self.last_end + self.carried_seconds
                self.last_end, self.carried_seconds = end, 0.0
                done.append((epoch, self.loss[epoch] / max(self.examples[epoch], 1),
                             self.examples[epoch], seconds))
                self.reported += 1
        return done

    def state(self) -> Dict:
        """The sums to carry across a checkpoint (JSON-ready). Call with the workers paused."""
        with self.lock:
            return {"loss": list(self.loss), "examples": list(self.examples), "chunks": list(self.chunks),
                    "reported": self.reported,
                    "seconds": time.perf_counter() - self.last_end + self.carried_seconds}

    def mean_loss(self) -> float:
        """Over every example of the run so far, resumed parts included."""
        with self.lock:
            return sum(self.loss) / max(sum(self.examples), 1)
