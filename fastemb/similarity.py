"""Nearest-word queries of WordVectors, under gensim 4's names and semantics.

A mixin, kept apart from fastemb/vectors.py (storage, lookup, files) so that
each module stays readable: everything here only reads ``vectors``,
``unit_vectors``, ``index_to_word`` and ``get_vector``/``get_index``, which
WordVectors provides. gensim's behaviour was read by running gensim 4.4 and is
checked against it in tests/test_keyed.py; where fastemb differs on purpose,
the method's docstring says so.
"""
from __future__ import annotations

import logging
from numbers import Integral
from typing import Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

logger = logging.getLogger("fastemb")

COSMUL_EPSILON = 1e-6  # keeps 3CosMul's division finite (Levy & Goldberg 2014 use 0.001; gensim 1e-6)
Key = Union[str, int, np.integer]
QueryItem = Union[Key, np.ndarray, Tuple[Union[Key, np.ndarray], float]]
Scored = Union[List[Tuple[str, float]], np.ndarray]


class NearestWords:
    """most_similar and its relatives (cosine, 3CosAdd, 3CosMul, distances)."""

    def most_similar(self, positive: Union[QueryItem, Sequence[QueryItem], None] = None,
                     negative: Union[QueryItem, Sequence[QueryItem], None] = None, topn: Optional[int] = 10,
                     clip_start: int = 0, clip_end: Optional[int] = None, restrict_vocab: Optional[int] = None,
                     indexer=None) -> Scored:
        """The ``topn`` words nearest (by cosine) to the mean of the unit vectors
        of ``positive`` minus those of ``negative``: ``positive=["king", "woman"],
        negative=["man"]`` is 3CosAdd (king - man + woman).

        Items are words, row numbers, raw vectors (added as given, not
        normalised, as gensim does) or ``(item, weight)`` pairs. Query words are
        left out of the answer. Candidates are rows ``clip_start:clip_end``, or
        the ``restrict_vocab`` first (most frequent) rows when given (0 or None:
        all). Returns [(word, cosine), ...] best first (ties: the earlier row
        first); ``topn=None``: the cosine of every candidate, a float32 array in
        row order, query words included; ``topn`` below 1: []. An unknown word
        is a KeyError; no item at all, a ValueError. ``indexer`` (gensim's
        approximate search) is not supported: it must be None.
        """
        _refuse_indexer(indexer)
        if _returns_nothing(topn):
            return []
        items = _items(positive, 1.0) + _items(negative, -1.0)
        if not items:
            raise ValueError("the query is empty: give at least one word in positive or negative")
        query = self.get_mean_vector([key for key, _ in items], [weight for _, weight in items],
                                     pre_normalize=True, post_normalize=True, ignore_missing=False)
        start, end = _candidates(len(self), clip_start, clip_end, restrict_vocab)
        scores = self._cosines(start, end, query[:, None])[:, 0]
        return self._answer(scores, start, self._query_rows(key for key, _ in items), topn)

    def most_similar_cosmul(self, positive: Union[QueryItem, Sequence[QueryItem], None] = None,
                            negative: Union[QueryItem, Sequence[QueryItem], None] = None,
                            topn: Optional[int] = 10, restrict_vocab: Optional[int] = None) -> Scored:
        """3CosMul (Levy & Goldberg 2014): the words x with the largest product of
        (1 + cos(x, p)) / 2 over ``positive`` divided by the product over
        ``negative`` (plus 1e-6); less dominated by one large similarity than
        3CosAdd. Items are words, row numbers or raw vectors; query words are
        left out. Returns [(word, score), ...] best first, or with
        ``topn=None`` every candidate's score (a float array, row order).
        Without a positive item, a ValueError (as gensim).

        Differences from gensim, on purpose: a raw vector counts by its
        direction (gensim takes its dot product unnormalised, which is a cosine
        only for unit vectors), and ``restrict_vocab`` limits the candidates
        (gensim 4.4 accepts it and ignores it).
        """
        if _returns_nothing(topn):
            return []
        positive, negative = _items(positive, 1.0), _items(negative, 1.0)
        if not positive:
            raise ValueError("cannot compute 3CosMul without a positive word or vector")
        keys = [key for key, _ in positive + negative]
        units = np.array([self._unit_of(key) for key in keys], dtype=np.float32).reshape(len(keys), self.dim)
        _, end = _candidates(len(self), 0, None, restrict_vocab)
        shifted = (1.0 + self._cosines(0, end, units.T)) / 2.0  # (candidates x items)
        scores = np.prod(shifted[:, :len(positive)], axis=1) / (
            np.prod(shifted[:, len(positive):], axis=1) + COSMUL_EPSILON)
        return self._answer(scores, 0, self._query_rows(keys), topn)

    def similar_by_word(self, word: Key, topn: Optional[int] = 10,
                        restrict_vocab: Optional[int] = None) -> Scored:
        """``most_similar(positive=[word], topn=topn, restrict_vocab=restrict_vocab)``."""
        return self.most_similar(positive=[word], topn=topn, restrict_vocab=restrict_vocab)

    similar_by_key = similar_by_word

    def similar_by_vector(self, vector: np.ndarray, topn: Optional[int] = 10,
                          restrict_vocab: Optional[int] = None) -> Scored:
        """The ``topn`` words nearest (by cosine) to ``vector`` (of ``dim``
        floats): [(word, cosine), ...] best first, as ``most_similar``."""
        vector = np.asarray(vector, dtype=np.float32)
        if vector.shape != (self.dim,):
            raise ValueError(f"the vector has shape {vector.shape}; these word vectors have {self.dim} dimensions")
        return self.most_similar(positive=[vector], topn=topn, restrict_vocab=restrict_vocab)

    def similarity(self, w1: Key, w2: Key) -> float:
        """Cosine similarity of two words' vectors, in [-1, 1]."""
        return float(self._unit_of(w1) @ self._unit_of(w2))

    def distance(self, w1: Key, w2: Key) -> float:
        """Cosine distance, 1 - similarity: in [0, 2]."""
        return 1.0 - self.similarity(w1, w2)

    def n_similarity(self, ws1: Sequence[Key], ws2: Sequence[Key]) -> float:
        """Cosine similarity of the means of two lists of words' (raw) vectors.
        Words without a vector are left out (as gensim); an empty list is a
        ZeroDivisionError (as gensim)."""
        if not (len(ws1) and len(ws2)):
            raise ZeroDivisionError("n_similarity: at least one of the two word lists is empty")
        first = _unit(self.get_mean_vector(ws1, pre_normalize=False))
        second = _unit(self.get_mean_vector(ws2, pre_normalize=False))
        return float(first @ second)

    @staticmethod
    def cosine_similarities(vector_1: np.ndarray, vectors_all: np.ndarray) -> np.ndarray:
        """Cosine of ``vector_1`` (dim) with each row of ``vectors_all`` (n x dim): n floats."""
        vectors_all = np.asarray(vectors_all)
        return (vectors_all @ vector_1) / (np.linalg.norm(vector_1) * np.linalg.norm(vectors_all, axis=1))

    def distances(self, word_or_vector: Union[Key, np.ndarray], other_words: Sequence[Key] = ()) -> np.ndarray:
        """Cosine distances (1 - cosine) from a word or vector to ``other_words``
        (empty: to every row, in row order). An unknown word is a KeyError."""
        vector = (self.get_vector(word_or_vector) if isinstance(word_or_vector, (str, Integral))
                  else np.asarray(word_or_vector))
        others = self.vectors[[self.get_index(word) for word in other_words]] if len(other_words) else self.vectors
        return 1 - self.cosine_similarities(vector, others)

    def closer_than(self, key1: Key, key2: Key) -> List[str]:
        """Words nearer to ``key1`` (by cosine distance) than ``key2`` is, in row
        order, ``key1`` itself left out."""
        distances = self.distances(key1)
        first, second = self.get_index(key1), self.get_index(key2)
        return [self.index_to_word[row] for row in np.flatnonzero(distances < distances[second]) if row != first]

    words_closer_than = closer_than

    def rank(self, key1: Key, key2: Key) -> int:
        """1 + the number of words nearer to ``key1`` than ``key2`` is (1: ``key2`` is the nearest)."""
        return len(self.closer_than(key1, key2)) + 1

    def doesnt_match(self, words: Iterable[Key]) -> str:
        """The word farthest (by cosine) from the mean of the unit vectors of
        ``words``. Words without a vector are left out, with a warning; none
        left is a ValueError. Ties go to the word that sorts first."""
        words = list(words)
        used = [word for word in words if self._has_vector(word)]
        if len(used) < len(words):
            unknown = sorted(set(map(str, words)) - set(map(str, used)))
            logger.warning("doesnt_match: no vector for %s; left out", unknown)
        if not used:
            raise ValueError("doesnt_match: none of the words has a vector")
        units = np.array([self._unit_of(word) for word in used], dtype=np.float32)
        centre = _unit(units.mean(axis=0))
        return min(zip((units @ centre).tolist(), used))[1]

    def get_mean_vector(self, keys: Sequence[Union[Key, np.ndarray]],
                        weights: Optional[Sequence[float]] = None, pre_normalize: bool = True,
                        post_normalize: bool = False, ignore_missing: bool = True) -> np.ndarray:
        """The weighted mean (float32, dim) of the vectors of ``keys`` (words, row
        numbers or raw vectors, which are used as given). ``pre_normalize``: unit
        vectors of words; ``post_normalize``: the mean scaled to length 1.
        ``weights`` (default all 1) divide by the sum of their absolute values.
        Keys without a vector are skipped (``ignore_missing``) or a KeyError.
        An empty ``keys`` is a ValueError."""
        if len(keys) == 0:
            raise ValueError("cannot compute a mean vector of no keys")
        weights = np.ones(len(keys)) if weights is None else np.asarray(weights, dtype=np.float64)
        if len(weights) != len(keys):
            raise ValueError(f"{len(keys)} keys but {len(weights)} weights: give one weight per key")
        total, weight_sum = np.zeros(self.dim, dtype=np.float64), 0.0
        for key, weight in zip(keys, weights):
            if isinstance(key, np.ndarray):
                vector = key
            elif self._has_vector(key):
                vector = self._unit_of(key) if pre_normalize else self.get_vector(key)
            elif ignore_missing:
                continue
            else:
                self.get_vector(key)  # raises the KeyError that names the word
            total += weight * np.asarray(vector, dtype=np.float64)
            weight_sum += abs(weight)
        mean = (total / weight_sum if weight_sum > 0 else total).astype(np.float32)
        return _unit(mean) if post_normalize else mean

    # --- helpers -------------------------------------------------------------------------

    def _cosines(self, start: int, end: int, queries: np.ndarray) -> np.ndarray:
        """Cosine of rows start:end with each column of ``queries`` (unit vectors),
        as (row . query) / |row|: dividing after the product, as gensim does,
        keeps exact zeros exact (the products of unit rows can leave 1e-8). Zero rows score 0."""
        dots = self.vectors[start:end] @ queries
        norms = self.norms[start:end, None]
        return np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)

    def _has_vector(self, key) -> bool:
        """Whether ``key`` has a vector; SubwordVectors says yes for any word."""
        return self.has_index_for(key)

    def _unit_of(self, key) -> np.ndarray:
        """The unit vector of a word or row number, or of a raw vector."""
        if isinstance(key, np.ndarray):
            return _unit(key.astype(np.float32))
        if isinstance(key, str) and key in self.word_to_index:
            return self.unit_vectors[self.word_to_index[key]]
        return _unit(np.asarray(self.get_vector(key), dtype=np.float32))

    def _query_rows(self, keys: Iterable) -> List[int]:
        """Rows of the query words (and row numbers), left out of the answers."""
        return [self.get_index(key) for key in keys if not isinstance(key, np.ndarray) and self.has_index_for(key)]

    def _answer(self, scores: np.ndarray, start: int, excluded: List[int], topn: Optional[int]) -> Scored:
        """All ``scores`` (candidate rows from ``start``) when ``topn`` is None,
        else the ``topn`` best outside ``excluded``, best first, ties by row."""
        if topn is None:
            return scores
        if not isinstance(topn, Integral):
            raise ValueError(f"topn={topn!r}: give a number of words, or None for every score")
        scores = scores.copy()
        local = [row - start for row in set(excluded) if start <= row < start + len(scores)]
        scores[local] = -np.inf
        count = min(int(topn), len(scores) - len(local))
        if count <= 0:
            return []
        best = np.argpartition(-scores, count - 1)[:count]
        best = best[np.lexsort((best, -scores[best]))]
        return [(self.index_to_word[start + i], float(scores[i])) for i in best]


