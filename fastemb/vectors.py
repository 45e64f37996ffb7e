"""WordVectors: trained vectors by word; nearest words, analogies, scores, and
matrices for the embedding layer of a Keras or PyTorch model. SubwordVectors:
the same, with vectors for unseen words built from character n-grams.

The class is split by concept over three modules: this one holds the storage
(words, vectors, counts), lookups, evaluation, files and exports;
fastemb/similarity.py the nearest-word queries (most_similar and relatives) and
fastemb/keyed.py the rest of gensim 4's KeyedVectors names (get_index,
add_vectors, sort_by_descending_frequency, to_gensim, ...), as mixins.
"""
from __future__ import annotations

import logging
from typing import Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import formats
from .keyed import GensimNames
from .similarity import NearestWords

logger = logging.getLogger("fastemb")

Words = Union[str, Iterable[str]]


class WordVectors(NearestWords, GensimNames):
    """Word vectors in frequency order: ``wv["king"]``, ``"king" in wv``, ``len(wv)``.

    ``vectors`` is a (words x dim) float32 array; ``index_to_word`` (gensim:
    ``index_to_key``) the words in row order and ``word_to_index``
    (``key_to_index``) the reverse; ``counts`` the corpus count of each word
    (int64), or None when not known (vectors read from a file). Queries use
    unit-normalised copies of the rows, computed once on first use. If a word
    appears in more than one row, lookups use the first (the most frequent).
    """

    def __init__(self, words: Sequence[str], vectors: np.ndarray, counts: Optional[Sequence[int]] = None):
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or len(words) != len(vectors):
            raise ValueError(f"need one row per word: {len(words)} words, vectors of shape {vectors.shape}")
        if counts is not None:
            counts = np.asarray(counts, dtype=np.int64)
            if counts.shape != (len(words),):
                raise ValueError(f"need one count per word: {len(words)} words, counts of shape {counts.shape}")
        self.counts: Optional[np.ndarray] = counts
        self.index_to_word: List[str] = list(words)
        self.vectors = vectors
        self.word_to_index: Dict[str, int] = {}
        for i, word in enumerate(self.index_to_word):
            self.word_to_index.setdefault(word, i)
        if len(self.word_to_index) < len(self.index_to_word):
            logger.warning("%d rows repeat an earlier word; lookups use the first row of each word",
                           len(self.index_to_word) - len(self.word_to_index))
        self._forget_norms()

    def _forget_norms(self) -> None:
        """Drop the norms and unit vectors, recomputed on next use (the rows changed)."""
        self._unit: Optional[np.ndarray] = None
        self._norms: Optional[np.ndarray] = None

    def __len__(self) -> int:
        return len(self.index_to_word)

    def __contains__(self, word: str) -> bool:
        """Whether ``word`` is in the vocabulary (as gensim, a row number in range counts too)."""
        return self.has_index_for(word)

    def __iter__(self) -> Iterator[str]:
        return iter(self.index_to_word)

    def __getitem__(self, words: Words) -> np.ndarray:
        """The vector of a word (or row number), or a (len(words) x dim) array for a list of them."""
        if isinstance(words, (str, int, np.integer)):
            return self.get_vector(words)
        return np.array([self.get_vector(word) for word in words], dtype=np.float32).reshape(-1, self.dim)

    def get_vector(self, word: Union[str, int], norm: bool = False) -> np.ndarray:
        """The vector of ``word`` (a row of ``vectors``; a row number works too),
        scaled to length 1 with ``norm=True``; KeyError if it has none."""
        row = self.get_index(word)
        return self.unit_vectors[row] if norm else self.vectors[row]

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

    def evaluate_analogies(self, path: formats.PathLike, restrict_vocab: Optional[int] = 30_000,
                           case_insensitive: bool = True, method: str = "3cosadd",
                           progress: Optional[bool] = None) -> Dict:
        """Accuracy on analogy questions (``a b c d`` lines, ``: section`` headers, as
        the Google set): see :func:`fastemb.evaluate.evaluate_analogies`."""
        from .evaluate import evaluate_analogies

        return evaluate_analogies(self, path, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive,
                                  method=method, progress=progress)

    def evaluate_word_pairs(self, pairs: formats.PathLike, delimiter: str = "\t", encoding: str = "utf8",
                            restrict_vocab: Optional[int] = 300_000, case_insensitive: bool = True,
                            dummy4unknown: bool = False):
        """Spearman and Pearson correlation of cosine similarity with human scores
        (``word1 word2 score`` lines, tab- or space-separated, UTF-8), among the
        ``restrict_vocab`` first words (None: all). Returns gensim's tuple
        ``(pearson, spearman, oov_ratio)``, which also answers fastemb's keys
        (``result["spearman"]``, ``["pairs"]``, ``["oov"]``, ``.as_dict()``):
        see :func:`fastemb.evaluate.evaluate_word_pairs`."""
        from .evaluate import evaluate_word_pairs

        if delimiter not in ("\t", " ", None) or encoding.lower().replace("-", "") != "utf8":
            raise ValueError(f"delimiter={delimiter!r}, encoding={encoding!r}: word-pair files are read as "
                             "UTF-8, fields separated by tabs or spaces")
        return evaluate_word_pairs(self, pairs, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive,
                                   dummy4unknown=dummy4unknown)

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
        from .embedding_layers import embedding_rows

        matrix, coverage = embedding_rows(self, word_index, oov=oov, dtype=dtype, num_words=num_words, seed=seed)
        logger.info("embedding_matrix: %d rows; %s", len(matrix), coverage)
        return matrix

    def keras_embedding(self, word_index: Union[Mapping[str, int], Sequence[str]], trainable: bool = False,
                        mask_zero: bool = True, oov: str = "zeros", num_words: Optional[int] = None,
                        seed: Optional[int] = 0, name: Optional[str] = None):
        """A built Keras 3 ``Embedding`` layer whose row ``i`` is the vector of the word with id ``i``.

        ``word_index``, ``oov``, ``num_words`` and ``seed`` as in
        :meth:`embedding_matrix`. ``trainable=False`` (default) keeps the vectors
        fixed; True fine-tunes them. ``mask_zero=True`` (default) makes row 0
        padding: its ids are masked for the layers after it (pooling, RNNs) and
        its row is zeros; a word the index numbers 0 (e.g. ``"<pad>"``) is taken
        as the padding token. ``layer.coverage`` (:class:`~fastemb.embedding_layers.EmbeddingCoverage`)
        says how many words had a vector, which were built from n-grams
        (SubwordVectors) and which had none; the same is logged at INFO.
        Needs Keras 3 (``pip install "fastemb[keras]"``, on PyTorch with
        ``KERAS_BACKEND=torch``).
        """
        from .embedding_layers import keras_embedding

        return keras_embedding(self, word_index, trainable=trainable, mask_zero=mask_zero, oov=oov,
                               num_words=num_words, seed=seed, name=name)

    def torch_embedding(self, word_index: Union[Mapping[str, int], Sequence[str]], freeze: bool = True,
                        padding_idx: Optional[int] = 0, oov: str = "zeros", num_words: Optional[int] = None,
                        seed: Optional[int] = 0):
        """A ``torch.nn.Embedding`` (float32) whose row ``i`` is the vector of the word with id ``i``.

        ``word_index``, ``oov``, ``num_words`` and ``seed`` as in
        :meth:`embedding_matrix`. ``freeze=True`` (default) keeps the vectors
        fixed; False fine-tunes them. ``padding_idx`` (default 0; None: no
        padding) is a zero row that gets no gradient; a word the index numbers
        there (e.g. ``"<pad>"``) is taken as the padding token.
        ``layer.coverage`` (:class:`~fastemb.embedding_layers.EmbeddingCoverage`)
        says how many words had a vector, which were built from n-grams
        (SubwordVectors) and which had none; the same is logged at INFO.
        Needs PyTorch (``pip install "fastemb[torch]"``).
        """
        from .embedding_layers import torch_embedding

        return torch_embedding(self, word_index, freeze=freeze, padding_idx=padding_idx, oov=oov,
                               num_words=num_words, seed=seed)

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

    def save(self, path: formats.PathLike, binary: bool = False, progress: Optional[bool] = None) -> None:
        """Write word2vec text format (or binary with ``binary=True``), atomically;
        ``progress``: a bar (None, the default: in a terminal, after a second)."""
        formats.write_vectors(path, self.index_to_word, self.vectors, binary=binary, progress=progress)

    def save_projector(self, directory: formats.PathLike, limit: Optional[int] = None) -> None:
        """Write ``vectors.tsv`` and ``metadata.tsv`` for TensorBoard's embedding
        projector into ``directory`` (made if missing), both or neither: the
        first ``limit`` rows (None: all). See :func:`fastemb.projector.save_projector`."""
        from .projector import save_projector

        save_projector(directory, self.index_to_word, self.vectors, self.counts, limit=limit)

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

    def __init__(self, words: Sequence[str], vectors: np.ndarray, buckets: np.ndarray, minn: int, maxn: int,
                 counts: Optional[Sequence[int]] = None):
        super().__init__(words, vectors, counts=counts)
        if buckets.ndim != 2 or buckets.shape[1] != self.dim or len(buckets) == 0:
            raise ValueError(f"the bucket matrix has shape {buckets.shape}; need (buckets x {self.dim})")
        self.buckets = buckets
        self.minn, self.maxn = minn, maxn

    def __repr__(self) -> str:
        return (f"SubwordVectors({len(self)} words x {self.dim} dimensions, {len(self.buckets)} n-gram buckets, "
                f"n = {self.minn}..{self.maxn})")

    def get_vector(self, word: Union[str, int], norm: bool = False) -> np.ndarray:
        """The vector of a vocabulary word (or row number), or one built from the
        n-grams of any other word; scaled to length 1 with ``norm=True``."""
        if not isinstance(word, str) or word in self.word_to_index:
            return super().get_vector(word, norm=norm)
        from .similarity import _unit
        from .subwords import oov_vector

        vector = oov_vector(word, self.buckets, self.minn, self.maxn)
        return _unit(vector) if norm else vector

    def _has_vector(self, key) -> bool:
        """Any word has one (built from its n-grams, zero without any), as in gensim's FastText."""
        return isinstance(key, str) or self.has_index_for(key)

    def _unseen_vector(self, word: str) -> Optional[np.ndarray]:
        """Its n-gram vector, or None for a word without n-grams (left to embedding_matrix's ``oov``)."""
        from .subwords import char_ngrams, oov_vector

        if not char_ngrams(word, self.minn, self.maxn):
            return None
        return oov_vector(word, self.buckets, self.minn, self.maxn)


def load(path: formats.PathLike, limit: Optional[int] = None, unicode_errors: str = "strict") -> WordVectors:
    """Load word vectors from a word2vec text or binary file or a GloVe file (format detected)."""
    return WordVectors.load(path, limit=limit, unicode_errors=unicode_errors)
