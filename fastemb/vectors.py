"""WordVectors: trained vectors by word; nearest words, analogies, scores, and
matrices for the embedding layer of a Keras or PyTorch model. SubwordVectors:
the same, with vectors for unseen words built from character n-grams."""
from __future__ import annotations

import logging
from typing import Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import formats

logger = logging.getLogger("fastemb")

Words = Union[str, Iterable[str]]
COSMUL_EPSILON = 1e-6  # keeps 3CosMul's division finite (Levy & Goldberg 2014 use 0.001; gensim 1e-6)
OOV_FILLS = ("zeros", "random", "mean")  # embedding_matrix(oov=...)


class WordVectors:
    """Word vectors in frequency order: ``wv["king"]``, ``"king" in wv``, ``len(wv)``.

    ``vectors`` is a (words x dim) float32 array; ``index_to_word`` the words in
    row order and ``word_to_index`` the reverse. Queries use unit-normalised
    copies of the rows, computed once on first use. If a word appears in more
    than one row, lookups use the first (the most frequent).
    """

    def __init__(self, words: Sequence[str], vectors: np.ndarray):
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or len(words) != len(vectors):
            raise ValueError(f"need one row per word: {len(words)} words, vectors of shape {vectors.shape}")
        self.index_to_word: List[str] = list(words)
        self.vectors = vectors
        self.word_to_index: Dict[str, int] = {}
        for i, word in enumerate(self.index_to_word):
            self.word_to_index.setdefault(word, i)
        if len(self.word_to_index) < len(self.index_to_word):
            logger.warning("%d rows repeat an earlier word; lookups use the first row of each word",
                           len(self.index_to_word) - len(self.word_to_index))
        self._unit: Optional[np.ndarray] = None

    def __len__(self) -> int:
        return len(self.index_to_word)

    def __contains__(self, word: str) -> bool:
        return word in self.word_to_index

    def __iter__(self) -> Iterator[str]:
        return iter(self.index_to_word)

    def __getitem__(self, words: Words) -> np.ndarray:
        """The vector of a word, or a (len(words) x dim) array for a list of words."""
        if isinstance(words, str):
            return self.get_vector(words)
        return np.array([self.get_vector(word) for word in words], dtype=np.float32).reshape(-1, self.dim)

    def get_vector(self, word: str) -> np.ndarray:
        """The vector of ``word`` (a row of ``vectors``); KeyError if it has none."""
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
            pass
        hint = next((f"; did you mean {variant!r}?" for variant in (word.lower(), word.title(), word.upper())
                     if variant != word and variant in self.word_to_index), "")
        raise KeyError(f"word {word!r} is not in the vocabulary ({len(self)} words){hint}") from None

    @property
    def unit_vectors(self) -> np.ndarray:
        """Rows scaled to length 1 (zero rows stay zero), computed on first use."""
        if self._unit is None:
            norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
            self._unit = self.vectors / np.where(norms > 0, norms, 1.0)
        return self._unit

    def similarity(self, first: str, second: str) -> float:
        """Cosine similarity of two words' vectors, in [-1, 1]."""
        units, _ = self._query([first, second])
        return float(units[0] @ units[1])

    def most_similar(self, positive: Words = (), negative: Words = (), topn: int = 10,
                     restrict_vocab: Optional[int] = None) -> List[Tuple[str, float]]:
        """The ``topn`` words nearest (by cosine) to the sum of the unit vectors of
        ``positive`` minus those of ``negative``: with ``positive=["king", "woman"],
        negative=["man"]`` this is 3CosAdd (king - man + woman). The query words
        are left out, and only the ``restrict_vocab`` first (most frequent) words
        are candidates. Returns [(word, cosine), ...], best first."""
        positive, negative = _word_list(positive), _word_list(negative)
        units, rows = self._query(positive + negative)
        unit = self.unit_vectors
        signs = np.array([1.0] * len(positive) + [-1.0] * len(negative), dtype=np.float32)
        query = signs @ units
        query /= max(float(np.linalg.norm(query)), 1e-12)
        limit = _limit(restrict_vocab, len(self))
        return self._best(unit[:limit] @ query, rows, topn)

    def most_similar_cosmul(self, positive: Words = (), negative: Words = (), topn: int = 10,
                            restrict_vocab: Optional[int] = None) -> List[Tuple[str, float]]:
        """3CosMul (Levy & Goldberg 2014): the words x with the largest product of
        (1 + cos(x, p)) / 2 over ``positive`` divided by the product over ``negative``
        (plus 1e-6). Less dominated by one large similarity than 3CosAdd. The
        query words are left out. Returns [(word, score), ...], best first."""
        positive, negative = _word_list(positive), _word_list(negative)
        units, rows = self._query(positive + negative)
        limit = _limit(restrict_vocab, len(self))
        shifted = (1.0 + self.unit_vectors[:limit] @ units.T) / 2.0  # (limit x words)
        scores = np.prod(shifted[:, :len(positive)], axis=1) / (
            np.prod(shifted[:, len(positive):], axis=1) + COSMUL_EPSILON)
        return self._best(scores, rows, topn)

    def similar_by_vector(self, vector: np.ndarray, topn: int = 10,
                          restrict_vocab: Optional[int] = None) -> List[Tuple[str, float]]:
        """The ``topn`` words nearest (by cosine) to ``vector``: [(word, cosine), ...]."""
        vector = np.asarray(vector, dtype=np.float32)
        if vector.shape != (self.dim,):
            raise ValueError(f"the vector has shape {vector.shape}; these word vectors have {self.dim} dimensions")
        query = vector / max(float(np.linalg.norm(vector)), 1e-12)
        limit = _limit(restrict_vocab, len(self))
        return self._best(self.unit_vectors[:limit] @ query, [], topn)

    def _query(self, words: List[str]) -> Tuple[np.ndarray, List[int]]:
        """The unit vectors of the query words (one row each), and the rows of
        those that are in the vocabulary (left out of the answers)."""
        if not words:
            raise ValueError("the query is empty: give at least one word in positive or negative")
        rows = [self.word_to_index[word] for word in words if word in self.word_to_index]
        units = np.empty((len(words), self.dim), dtype=np.float32)
        for k, word in enumerate(words):
            if word in self.word_to_index:
                units[k] = self.unit_vectors[self.word_to_index[word]]
            else:  # only a subclass that builds vectors for unseen words gets here without a KeyError
                vector = self.get_vector(word)
                units[k] = vector / max(float(np.linalg.norm(vector)), 1e-12)
        return units, rows

    def _best(self, scores: np.ndarray, excluded: List[int], topn: int) -> List[Tuple[str, float]]:
        """The ``topn`` highest ``scores`` (one per candidate row) outside ``excluded``, best first."""
        if isinstance(topn, bool) or not isinstance(topn, (int, np.integer)) or topn < 1:
            raise ValueError(f"topn={topn!r}: give the number of words to return (1 or more)")
        excluded = [row for row in set(excluded) if row < len(scores)]
        scores[excluded] = -np.inf
        count = min(topn, len(scores) - len(excluded))
        if count <= 0:
            return []
        best = np.argpartition(-scores, count - 1)[:count]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.index_to_word[i], float(scores[i])) for i in best]

    def evaluate_analogies(self, path: formats.PathLike, restrict_vocab: Optional[int] = 30_000,
                           case_insensitive: bool = True, method: str = "3cosadd") -> Dict:
        """Accuracy on analogy questions (``a b c d`` lines, ``: section`` headers, as
        the Google set): see :func:`fastemb.evaluate.evaluate_analogies`."""
        from .evaluate import evaluate_analogies

        return evaluate_analogies(self, path, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive,
                                  method=method)

    def evaluate_word_pairs(self, path: formats.PathLike, restrict_vocab: Optional[int] = None,
                            case_insensitive: bool = True) -> Dict:
        """Spearman and Pearson correlation of cosine similarity with human scores
        (``word1 word2 score`` lines): see :func:`fastemb.evaluate.evaluate_word_pairs`."""
        from .evaluate import evaluate_word_pairs

        return evaluate_word_pairs(self, path, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive)

    def embedding_matrix(self, word_index: Union[Mapping[str, int], Sequence[str]], oov: str = "zeros",
                         dtype=np.float32, num_words: Optional[int] = None, seed: Optional[int] = 0) -> np.ndarray:
        """Rows aligned to a model's own word ids, to initialise its embedding layer.

        ``word_index`` maps words to row numbers (a Keras ``Tokenizer.word_index``,
        which starts at 1) or is a list of words in row order. Row ``i`` of the
        result is the vector of the word with id ``i``; rows no word maps to
        (row 0, Keras's padding) are zeros. With ``num_words`` (as Keras's
        ``Tokenizer(num_words=...)``) the matrix has that many rows and larger ids
        are dropped. Words without a vector get, by ``oov``: ``"zeros"``,
        ``"random"`` (normal, with the mean and spread of the vectors, seeded by
        ``seed``) or ``"mean"`` (the mean vector); their number is logged.
        With SubwordVectors, a word outside the vocabulary gets its vector
        from its n-grams, and only a word without any n-gram is missing.
        """
        if oov not in OOV_FILLS:
            raise ValueError(f"oov={oov!r}: use one of {', '.join(OOV_FILLS)}")
        if not isinstance(word_index, Mapping):
            word_index = {word: i for i, word in enumerate(word_index)}
        for word, i in word_index.items():
            if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or i < 0:
                raise ValueError(f"word_index[{word!r}] = {i!r}: ids must be integers 0 or more")
        if num_words is not None and (not isinstance(num_words, (int, np.integer)) or num_words < 1):
            raise ValueError(f"num_words={num_words!r}: give the number of rows (1 or more), or None")
        rows = num_words if num_words is not None else max(word_index.values(), default=0) + 1
        matrix = np.zeros((rows, self.dim), dtype=dtype)
        wanted = [(word, i) for word, i in word_index.items() if i < rows]
        found = [(i, self.word_to_index[word]) for word, i in wanted if word in self.word_to_index]
        missing = []
        for word, i in wanted:
            if word not in self.word_to_index:
                built = self._unseen_vector(word)
                if built is None:
                    missing.append(i)
                else:
                    matrix[i] = built
        if found:
            ids, sources = np.array(found).T
            matrix[ids] = self.vectors[sources]
        if missing and oov == "mean":
            matrix[missing] = self.vectors.mean(axis=0)
        elif missing and oov == "random":
            rng = np.random.default_rng(seed)
            matrix[missing] = rng.normal(self.vectors.mean(), self.vectors.std(), (len(missing), self.dim))
        built = len(wanted) - len(found) - len(missing)
        logger.info("embedding_matrix: %d rows; %d of %d words have a vector%s, %d do not (%s)",
                    rows, len(wanted) - len(missing), len(wanted),
                    f" ({built} built from n-grams)" if built else "", len(missing), oov)
        return matrix

    def _unseen_vector(self, word: str) -> Optional[np.ndarray]:
        """A vector for a word outside the vocabulary, or None: plain vectors have none."""
        return None

    def plot(self, words: Iterable[str], path: Optional[formats.PathLike] = None,
             pairs: Iterable[Tuple[str, str]] = (), title: Optional[str] = None):
        """Draw ``words`` in 2-D (PCA of their unit vectors) with labels, and each
        (first, second) of ``pairs`` as an arrow; saved to ``path`` if given (the
        format follows the name: .png, .svg, .pdf). Returns the matplotlib Figure.
        Needs matplotlib (``pip install "fastemb[plot]"``)."""
        from .plot import plot_words

        return plot_words(self, words, path=path, pairs=pairs, title=title)

    def save(self, path: formats.PathLike, binary: bool = False) -> None:
        """Write word2vec text format (or binary with ``binary=True``), atomically."""
        formats.write_vectors(path, self.index_to_word, self.vectors, binary=binary)

    @classmethod
    def load(cls, path: formats.PathLike, limit: Optional[int] = None,
             unicode_errors: str = "strict") -> "WordVectors":
        """Read a word2vec text or binary file or a GloVe file (detected); ``limit``
        keeps the first N rows (the N most frequent words)."""
        words, vectors = formats.read_vectors(path, limit=limit, unicode_errors=unicode_errors)
        return cls(words, vectors)


