"""Standard quality scores for word vectors: analogies and word-pair similarity.

Scoring follows ../shared/eval/README.md and gives the same figures as gensim's
``evaluate_word_analogies`` and ``evaluate_word_pairs``:

- Only the ``restrict_vocab`` first rows (the most frequent words) count; a
  question or pair with a word outside them is skipped and counted.
- ``case_insensitive`` (the default) compares words case-folded on both sides:
  a test word stands for the first (most frequent) of its case variants among
  those rows, and an answer is right if it is any case variant of the expected
  word.
- Analogies ``a b c d``: the answer is the candidate x with the highest score,
  3CosAdd cos(x, b - a + c) or 3CosMul, where no case variant of a, b or c can
  be the answer. Questions are scored in blocks, one matrix product per block.
- Word pairs: Spearman (and Pearson) correlation of the cosine similarity with
  the human score, over the pairs whose two words have vectors.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np

from .errors import FastembError
from .progress import Bar, Progress

SCORE_BUDGET = 1 << 24  # floats in one block of question x candidate scores (64 MB)
COSMUL_EPSILON = 1e-6  # as in WordVectors.most_similar_cosmul

Question = Tuple[str, str, str, str]


class EvaluationFileError(FastembError, ValueError):
    """An analogy or word-pair file cannot be read."""


def read_analogies(path) -> List[Tuple[str, List[Question]]]:
    """Sections of ``a b c d`` questions from a file in the Google analogy format:
    ``: name`` starts a section; blank lines are ignored."""
    sections: List[Tuple[str, List[Question]]] = []
    for number, line in enumerate(_lines(path), 1):
        if not line.strip():
            continue
        if line.startswith(":"):
            sections.append((line[1:].strip(), []))
            continue
        words = line.split()
        if len(words) != 4:
            raise EvaluationFileError(f"{path}: line {number}: expected 4 words 'a b c d', got {len(words)}")
        if not sections:
            sections.append(("questions", []))
        sections[-1][1].append(tuple(words))
    return sections


def read_word_pairs(path) -> List[Tuple[str, str, float]]:
    """``word1 word2 score`` lines (tab- or space-separated); ``#`` lines are comments."""
    pairs = []
    for number, line in enumerate(_lines(path), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rstrip("\r\n").split("\t") if "\t" in line else line.split()
        fields = [field.strip() for field in fields]
        try:
            if len(fields) != 3:
                raise ValueError
            pairs.append((fields[0], fields[1], float(fields[2])))
        except ValueError:
            raise EvaluationFileError(f"{path}: line {number}: expected 'word1<TAB>word2<TAB>score', "
                                      f"got {line.strip()[:60]!r}") from None
    return pairs


def _lines(path) -> List[str]:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such evaluation file")
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as error:
        raise EvaluationFileError(f"{path}: byte offset {error.start}: not valid UTF-8") from None


class _Vocabulary:
    """The candidate rows of an evaluation and how test words map to them.

    Words are grouped in classes (their case-folded form, or themselves when
    case matters); a test word is looked up by its class, stands for the class's
    first row, and excludes or matches every row of the class.
    """

    def __init__(self, wv, restrict_vocab: Optional[int], case_insensitive: bool):
        if restrict_vocab is not None and (isinstance(restrict_vocab, bool) or
                                           not isinstance(restrict_vocab, (int, np.integer)) or restrict_vocab < 1):
            raise ValueError(f"restrict_vocab={restrict_vocab!r}: give a number of words (1 or more), or None for all")
        self.size = len(wv) if restrict_vocab is None else min(restrict_vocab, len(wv))
        self.fold = str.casefold if case_insensitive else (lambda word: word)
        self.unit = wv.unit_vectors[:self.size]
        members: Dict[str, List[int]] = {}
        for row, word in enumerate(wv.index_to_word[:self.size]):
            members.setdefault(self.fold(word), []).append(row)
        self.class_of_word = {key: number for number, key in enumerate(members)}
        rows = list(members.values())
        self.class_of_row = np.empty(self.size, dtype=np.int64)
        width = max((len(r) for r in rows), default=1)
        self.members = np.empty((len(rows), width), dtype=np.int64)  # padded with each class's first row
        for number, class_rows in enumerate(rows):
            self.class_of_row[class_rows] = number
            self.members[number] = class_rows + [class_rows[0]] * (width - len(class_rows))

    def classes(self, words) -> Optional[List[int]]:
        """The class of each word, or None if one of them has no vector among the candidates."""
        found = [self.class_of_word.get(self.fold(word)) for word in words]
        return None if None in found else found

    def rows(self, classes: np.ndarray) -> np.ndarray:
        """The row each class stands for: its first (most frequent) member."""
        return self.members[classes, 0]


def _scores_3cosadd(unit: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """cos(x, b - a + c) up to a positive factor per question: (questions x candidates)."""
    return (unit[b] - unit[a] + unit[c]) @ unit.T


def _scores_3cosmul(unit: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """(1 + cos(x, b)) / 2 * (1 + cos(x, c)) / 2 / ((1 + cos(x, a)) / 2 + epsilon),
    computed as (1 + cos_b)(1 + cos_c) / (2 (1 + cos_a) + 4 epsilon) in two arrays, in place."""
    scores = unit[b] @ unit.T
    scores += 1.0
    other = unit[c] @ unit.T
    other += 1.0
    scores *= other
    np.matmul(unit[a], unit.T, out=other)
    other += 1.0
    other *= 2.0
    other += 4.0 * COSMUL_EPSILON
    scores /= other
    return scores


METHODS = {"3cosadd": (_scores_3cosadd, 1), "3cosmul": (_scores_3cosmul, 2)}  # scorer, score arrays it holds


def evaluate_analogies(wv, path, restrict_vocab: Optional[int] = 30_000, case_insensitive: bool = True,
                       method: str = "3cosadd", progress: Progress = None) -> Dict:
    """Accuracy on an analogy file (the Google set's format: ``: section`` lines,
    then ``a b c d`` questions: a is to b as c is to d).

    The answer to a question is the best candidate by ``method`` (``"3cosadd"``
    or ``"3cosmul"``) among the ``restrict_vocab`` first words (None: all),
    excluding a, b and c; a question with a word outside them is skipped.
    Returns a dict: ``accuracy`` (0-1, over attempted questions), ``correct``,
    ``attempted``, ``skipped``, ``questions``, ``coverage`` (attempted /
    questions), ``restrict_vocab``, ``method``, and ``sections``, a list of the
    same counts per section (with ``section``, its name). ``progress``: a bar
    over the questions (None, the default: in a terminal; see progress.py).
    """
    outcomes, size = analogy_outcomes(wv, path, restrict_vocab, case_insensitive, method, progress)
    sections = []
    for name, _, right in outcomes:
        attempted = int(np.count_nonzero(right >= 0))
        sections.append(_score(name, int(np.count_nonzero(right == 1)), attempted, len(right) - attempted))
    total = _score("total", sum(s["correct"] for s in sections), sum(s["attempted"] for s in sections),
                   sum(s["skipped"] for s in sections))
    total.update(restrict_vocab=size, method=method, sections=sections)
    return total


def analogy_outcomes(wv, path, restrict_vocab: Optional[int], case_insensitive: bool,
                     method: str, progress: Progress = None) -> Tuple[List[Tuple[str, List[Question], np.ndarray]], int]:
    """Each section's name, questions, and per question 1 (answered right), 0
    (wrong) or -1 (skipped: a word outside the candidates); and the number of
    candidate rows. The rules are those of :func:`evaluate_analogies`."""
    if method not in METHODS:
        raise ValueError(f"method={method!r}: use one of {', '.join(METHODS)}")
    scorer, arrays = METHODS[method]
    vocab = _Vocabulary(wv, restrict_vocab, case_insensitive)
    block = max(1, SCORE_BUDGET // (arrays * max(vocab.size, 1)))
    sections = read_analogies(path)
    with Bar(progress, "analogies", sum(len(questions) for _, questions in sections), unit="question") as bar:
        results = [(name, questions, _section_outcomes(vocab, scorer, block, questions, bar))
                   for name, questions in sections]
    return results, vocab.size


def _section_outcomes(vocab: _Vocabulary, scorer, block: int, questions: List[Question], bar: Bar) -> np.ndarray:
    """Per question of a section: 1 (right), 0 (wrong) or -1 (skipped), scored ``block`` questions at a time."""
    found = [vocab.classes(question) for question in questions]
    known = [k for k, classes in enumerate(found) if classes is not None]
    classes = np.array([found[k] for k in known], dtype=np.int64).reshape(-1, 4)
    right = np.full(len(questions), -1, dtype=np.int8)
    bar.update(len(questions) - len(classes))  # the skipped ones
    for start in range(0, len(classes), block):
        right[known[start:start + block]] = _correct_answers(vocab, scorer, classes[start:start + block])
        bar.update(min(block, len(classes) - start))
    return right


def _correct_answers(vocab: _Vocabulary, scorer, classes: np.ndarray) -> np.ndarray:
    """Whether the best candidate answers each of a block of questions (classes of a, b, c, d)."""
    a, b, c = (vocab.rows(classes[:, k]) for k in range(3))
    scores = scorer(vocab.unit, a, b, c)
    excluded = vocab.members[classes[:, :3]].reshape(len(classes), -1)  # every case variant of a, b, c
    scores[np.arange(len(classes))[:, None], excluded] = -np.inf
    answers = vocab.class_of_row[scores.argmax(axis=1)]
    return answers == classes[:, 3]


def _score(name: str, correct: int, attempted: int, skipped: int) -> Dict:
    questions = attempted + skipped
    return {"section": name, "accuracy": correct / attempted if attempted else 0.0,
            "correct": correct, "attempted": attempted, "skipped": skipped, "questions": questions,
            "coverage": attempted / questions if questions else 0.0}


class WordPairScores(tuple):
    """What ``evaluate_word_pairs`` returns: gensim's tuple ``(pearson, spearman,
    oov_ratio)`` (scipy's results, each ``(statistic, pvalue)``, and the
    percentage of pairs with an unknown word), which also answers fastemb's
    keys: ``result["spearman"]``, ``result.as_dict()``."""

    def __new__(cls, details: Dict, pearson, spearman):
        scores = super().__new__(cls, (pearson, spearman, details["oov_ratio"]))
        scores._details = details
        return scores

    def __getitem__(self, key):
        if isinstance(key, str):
            return self._details[key]
        return super().__getitem__(key)

    def keys(self):
        return self._details.keys()

    def get(self, key: str, default=None):
        return self._details.get(key, default)

    def __reduce__(self):  # pickle and copy rebuild it from its parts
        return WordPairScores, (self._details, self[0], self[1])

    def as_dict(self) -> Dict:
        """fastemb's scores as a plain dict (for JSON)."""
        return dict(self._details)


def evaluate_word_pairs(wv, path, restrict_vocab: Optional[int] = None, case_insensitive: bool = True,
                        dummy4unknown: bool = False) -> WordPairScores:
    """Spearman and Pearson correlation between cosine similarity and human scores.

    The file has ``word1 word2 score`` per line (tab-separated, or spaces; ``#``
    starts a comment line). Pairs with a word that has no vector among the
    ``restrict_vocab`` first words (None: all) are counted as ``oov`` and left
    out, or with ``dummy4unknown`` scored as cosine 0. Returns a
    :class:`WordPairScores`: gensim's tuple ``(pearson, spearman, oov_ratio)``
    whose keys are ``spearman``, ``pearson`` (NaN with fewer than 2 pairs),
    ``pairs`` (used), ``oov``, ``oov_ratio`` (percent), ``coverage`` (known
    pairs / all pairs) and ``restrict_vocab``.
    """
    from scipy.stats import pearsonr, spearmanr

    vocab = _Vocabulary(wv, restrict_vocab, case_insensitive)
    pairs = read_word_pairs(path)
    found = [vocab.classes((first, second)) for first, second, _ in pairs]
    known = [k for k, classes in enumerate(found) if classes is not None]
    used = range(len(pairs)) if dummy4unknown else known
    oov = len(pairs) - len(known)
    details = {"spearman": float("nan"), "pearson": float("nan"), "pairs": len(used), "oov": oov,
               "oov_ratio": 100.0 * oov / len(pairs) if pairs else 0.0,
               "coverage": len(known) / len(pairs) if pairs else 0.0, "restrict_vocab": vocab.size}
    pearson = spearman = (float("nan"), float("nan"))
    if len(used) >= 2:
        cosine = np.zeros(len(pairs), dtype=np.float32)
        if known:
            rows = vocab.rows(np.array([found[k] for k in known], dtype=np.int64))
            cosine[known] = np.einsum("ij,ij->i", vocab.unit[rows[:, 0]], vocab.unit[rows[:, 1]])
        human = [pairs[k][2] for k in used]
        pearson, spearman = pearsonr(human, cosine[list(used)]), spearmanr(human, cosine[list(used)])
        details.update(spearman=float(spearman[0]), pearson=float(pearson[0]))
    return WordPairScores(details, pearson, spearman)
