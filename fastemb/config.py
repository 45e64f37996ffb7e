"""Every training setting: its default, unit and valid range, validated once.

Defaults follow word2vec.c (Mikolov et al. 2013): skip-gram, 100 dimensions,
window 5, 5 negatives, min-count 5, sample 1e-3, 5 epochs, alpha 0.025 for
skip-gram and 0.05 for CBOW, decaying linearly to alpha * 1e-4.

Subword vectors (fastText's character n-grams, Bojanowski et al. 2017) are
off by default (maxn = 0): the plain model is 2-3x faster and needs no bucket
matrix (2M x dim floats, 800 MB at dim 100). ``maxn=6`` with the default
``minn=3`` and ``buckets=2_000_000`` is fastText's setting.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields
from typing import Optional

MODELS = ("skipgram", "cbow")
BACKENDS = ("auto", "cython", "numba")
KERNELS = ("classic", "batched")  # skip-gram: word2vec.c's per-pair updates, or per window (pWord2Vec)
UNICODE_ERRORS = ("strict", "replace", "ignore")  # invalid UTF-8: refuse, U+FFFD, or drop (as bytes.decode)
MAX_WORDS_COUNTING = 10_000_000  # distinct words the counting table may hold before rare ones are pruned
DEFAULT_ALPHA = {"skipgram": 0.025, "cbow": 0.05}
MIN_ALPHA_FRACTION = 1e-4  # word2vec.c's floor: starting_alpha * 0.0001


@dataclass(frozen=True)
class Settings:
    """Validated hyperparameters of one model. Build with :func:`make_settings`."""

    model: str = "skipgram"
    dim: int = 100
    window: int = 5
    negative: int = 5
    hs: bool = False
    min_count: int = 5
    max_vocab: Optional[int] = None
    phrases: int = 0  # word2phrase passes joining frequent pairs before the vocabulary is built (phrases.py)
    phrases_threshold: float = 100.0  # a pair is joined when its word2phrase score exceeds this
    sample: float = 1e-3
    epochs: int = 5
    alpha: Optional[float] = None
    min_alpha: Optional[float] = None
    threads: Optional[int] = None
    seed: int = 1
    max_sentence_length: int = 10_000
    backend: str = "auto"
    kernel: str = "batched"
    max_words_counting: int = MAX_WORDS_COUNTING
    cache_dir: Optional[str] = None
    minn: int = 3  # shortest character n-gram, in characters (with maxn > 0)
    maxn: int = 0  # longest character n-gram; 0 = no subwords (plain word2vec)
    buckets: int = 2_000_000  # hash buckets for n-grams: a row of dim floats each (with maxn > 0)
    unicode_errors: str = "strict"  # invalid UTF-8 in the corpus: an error, or replaced / dropped and counted

    def as_dict(self) -> dict:
        return asdict(self)


# name -> (type, lowest allowed, highest allowed, unit / meaning for messages)
_RANGES = {
    "dim": (int, 1, 10_000, "vector dimensions"),
    "window": (int, 1, 1_000, "words on each side"),
    "negative": (int, 0, 1_000, "noise words per positive example, 0 with hs=True for hierarchical softmax alone"),
    "min_count": (int, 1, 2**62, "occurrences"),
    "max_vocab": (int, 1, 2**31 - 1, "words"),
    "phrases": (int, 0, 10, "phrase passes before building the vocabulary, 0 = none"),
    "phrases_threshold": (float, 0.0, 1e15, "word2phrase score above which a pair is joined"),
    "sample": (float, 0.0, 1.0, "subsampling threshold, 0 disables"),
    "epochs": (int, 1, 100_000, "passes over the corpus"),
    "alpha": (float, 1e-12, 10.0, "initial learning rate"),
    "min_alpha": (float, 0.0, 10.0, "final learning rate"),
    "threads": (int, 1, 1_024, "worker threads"),
    "seed": (int, 0, 2**63 - 1, "random seed"),
    "max_sentence_length": (int, 1, 10_000_000, "words"),
    # distinct words held while counting; more -> the rarest are pruned (~70 bytes each, 140 in pure Python)
    "max_words_counting": (int, 10, 2**30, "distinct words held while counting"),
    "minn": (int, 1, 100, "characters, shortest n-gram"),
    "maxn": (int, 0, 100, "characters, longest n-gram, 0 disables subwords"),
    # with the vocabulary, the rows of w_in are int32 ids
    "buckets": (int, 1, 2**31 - 2**27, "n-gram hash buckets"),
}


def _check(name: str, value):
    kind, low, high, unit = _RANGES[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name}={value!r} must be a number ({unit}), from {low} to {high}")
    if kind is int and not float(value).is_integer():
        raise ValueError(f"{name}={value!r} must be a whole number ({unit}), from {low} to {high}")
    if not (low <= value <= high):  # also rejects NaN
        raise ValueError(f"{name}={value!r} is out of range: {unit}, from {low} to {high}")
    return kind(value)


def _check_directory(name: str, value) -> str:
    """An existing directory, as a str (checked now, not after counting the corpus)."""
    if not isinstance(value, (str, os.PathLike)) or not os.path.isdir(value):
        raise ValueError(f"{name}={str(value)!r} is not an existing directory")
    return os.fspath(value)


def make_settings(**overrides) -> Settings:
    """Validate keyword settings and fill in the defaults that depend on others.

    Raises ValueError naming the parameter, its value and the valid range; an
    unknown keyword is a TypeError naming the known ones.
    """
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise TypeError(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    values = {k: v for k, v in overrides.items() if v is not None}
    model = values.get("model", "skipgram")
    if model not in MODELS:
        raise ValueError(f"model={model!r} is not one of {', '.join(MODELS)}")
    for name, choices in (("backend", BACKENDS), ("kernel", KERNELS), ("unicode_errors", UNICODE_ERRORS)):
        if name in values and values[name] not in choices:
            raise ValueError(f"{name}={values[name]!r} is not one of {', '.join(choices)}")
    for name, value in values.items():
        if name in _RANGES:
            values[name] = _check(name, value)
    if not isinstance(values.get("hs", False), bool):
        raise ValueError(f"hs={values['hs']!r} must be True or False")
    if values.get("negative", 5) == 0 and not values.get("hs", False):
        raise ValueError("negative=0 leaves nothing to predict with: use negative >= 1, or hs=True "
                         "(hierarchical softmax, --hs)")
    if "cache_dir" in values:
        values["cache_dir"] = _check_directory("cache_dir", values["cache_dir"])
    values.setdefault("alpha", DEFAULT_ALPHA[model])
    values.setdefault("min_alpha", values["alpha"] * MIN_ALPHA_FRACTION)
    if values["min_alpha"] > values["alpha"]:
        raise ValueError(f"min_alpha={values['min_alpha']} must not exceed alpha={values['alpha']}")
    values.setdefault("threads", os.cpu_count() or 1)
    minn, maxn = values.get("minn", Settings.minn), values.get("maxn", Settings.maxn)
    if maxn and minn > maxn:
        raise ValueError(f"minn={minn} must not exceed maxn={maxn} (or set maxn=0 for no subwords)")
    if maxn and values.get("hs", False):
        raise ValueError(f"hs=True with subwords (maxn={maxn}) is not supported: subword training uses "
                         "negative sampling; drop --hs or set maxn=0")
    return Settings(**values)
