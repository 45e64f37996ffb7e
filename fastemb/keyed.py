"""gensim 4's ``KeyedVectors`` names on fastemb's WordVectors: keys and
indexes, norms, adding and reordering rows, gensim-shaped analogy scores, the
word2vec-format aliases, and conversion to and from gensim objects.

A mixin, apart from fastemb/vectors.py (storage, lookup, files) and
fastemb/similarity.py (nearest-word queries): this module holds what exists so
that code written for gensim runs with one import changed. gensim itself is
imported only inside ``to_gensim``, never by importing fastemb. Behaviour was
read by running gensim 4.4; tests/test_keyed.py and tests/test_gensim_conversion.py compare with it.
"""
from __future__ import annotations

import logging
from numbers import Integral
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

if TYPE_CHECKING:
    from .vectors import WordVectors

logger = logging.getLogger("fastemb")

GENSIM_MISSING = "this needs gensim, which fastemb does not install: pip install gensim"


class GensimNames:
    """gensim 4 KeyedVectors methods that are not nearest-word queries."""

    @property
    def index_to_key(self) -> List[str]:
        """The words in row order (gensim's name for ``index_to_word``)."""
        return self.index_to_word

    @property
    def key_to_index(self) -> Dict[str, int]:
        """word -> row (gensim's name for ``word_to_index``)."""
        return self.word_to_index

    @property
    def vector_size(self) -> int:
        """Dimensions of each vector (gensim's name for ``dim``)."""
        return self.dim

    def get_index(self, key: Union[str, int], default: Optional[int] = None) -> int:
        """Row of a word; a row number in range is itself. Otherwise ``default``
        when given, else a KeyError naming the word."""
        row = self.word_to_index.get(key) if isinstance(key, str) else None
        if row is not None:
            return row
        if isinstance(key, Integral) and not isinstance(key, bool) and 0 <= key < len(self):
            return int(key)
        if default is not None:
            return default
        return self.index(key) if isinstance(key, str) else _missing(key, len(self))

    def has_index_for(self, key: Union[str, int]) -> bool:
        """Whether ``key`` is a vocabulary word (or a row number in range)."""
        return self.get_index(key, -1) >= 0

    @property
    def norms(self) -> np.ndarray:
        """Length of each row (float32, one per word), computed on first use."""
        if self._norms is None:
            self._norms = np.linalg.norm(self.vectors, axis=1)
        return self._norms

    def fill_norms(self, force: bool = False) -> None:
        """Compute ``norms`` (and the unit vectors) now; ``force``: again, after
        ``vectors`` were changed in place."""
        if force:
            self._forget_norms()
        self.norms

    def get_normed_vectors(self) -> np.ndarray:
        """Every row scaled to length 1 (zero rows stay zero): ``unit_vectors``."""
        return self.unit_vectors

    def get_vecattr(self, key: Union[str, int], attr: str) -> int:
        """``get_vecattr(word, "count")``: the word's corpus count; KeyError for
        another attribute, or when the counts are not known."""
        if attr != "count" or self.counts is None:
            raise KeyError(f"{attr!r}: the only attribute fastemb keeps is 'count', for vectors of a trained model")
        return int(self.counts[self.get_index(key)])

    def add_vectors(self, keys: Union[str, Sequence[str]], weights, extras=None, replace: bool = False) -> None:
        """Append rows for new words (counts 0 when counts are known). A word
        already present keeps its row, or with ``replace`` gets the new vector
        there. ``weights`` is a vector or a (len(keys) x dim) array."""
        if extras is not None:
            raise ValueError("extras= is not supported: fastemb keeps only vectors and counts")
        if isinstance(keys, str):
            keys = [keys]
        weights = np.asarray(weights, dtype=np.float32).reshape(len(keys), self.dim)
        present = np.array([key in self.word_to_index for key in keys], dtype=bool)
        if replace and present.any():
            self.vectors[[self.word_to_index[key] for key, known in zip(keys, present) if known]] = weights[present]
        new = [key for key, known in zip(keys, present) if not known]
        if new:
            from .formats import check_words

            check_words(new)
            for key in new:
                self.word_to_index.setdefault(key, len(self.index_to_word))
                self.index_to_word.append(key)
            self.vectors = np.concatenate([self.vectors, weights[~present]])
            if self.counts is not None:
                self.counts = np.concatenate([self.counts, np.zeros(len(new), dtype=np.int64)])
        self._forget_norms()

    def __setitem__(self, keys: Union[str, Sequence[str]], weights) -> None:
        """``wv["word"] = vector`` (or a list of words and a matrix): add, or replace the vector."""
        self.add_vectors(keys, weights, replace=True)

    def sort_by_descending_frequency(self) -> None:
        """Reorder rows by count, highest first (equal counts: the later row
        first, as gensim). Without counts (vectors loaded from a file) the rows
        are taken to be in frequency order already, as gensim does by giving a
        loaded file's rows made-up descending counts, and nothing changes."""
        if self.counts is None or not len(self):
            return
        order = np.lexsort((-np.arange(len(self)), -self.counts))
        self.index_to_word[:] = [self.index_to_word[row] for row in order]
        self.word_to_index.clear()
        for row, word in enumerate(self.index_to_word):
            self.word_to_index.setdefault(word, row)
        self.vectors, self.counts = self.vectors[order], self.counts[order]
        self._forget_norms()

    def evaluate_word_analogies(self, analogies, restrict_vocab: int = 300_000, case_insensitive: bool = True,
                                dummy4unknown: bool = False,
                                similarity_function: str = "most_similar") -> Tuple[float, List[Dict]]:
        """Analogy accuracy shaped as gensim returns it: ``(score, sections)``,
        score the fraction right (0-1) and sections a list of dicts
        ``{"section", "correct", "incorrect"}`` holding the question tuples
        (upper-cased when ``case_insensitive``), the last being ``"Total
        accuracy"``. Questions with a word outside the ``restrict_vocab`` first
        words are left out, or counted wrong with ``dummy4unknown``.
        ``similarity_function``: ``"most_similar"`` (3CosAdd) or
        ``"most_similar_cosmul"`` (3CosMul). The rules are those of
        ``evaluate_analogies`` (which returns richer counts), except that a
        malformed line is an error, where gensim skips it."""
        from .evaluate import analogy_outcomes

        methods = {"most_similar": "3cosadd", "most_similar_cosmul": "3cosmul"}
        if similarity_function not in methods:
            raise ValueError(f"similarity_function={similarity_function!r}: use one of {', '.join(methods)}")
        outcomes, _ = analogy_outcomes(self, analogies, restrict_vocab, case_insensitive, methods[similarity_function])
        shown = (lambda question: tuple(word.upper() for word in question)) if case_insensitive else tuple
        sections = []
        for name, questions, right in outcomes:
            wrong = (right == 0) | ((right < 0) & dummy4unknown)
            sections.append({"section": name, "correct": [shown(q) for q, r in zip(questions, right) if r == 1],
                             "incorrect": [shown(q) for q, w in zip(questions, wrong) if w]})
        total = {"section": "Total accuracy", "correct": [q for s in sections for q in s["correct"]],
                 "incorrect": [q for s in sections for q in s["incorrect"]]}
        answered = len(total["correct"]) + len(total["incorrect"])
        return (len(total["correct"]) / answered if answered else 0.0), sections + [total]

    def save_word2vec_format(self, fname, fvocab=None, binary: bool = False) -> None:
        """``save``: word2vec text, or binary with ``binary=True``, written atomically."""
        if fvocab is not None:
            raise ValueError("fvocab= (a separate counts file) is not supported; save_model keeps the counts")
        self.save(fname, binary=binary)

    @classmethod
    def load_word2vec_format(cls, fname, fvocab=None, binary: Optional[bool] = None, encoding: str = "utf8",
                             unicode_errors: str = "strict", limit: Optional[int] = None) -> "WordVectors":
        """``load``: word2vec text or binary (detected from the file, so
        ``binary`` need not be given), fastText .vec or GloVe; ``limit`` keeps
        the first N rows. Counts are not known (gensim makes up descending ones)."""
        if fvocab is not None:
            raise ValueError("fvocab= (a separate counts file) is not supported")
        if encoding.lower().replace("-", "") != "utf8":
            raise ValueError(f"encoding={encoding!r}: word vectors files are read as UTF-8")
        return cls.load(fname, limit=limit, unicode_errors=unicode_errors)

    def to_gensim(self) -> Any:
        """A ``gensim.models.KeyedVectors`` with the same words, order and
        vectors (a copy), and each word's ``count`` when known. Of subword
        vectors, the vocabulary's vectors only. Needs gensim."""
        try:
            from gensim.models import KeyedVectors
        except ImportError:
            raise ImportError(f"to_gensim: {GENSIM_MISSING}") from None
        kv = KeyedVectors(vector_size=self.dim, count=0, dtype=np.float32)
        kv.add_vectors(list(self.index_to_word), self.vectors.copy())
        if self.counts is not None:
            kv.allocate_vecattrs(attrs=["count"], types=[np.int64])
            kv.expandos["count"][:] = self.counts
        return kv


