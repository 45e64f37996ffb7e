"""Word vectors as the first layer of a Keras 3 or PyTorch model.

``embedding_rows`` aligns the vectors to a model's own word ids (the matrix
behind ``WordVectors.embedding_matrix``) and says which words got a vector;
``keras_embedding`` and ``torch_embedding`` wrap that matrix in a ready layer.
Keras and torch are imported only when a layer is asked for: neither is a
dependency of fastemb (extras ``keras`` and ``torch``).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .vectors import WordVectors

logger = logging.getLogger("fastemb")

OOV_FILLS = ("zeros", "random", "mean")  # what a word without a vector gets
WordIndex = Union[Mapping[str, int], Sequence[str]]


@dataclass(frozen=True)
class EmbeddingCoverage:
    """Which words of a word index got a vector, set on the layers as ``layer.coverage``.

    ``words``: the words of the index that have a row (id below the row count);
    ``from_ngrams``: those whose vector a subword model built from character
    n-grams (unseen in its corpus); ``missing``: those without any vector, whose
    rows were filled by ``oov`` ("zeros", "random" or "mean"). Word tuples are
    in id order.
    """

    words: int
    from_ngrams: Tuple[str, ...]
    missing: Tuple[str, ...]
    oov: str

    @property
    def found(self) -> int:
        """How many words have a vector (from the vocabulary or from n-grams)."""
        return self.words - len(self.missing)

    def __str__(self) -> str:
        built = f" ({len(self.from_ngrams)} built from n-grams)" if self.from_ngrams else ""
        return f"{self.found} of {self.words} words have a vector{built}, {len(self.missing)} do not ({self.oov})"


def _checked_index(word_index: WordIndex, num_words: Optional[int]) -> Tuple[Mapping[str, int], int]:
    """The index as a dict word -> id, and the number of rows; ValueError naming a bad id."""
    if not isinstance(word_index, Mapping):
        word_index = {word: i for i, word in enumerate(word_index)}
    for word, i in word_index.items():
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or i < 0:
            raise ValueError(f"word_index[{word!r}] = {i!r}: ids must be integers 0 or more")
    if num_words is not None and (not isinstance(num_words, (int, np.integer)) or num_words < 1):
        raise ValueError(f"num_words={num_words!r}: give the number of rows (1 or more), or None")
    rows = num_words if num_words is not None else max(word_index.values(), default=0) + 1
    return word_index, int(rows)


def embedding_rows(wv: "WordVectors", word_index: WordIndex, oov: str = "zeros", dtype=np.float32,
                   num_words: Optional[int] = None, seed: Optional[int] = 0
                   ) -> Tuple[np.ndarray, EmbeddingCoverage]:
    """The matrix of :meth:`WordVectors.embedding_matrix` (same arguments) and its coverage."""
    if oov not in OOV_FILLS:
        raise ValueError(f"oov={oov!r}: use one of {', '.join(OOV_FILLS)}")
    word_index, rows = _checked_index(word_index, num_words)
    matrix = np.zeros((rows, wv.dim), dtype=dtype)
    wanted = sorted(((i, word) for word, i in word_index.items() if i < rows), key=lambda pair: pair[0])
    found, built, missing = [], [], []
    for i, word in wanted:
        row = wv.word_to_index.get(word)
        if row is not None:
            found.append((i, row))
            continue
        vector = wv._unseen_vector(word)
        if vector is None:
            missing.append((i, word))
        else:
            matrix[i] = vector
            built.append(word)
    if found:
        ids, sources = np.array(found).T
        matrix[ids] = wv.vectors[sources]
    missing_ids = [i for i, _ in missing]
    if missing and oov == "mean":
        matrix[missing_ids] = wv.vectors.mean(axis=0)
    elif missing and oov == "random":
        rng = np.random.default_rng(seed)
        matrix[missing_ids] = rng.normal(wv.vectors.mean(), wv.vectors.std(), (len(missing), wv.dim))
    return matrix, EmbeddingCoverage(len(wanted), tuple(built), tuple(word for _, word in missing), oov)


def _without_padding(wv: "WordVectors", word_index: WordIndex, padding_id: Optional[int], what: str
                     ) -> Mapping[str, int]:
    """The index without the word at the padding row, whose row stays zeros.

    A token such as "<pad>" at id 0 is what padding looks like in many
    vocabularies; a word with a vector there is more likely a mistake (a list of
    words numbered from 0), hence the warning.
    """
    if not isinstance(word_index, Mapping):
        word_index = {word: i for i, word in enumerate(word_index)}
    if padding_id is None:
        return word_index
    at_padding = [word for word, i in word_index.items() if i == padding_id]
    for word in at_padding:
        if word in wv.word_to_index:
            logger.warning("%s: the word %r has id %d, the padding row, which stays zeros; number words from 1 "
                           "(as Keras's Tokenizer does) or pass %s", what, word, padding_id,
                           "mask_zero=False" if what == "keras_embedding" else "padding_idx=None")
    return {word: i for word, i in word_index.items() if i != padding_id}


def keras_embedding(wv: "WordVectors", word_index: WordIndex, trainable: bool = False, mask_zero: bool = True,
                    oov: str = "zeros", num_words: Optional[int] = None, seed: Optional[int] = 0,
                    name: Optional[str] = None):
    """A built ``keras.layers.Embedding`` holding the vectors of ``word_index``'s words.

    See :meth:`WordVectors.keras_embedding`. Needs Keras 3 (``pip install "fastemb[keras]"``).
    """
    keras = _import_keras()
    word_index = _without_padding(wv, word_index, 0 if mask_zero else None, "keras_embedding")
    matrix, coverage = embedding_rows(wv, word_index, oov=oov, num_words=num_words, seed=seed)
    layer = keras.layers.Embedding(matrix.shape[0], matrix.shape[1], mask_zero=mask_zero, trainable=trainable,
                                   name=name)
    layer.build((None,))
    # set after building, not through a Constant initializer: the matrix would go into the layer's config
    layer.embeddings.assign(matrix)
    layer.coverage = coverage
    logger.info("keras_embedding: %d x %d, %s; %s", matrix.shape[0], matrix.shape[1],
                "trainable" if trainable else "frozen", coverage)
    return layer


def torch_embedding(wv: "WordVectors", word_index: WordIndex, freeze: bool = True, padding_idx: Optional[int] = 0,
                    oov: str = "zeros", num_words: Optional[int] = None, seed: Optional[int] = 0):
    """A ``torch.nn.Embedding`` holding the vectors of ``word_index``'s words.

    See :meth:`WordVectors.torch_embedding`. Needs PyTorch (``pip install "fastemb[torch]"``).
    """
    torch = _import_torch()
    if padding_idx is not None and (isinstance(padding_idx, bool) or not isinstance(padding_idx, (int, np.integer))
                                    or padding_idx < 0):
        raise ValueError(f"padding_idx={padding_idx!r}: give a row number (0 or more), or None")
    word_index = _without_padding(wv, word_index, padding_idx, "torch_embedding")
    rows = num_words if num_words is not None else max([padding_idx or 0, *word_index.values()]) + 1
    matrix, coverage = embedding_rows(wv, word_index, oov=oov, num_words=rows, seed=seed)
    if padding_idx is not None and padding_idx >= len(matrix):
        raise ValueError(f"padding_idx={padding_idx}: the matrix has {len(matrix)} rows (num_words={num_words})")
    layer = torch.nn.Embedding.from_pretrained(torch.from_numpy(matrix), freeze=freeze, padding_idx=padding_idx)
    layer.coverage = coverage
    logger.info("torch_embedding: %d x %d, %s; %s", matrix.shape[0], matrix.shape[1],
                "frozen" if freeze else "trainable", coverage)
    return layer


def _import_keras():
    try:
        import keras
    except ImportError:
        raise ImportError('keras_embedding needs Keras 3: pip install "fastemb[keras]"', name="keras") from None
    if int(keras.__version__.split(".")[0]) < 3:
        raise ImportError(f'keras_embedding needs Keras 3 (found {keras.__version__}): pip install "fastemb[keras]"',
                          name="keras")
    return keras


def _import_torch():
    try:
        import torch
    except ImportError:
        raise ImportError('torch_embedding needs PyTorch: pip install "fastemb[torch]"', name="torch") from None
    return torch
