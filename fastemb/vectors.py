"""WordVectors: trained vectors by word, with nearest-neighbour queries and saving."""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import formats


class WordVectors:
    """Word vectors in frequency order: ``wv["king"]``, ``"king" in wv``, ``len(wv)``.

    ``vectors`` is a (words x dim) float32 array; ``index_to_word`` the words in
    row order. Queries use unit-normalised copies of the rows, computed once.
    """

    def __init__(self, words: Sequence[str], vectors: np.ndarray):
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or len(words) != len(vectors):
            raise ValueError(f"need one row per word: {len(words)} words, vectors of shape {vectors.shape}")
        self.index_to_word: List[str] = list(words)
        self.vectors = vectors
        self.word_to_index: Dict[str, int] = {word: i for i, word in enumerate(self.index_to_word)}
        self._unit: Optional[np.ndarray] = None

    def __len__(self) -> int:
        return len(self.index_to_word)

    def __contains__(self, word: str) -> bool:
        return word in self.word_to_index

    def __getitem__(self, word: str) -> np.ndarray:
        return self.vectors[self.index(word)]

    def __repr__(self) -> str:
        return f"WordVectors({len(self)} words x {self.dim} dimensions)"

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    def index(self, word: str) -> int:
        """Row of ``word``; KeyError naming the word if it has no vector."""
        try:
            return self.word_to_index[word]
        except KeyError:
            raise KeyError(f"word {word!r} is not in the vocabulary") from None

    @property
    def unit_vectors(self) -> np.ndarray:
        """Rows scaled to length 1 (zero rows stay zero), computed on first use."""
        if self._unit is None:
            norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
            self._unit = self.vectors / np.where(norms > 0, norms, 1.0)
        return self._unit

    def similarity(self, first: str, second: str) -> float:
        """Cosine similarity of two words' vectors, in [-1, 1]."""
        unit = self.unit_vectors
        return float(unit[self.index(first)] @ unit[self.index(second)])

    def most_similar(self, positive: Union[str, Iterable[str]] = (), negative: Iterable[str] = (),
                     topn: int = 10) -> List[Tuple[str, float]]:
        """The ``topn`` words nearest (by cosine) to the mean of the unit vectors of
        ``positive`` minus those of ``negative`` (3CosAdd for analogies: king - man + woman).
        The query words themselves are left out. Returns [(word, cosine), ...], best first."""
        positive = [positive] if isinstance(positive, str) else list(positive)
        negative = list(negative)
        if not positive and not negative:
            raise ValueError("most_similar needs at least one word")
        unit = self.unit_vectors
        rows = [self.index(word) for word in positive + negative]
        signs = np.array([1.0] * len(positive) + [-1.0] * len(negative), dtype=np.float32)
        query = signs @ unit[rows]
        query /= max(float(np.linalg.norm(query)), 1e-12)
        scores = unit @ query
        scores[rows] = -np.inf
        topn = max(0, min(topn, len(self) - len(set(rows))))
        best = np.argpartition(-scores, topn - 1)[:topn] if topn else np.zeros(0, np.int64)
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.index_to_word[i], float(scores[i])) for i in best]

    def save(self, path: formats.PathLike, binary: bool = False) -> None:
        """Write word2vec text format (or binary with ``binary=True``), atomically."""
        formats.write_vectors(path, self.index_to_word, self.vectors, binary=binary)

    @classmethod
    def load(cls, path: formats.PathLike, limit: Optional[int] = None) -> "WordVectors":
        """Read a word2vec text or binary file (detected); ``limit`` keeps the first N rows."""
        words, vectors = formats.read_vectors(path, limit=limit)
        return cls(words, vectors)


def load(path: formats.PathLike, limit: Optional[int] = None) -> WordVectors:
    """Load word vectors from a word2vec text or binary file (format detected)."""
    return WordVectors.load(path, limit=limit)
