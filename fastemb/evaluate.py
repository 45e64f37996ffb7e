"""Standard quality scores for word vectors: analogies and word-pair similarity.

Scoring follows the usual rules (as in ../shared/eval/README.md and gensim):
analogies by 3CosAdd over the ``restrict_vocab`` most frequent words with the
three query words excluded, questions with a word outside that vocabulary
skipped and counted; word pairs by Spearman correlation of cosine similarity
with human scores, over the pairs whose words both have vectors.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np

QUESTION_BLOCK = 2048  # questions scored per matrix product


def read_analogies(path, lowercase: bool = True) -> List[Tuple[str, List[Tuple[str, str, str, str]]]]:
    """Sections of ``a b c d`` questions from a file in the Google analogy format."""
    sections: List[Tuple[str, List[Tuple[str, str, str, str]]]] = []
    with open(path, encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            line = line.strip()
            if not line:
                continue
            if line.startswith(":"):
                sections.append((line[1:].strip(), []))
                continue
            words = line.lower().split() if lowercase else line.split()
            if len(words) != 4:
                raise ValueError(f"{path}: line {number}: expected 4 words, got {len(words)}")
            if not sections:
                sections.append(("questions", []))
            sections[-1][1].append(tuple(words))
    return sections


def evaluate_analogies(wv, path, restrict_vocab: Optional[int] = 30_000, lowercase: bool = True) -> Dict:
    """Accuracy of 3CosAdd (d = argmax cos(x, b - a + c), x not in {a, b, c}) on an analogy file.

    Only the ``restrict_vocab`` first (most frequent) words are candidates, and a
    question with a word outside them is skipped. Returns a dict with
    ``accuracy`` (0-1, over attempted questions), ``correct``, ``attempted``,
    ``skipped`` and ``sections`` (the same per section).
    """
    limit = len(wv) if restrict_vocab is None else min(restrict_vocab, len(wv))
    unit = wv.unit_vectors[:limit]
    index = {word: i for word, i in wv.word_to_index.items() if i < limit}
    sections = []
    for name, questions in read_analogies(path, lowercase):
        known = [q for q in questions if all(word in index for word in q)]
        ids = np.array([[index[word] for word in q] for q in known], dtype=np.int64).reshape(-1, 4)
        correct = 0
        for start in range(0, len(ids), QUESTION_BLOCK):
            block = ids[start:start + QUESTION_BLOCK]
            a, b, c, d = block.T
            scores = (unit[b] - unit[a] + unit[c]) @ unit.T
            rows = np.arange(len(block))
            for excluded in (a, b, c):
                scores[rows, excluded] = -np.inf
            correct += int(np.sum(scores.argmax(axis=1) == d))
        sections.append(_score(name, correct, len(known), len(questions) - len(known)))
    total = _score("total", sum(s["correct"] for s in sections), sum(s["attempted"] for s in sections),
                   sum(s["skipped"] for s in sections))
    total["sections"] = sections
    return total


def _score(name: str, correct: int, attempted: int, skipped: int) -> Dict:
    return {"section": name, "accuracy": correct / attempted if attempted else 0.0,
            "correct": correct, "attempted": attempted, "skipped": skipped}


def evaluate_word_pairs(wv, path, lowercase: bool = True) -> Dict:
    """Spearman and Pearson correlation between cosine similarity and human scores.

    The file has ``word1 word2 score`` per line (tabs or spaces; ``#`` starts a
    comment). Pairs with a word that has no vector are left out and counted as
    ``oov``. Returns ``spearman``, ``pearson``, ``pairs`` (used) and ``oov``.
    """
    from scipy.stats import pearsonr, spearmanr

    model, human, oov = [], [], 0
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        if len(fields) < 3:
            raise ValueError(f"{path}: line {number}: expected 'word1 word2 score'")
        first, second = (w.strip().lower() if lowercase else w.strip() for w in fields[:2])
        if first in wv and second in wv:
            model.append(wv.similarity(first, second))
            human.append(float(fields[2]))
        else:
            oov += 1
    if len(model) < 2:
        return {"spearman": float("nan"), "pearson": float("nan"), "pairs": len(model), "oov": oov}
    return {"spearman": float(spearmanr(model, human)[0]), "pearson": float(pearsonr(model, human)[0]),
            "pairs": len(model), "oov": oov}