class SubwordVectors(WordVectors):
    """Word vectors of a subword model (``maxn > 0``): the vocabulary's vectors as
    in WordVectors, plus vectors for words it never saw, built from their
    character n-grams.

    ``vectors`` holds each vocabulary word's vector: the mean of its own row and
    its n-gram rows (what ``save`` writes). ``buckets`` is the (buckets x dim)
    matrix of n-gram rows. ``wv["unseen"]`` is the mean of the rows of the
    unseen word's n-grams (see fastemb.subwords), the zero vector for a word
    without any (shorter than ``minn - 2`` characters, or empty); such words
    work in ``similarity`` and ``most_similar`` too. ``"word" in wv`` still
    means "in the vocabulary", and analogy and word-pair scores use vocabulary
    words only, as for every WordVectors.
    """

    def __init__(self, words: Sequence[str], vectors: np.ndarray, buckets: np.ndarray, minn: int, maxn: int):
        super().__init__(words, vectors)
        if buckets.ndim != 2 or buckets.shape[1] != self.dim or len(buckets) == 0:
            raise ValueError(f"the bucket matrix has shape {buckets.shape}; need (buckets x {self.dim})")
        self.buckets = buckets
        self.minn, self.maxn = minn, maxn

    def __repr__(self) -> str:
        return (f"SubwordVectors({len(self)} words x {self.dim} dimensions, {len(self.buckets)} n-gram buckets, "
                f"n = {self.minn}..{self.maxn})")

    def get_vector(self, word: str) -> np.ndarray:
        """The vector of a vocabulary word, or one built from the n-grams of any other word."""
        row = self.word_to_index.get(word)
        if row is not None:
            return self.vectors[row]
        from .subwords import oov_vector

        return oov_vector(word, self.buckets, self.minn, self.maxn)

    def _unseen_vector(self, word: str) -> Optional[np.ndarray]:
        """Its n-gram vector, or None for a word without n-grams (left to embedding_matrix's ``oov``)."""
        from .subwords import char_ngrams, oov_vector

        if not char_ngrams(word, self.minn, self.maxn):
            return None
        return oov_vector(word, self.buckets, self.minn, self.maxn)


def load(path: formats.PathLike, limit: Optional[int] = None, unicode_errors: str = "strict") -> WordVectors:
    """Load word vectors from a word2vec text or binary file or a GloVe file (format detected)."""
    return WordVectors.load(path, limit=limit, unicode_errors=unicode_errors)


def _word_list(words: Words) -> List[str]:
    return [words] if isinstance(words, str) else list(words)


def _limit(restrict_vocab: Optional[int], size: int) -> int:
    """How many of the first rows are candidates."""
    if restrict_vocab is None:
        return size
    if isinstance(restrict_vocab, bool) or not isinstance(restrict_vocab, (int, np.integer)) or restrict_vocab < 1:
        raise ValueError(f"restrict_vocab={restrict_vocab!r}: give a number of words (1 or more), or None for all")
    return min(restrict_vocab, size)