def _returns_nothing(topn) -> bool:
    """gensim answers [] to an integer topn below 1 (False included)."""
    return isinstance(topn, Integral) and topn < 1


def _refuse_indexer(indexer) -> None:
    if indexer is not None:
        raise ValueError("indexer= (gensim's approximate nearest-neighbour search) is not supported: "
                         "fastemb searches exactly; leave it None")


def _items(items, sign: float) -> List[Tuple[object, float]]:
    """(key or vector, weight) for each query item; a lone word or vector is a list of one."""
    if items is None:
        return []
    if isinstance(items, (str, Integral)) or (isinstance(items, np.ndarray) and items.ndim == 1):
        items = [items]
    pairs = []
    for item in items:
        if isinstance(item, (str, Integral, np.ndarray)):
            pairs.append((item, sign))
        else:
            key, weight = item
            pairs.append((key, float(weight)))
    return pairs


def _candidates(size: int, clip_start: int, clip_end: Optional[int],
                restrict_vocab: Optional[int]) -> Tuple[int, int]:
    """The candidate rows [start, end): the ``restrict_vocab`` first if given, else the clip range."""
    if restrict_vocab:
        if not isinstance(restrict_vocab, Integral) or restrict_vocab < 0:
            raise ValueError(f"restrict_vocab={restrict_vocab!r}: give a number of words, or None for all")
        return 0, min(int(restrict_vocab), size)
    end = size if not clip_end else min(int(clip_end), size)
    return max(0, int(clip_start)), end


def _unit(vector: np.ndarray) -> np.ndarray:
    """``vector`` scaled to length 1; a zero vector stays zero."""
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector
