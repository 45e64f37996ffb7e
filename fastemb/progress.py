"""Progress bars for the long steps: counting, encoding, phrases, training,
saving and evaluation.

Every step takes the same ``progress`` argument: ``None`` (the default) shows
a bar when someone is watching, that is when stderr is a terminal or the code
runs in a Jupyter kernel; ``True`` shows it anywhere (a log file, say);
``False`` never. A bar appears only once its step has taken
:data:`DELAY_SECONDS`, so quick steps stay silent; tqdm's own environment
variables still apply (``TQDM_DELAY=0`` shows every bar at once,
``TQDM_DISABLE=1`` none).
"""
from __future__ import annotations

import os
import sys
from typing import Iterable, Iterator, Optional, Sized, TypeVar

DELAY_SECONDS = 1.0
Progress = Optional[bool]
T = TypeVar("T", bound=Sized)


def watched() -> bool:
    """Whether someone sees stderr as it is written: a terminal or a notebook."""
    stream = sys.stderr
    try:
        if stream is not None and stream.isatty():
            return True
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False
    return "ipykernel" in sys.modules


def shown(progress: Progress) -> bool:
    """Whether a step given ``progress`` (None: auto, True: always, False: never) draws a bar."""
    if progress is None:
        return watched()
    if not isinstance(progress, bool):
        raise TypeError(f"progress={progress!r}: give True, False or None (a bar when stderr is a terminal)")
    return progress


class Bar:
    """One step's bar, or nothing at all: the step calls it the same either way.

    ``total`` may be None (unknown: a count without a percentage) and may grow
    (:meth:`expect`); ``unit`` is what :meth:`update` counts ("word", "B", ...).
    """

    def __init__(self, progress: Progress, desc: str, total: Optional[int] = None, unit: str = "word",
                 initial: int = 0):
        self._bar = None
        if shown(progress):
            from tqdm import tqdm

            # an explicit keyword would override tqdm's TQDM_DELAY, which tests and users may set
            delay = {} if "TQDM_DELAY" in os.environ else {"delay": DELAY_SECONDS}
            self._bar = tqdm(total=total, initial=initial, desc=desc, unit=unit, unit_scale=True,
                             unit_divisor=1024 if unit == "B" else 1000, mininterval=0.5, smoothing=0.1,
                             file=sys.stderr, dynamic_ncols=True, **delay)

    def update(self, done: int) -> None:
        """``done`` more units finished."""
        if self._bar is not None:
            self._bar.update(done)

    def move_to(self, done: int, **postfix: str) -> None:
        """Set the count to ``done`` (for counts kept elsewhere, as the trainer's threads'),
        with ``postfix`` shown after the bar."""
        if self._bar is not None:
            self._bar.n = done
            if postfix:
                self._bar.set_postfix(refresh=False, **postfix)
            self._bar.refresh()

    def expect(self, more: int) -> None:
        """The step turned out to have ``more`` units to do."""
        if self._bar is not None:
            self._bar.total = (self._bar.total or 0) + more
            self._bar.refresh()

    def finish(self) -> None:
        """The step is over: the bar ends full, whatever its total was estimated at."""
        if self._bar is not None:
            self._bar.total = self._bar.n
            self._bar.refresh()

    def ticking(self, items: Iterable[T]) -> Iterator[T]:
        """Yield ``items``, counting each one's ``len()`` as done."""
        for item in items:
            yield item
            self.update(len(item))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> "Bar":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