def from_gensim(source: Any) -> "WordVectors":
    """fastemb WordVectors from a gensim ``KeyedVectors``, or from a model that
    has one as ``.wv`` (Word2Vec, FastText): the same words, order and vectors
    (copied), and counts when the KeyedVectors has a ``count`` attribute.

    From FastText's vectors (n-grams of 2 or more characters) the result is a
    SubwordVectors holding gensim's n-gram buckets, whose vectors for unseen
    words are gensim's (the same fastText hashing). gensim itself is not imported.
    """
    from .vectors import SubwordVectors, WordVectors

    kv = getattr(source, "wv", source)
    if not hasattr(kv, "index_to_key") or not hasattr(kv, "vectors"):
        raise TypeError(f"from_gensim: {type(source).__name__} is not a gensim KeyedVectors or a model with .wv")
    words, vectors = list(kv.index_to_key), np.array(kv.vectors, dtype=np.float32)
    counts = getattr(kv, "expandos", {}).get("count")
    if counts is not None:
        counts = np.array(counts, dtype=np.int64)
    ngrams = getattr(kv, "vectors_ngrams", None)
    if ngrams is None or not getattr(kv, "bucket", 0) or len(ngrams) == 0:
        return WordVectors(words, vectors, counts=counts)
    if kv.min_n < 2:  # gensim then counts a lone "<" or ">" as an n-gram; fastText and fastemb do not
        logger.warning("from_gensim: n-grams from min_n=%d differ from fastemb's; unseen words get no vector",
                       kv.min_n)
        return WordVectors(words, vectors, counts=counts)
    return SubwordVectors(words, vectors, np.array(ngrams, dtype=np.float32), kv.min_n, kv.max_n, counts=counts)


def _missing(key: Any, size: int) -> int:
    raise KeyError(f"{key!r} is neither a word in the vocabulary nor a row number below {size}")
