"""The built-in demo: a corpus generated in code with planted structure.

Each *entity* word (king, queen, france, paris, ...) belongs to a pair that
shares a theme (words about royalty, about France) and differs by a role that
is the same across pairs (male/female; country/capital). A sentence mentions
one entity with a few words of its theme, a few of its role and some filler.
Word2vec should then place pair members near each other (shared theme) and
make role differences parallel, so king - man + woman lands on queen.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from itertools import permutations
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np

# (relation, role words of the first member, role words of the second, pairs)
RELATIONS = {
    "gender": (
        "he his him himself sir mister",
        "she her hers herself madam miss",
        [("man", "woman"), ("king", "queen"), ("boy", "girl"), ("father", "mother"),
         ("brother", "sister"), ("husband", "wife"), ("prince", "princess"), ("uncle", "aunt"),
         ("actor", "actress"), ("waiter", "waitress")],
    ),
    "capital": (
        "nation border province government export population",
        "street district mayor downtown metro suburb",
        [("france", "paris"), ("italy", "rome"), ("germany", "berlin"), ("spain", "madrid"),
         ("japan", "tokyo"), ("egypt", "cairo"), ("russia", "moscow"), ("greece", "athens"),
         ("china", "beijing"), ("peru", "lima")],
    ),
}
THEME_WORDS = 8  # words about each pair's theme: "king.1" ... "king.8"
FILLER_WORDS = 300  # Zipf-distributed filler: "w0" ... "w299"
SENTENCE = (1, 3, 2, 3)  # entity, theme words, role words, filler words per sentence


@dataclass
class DemoResult:
    """How much of the planted structure trained vectors recovered."""

    analogies_right: int
    analogies_total: int
    partners_right: int  # entities whose nearest other entity is the other member of their pair
    partners_total: int
    examples: List[Tuple[str, str, str, str, str]]  # a b c expected answer


def pairs() -> List[Tuple[str, str, str]]:
    """Every planted pair as (relation, first member, second member)."""
    return [(relation, a, b) for relation, (_, _, members) in RELATIONS.items() for a, b in members]


def make_corpus(path: os.PathLike, sentences: int = 40_000, seed: int = 0) -> int:
    """Write the demo corpus, one sentence per line, to ``path``. Returns words written."""
    rng = np.random.default_rng(seed)
    entities, themes, roles = [], [], []
    for relation, (first_roles, second_roles, members) in RELATIONS.items():
        for a, b in members:
            theme = [f"{a}.{k}" for k in range(1, THEME_WORDS + 1)]
            for word, role in ((a, first_roles), (b, second_roles)):
                entities.append(word)
                themes.append(theme)
                roles.append(role.split())
    filler = np.array([f"w{k}" for k in range(FILLER_WORDS)])
    zipf = 1.0 / np.arange(1, FILLER_WORDS + 1)
    n_entity, n_theme, n_role, n_filler = SENTENCE
    lines = []
    for which in rng.integers(len(entities), size=sentences):
        words = [entities[which]] * n_entity
        words += list(rng.choice(themes[which], n_theme))
        words += list(rng.choice(roles[which], n_role))
        words += list(rng.choice(filler, n_filler, p=zipf / zipf.sum()))
        rng.shuffle(words)
        lines.append(" ".join(words))
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sentences * sum(SENTENCE)


def score(wv) -> DemoResult:
    """Check trained vectors against the planted structure.

    Analogies: for two pairs (a, b), (c, d) of one relation, is d the word nearest to
    b - a + c (3CosAdd, the query words excluded)? Partners: among the entity
    words, is each one's nearest the other member of its pair?
    """
    by_relation: Dict[str, List[Tuple[str, str]]] = {}
    for relation, a, b in pairs():
        by_relation.setdefault(relation, []).append((a, b))
    right = total = 0
    examples = []
    for members in by_relation.values():
        for (a, b), (c, d) in permutations(members, 2):
            answer = wv.most_similar(positive=[b, c], negative=[a], topn=1)[0][0]
            right += answer == d
            total += 1
            if len(examples) < 6 and (a, b) == members[0]:
                examples.append((a, b, c, d, answer))
    entities = [word for _, a, b in pairs() for word in (a, b)]
    unit = wv.unit_vectors[[wv.index(word) for word in entities]]
    closeness = unit @ unit.T
    np.fill_diagonal(closeness, -np.inf)
    nearest = closeness.argmax(axis=1)
    # entities come in pairs: 0-1, 2-3, ...; i ^ 1 is i's partner
    partner_right = int(np.sum(nearest == (np.arange(len(entities)) ^ 1)))
    partner_total = len(entities)
    return DemoResult(right, total, partner_right, partner_total, examples)


def run(threads: Optional[int] = None, seed: int = 1, progress: Optional[bool] = None,
        output: Optional[os.PathLike] = None) -> DemoResult:
    """Generate the corpus in a temporary directory, train skip-gram on it, print what was recovered."""
    from .model import Model

    with tempfile.TemporaryDirectory(prefix="fastemb-demo-") as folder:
        corpus_path = Path(folder) / "demo.txt"
        words = make_corpus(corpus_path, seed=seed)
        print(f"demo corpus: {words:,} words with {len(pairs())} planted pairs")
        model = Model(dim=50, epochs=5, threads=threads, seed=seed).train(corpus_path, progress=progress)
    wv = model.wv
    stats = model.stats
    print(f"trained {len(wv)} words in {stats.seconds:.1f} s ({stats.words_per_second:,.0f} words/s)\n")
    planted = {word for _, a, b in pairs() for word in (a, b)}
    for word in ("king", "paris", "sister"):
        ranked = wv.most_similar(word, topn=len(wv))
        anything = ", ".join(f"{w} {s:.2f}" for w, s in ranked[:3])
        entities = ", ".join([f"{w} {s:.2f}" for w, s in ranked if w in planted][:3])
        print(f"nearest to {word:7s} {anything}  |  planted words: {entities}")
    print()
    result = score(wv)
    for a, b, c, d, answer in result.examples:
        mark = "ok" if answer == d else f"expected {d}"
        print(f"{a} : {b} :: {c} : {answer:10s} {mark}")
    print(f"\nanalogies recovered: {result.analogies_right}/{result.analogies_total}; "
          f"the nearest planted word is the pair partner for {result.partners_right}/{result.partners_total} words")
    if output is not None:
        wv.save(output)
        print(f"vectors written to {output}")
    return result
