"""The labelled data of the transfer bench: WordNet 3.0 noun glosses, labelled by lexicographer file.

Each noun synset of WordNet's ``data.noun`` belongs to one lexicographer file
(its ``lex_filenum`` field), a coarse class such as noun.animal or noun.food:
the "supersense". The text to classify is the synset's gloss without its
quoted examples (``a young person of either sex``), as lowercase letter runs,
the way the text8-style corpus the vectors are trained on is written. 25
classes: every noun.* file but noun.Tops (51 synsets, the hierarchy's top
concepts).

The held-out set is fixed (seed 0): up to ``TEST_PER_CLASS`` glosses of each
class, a quarter of a class that is smaller than 4 x that; the rest of each
class is the pool that training samples are drawn from, per seed. Held-out
glosses that share no content word with a run's training glosses are the
"unseen words" subset of that run.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np

DATA_NOUN = Path("/usr/share/wordnet/data.noun")
INSTALL_HINT = "apt-get install wordnet-base"
TEST_PER_CLASS = 40

# WordNet 3.0's lexicographer file numbers of nouns (lexnames(5WN)); 03 noun.Tops is left out.
LEXNAMES = {
    3: "noun.Tops", 4: "noun.act", 5: "noun.animal", 6: "noun.artifact", 7: "noun.attribute", 8: "noun.body",
    9: "noun.cognition", 10: "noun.communication", 11: "noun.event", 12: "noun.feeling", 13: "noun.food",
    14: "noun.group", 15: "noun.location", 16: "noun.motive", 17: "noun.object", 18: "noun.person",
    19: "noun.phenomenon", 20: "noun.plant", 21: "noun.possession", 22: "noun.process", 23: "noun.quantity",
    24: "noun.relation", 25: "noun.shape", 26: "noun.state", 27: "noun.substance", 28: "noun.time",
}
CLASSES = [name for number, name in sorted(LEXNAMES.items()) if name != "noun.Tops"]

# Function words: they carry no class, and a gloss sharing only these with the
# training glosses still counts as made of unseen words.
FUNCTION_WORDS = frozenset("""
a an the and or but nor of in on at to for from by with without into onto upon over under about above below
between among through during before after since until as than that this these those which who whom whose what
where when how why is are was were be been being has have had having do does did not no any some each every
all both either neither other another such its it their them they he she his her him one ones used especially
usually often etc e g i s
""".split())

LETTERS = re.compile(r"[a-z]+")


class WordNetMissing(Exception):
    """data.noun is not there: the message says how to install it."""


@dataclass(frozen=True)
class Gloss:
    offset: str  # the synset's byte offset in data.noun: its identity
    label: str  # lexicographer file, e.g. "noun.animal"
    tokens: Tuple[str, ...]  # the definition, lowercase letter runs


def tokenize(text: str) -> Tuple[str, ...]:
    return tuple(LETTERS.findall(text.lower()))


def content_words(tokens: Sequence[str]) -> set:
    return {token for token in tokens if token not in FUNCTION_WORDS}


def parse_line(line: str) -> Gloss:
    """One synset line: ``offset lex_filenum ss_type w_cnt (word lex_id)... p_cnt (pointer)... | gloss``.

    w_cnt is two hex digits, p_cnt three decimal ones, and each pointer four
    fields; the gloss is a definition then, optionally, ``; "examples"``.
    """
    fields, _, gloss = line.partition(" | ")
    parts = fields.split()
    offset, lex_filenum, ss_type, w_cnt = parts[0], int(parts[1]), parts[2], int(parts[3], 16)
    p_cnt = int(parts[4 + 2 * w_cnt])
    if ss_type != "n" or len(parts) < 5 + 2 * w_cnt + 4 * p_cnt:
        raise ValueError(f"not a noun synset line: {line[:60]!r}")
    definition = gloss.split('"', 1)[0].strip().rstrip(";").strip()
    return Gloss(offset, LEXNAMES[lex_filenum], tokenize(definition))


def read_glosses(path: Path = DATA_NOUN) -> List[Gloss]:
    """Every noun synset of ``path`` with a gloss of at least one word, noun.Tops left out."""
    path = Path(path)
    if not path.exists():
        raise WordNetMissing(f"{path} not found: WordNet 3.0 comes with Debian's wordnet-base ({INSTALL_HINT})")
    glosses = []
    with open(path, encoding="utf-8", errors="replace") as stream:
        for number, line in enumerate(stream, 1):
            if line.startswith("  ") or not line.strip():  # the licence header's lines start with two spaces
                continue
            try:
                gloss = parse_line(line.rstrip("\n"))
            except (ValueError, IndexError, KeyError) as error:
                raise ValueError(f"{path}:{number}: {error}") from None
            if gloss.label != "noun.Tops" and gloss.tokens:
                glosses.append(gloss)
    return glosses


def split(glosses: Sequence[Gloss], classes: Sequence[str], test_per_class: int = TEST_PER_CLASS,
          seed: int = 0) -> Tuple[Dict[str, List[Gloss]], List[Gloss]]:
    """(pool by class, held-out set): the held-out set fixed by ``seed``, min(test_per_class, size // 4) per class."""
    rng = np.random.default_rng(seed)
    pools, held_out = {}, []
    for label in classes:
        members = sorted((g for g in glosses if g.label == label), key=lambda g: g.offset)
        order = rng.permutation(len(members))
        n_test = min(test_per_class, len(members) // 4)
        held_out += [members[i] for i in order[:n_test]]
        pools[label] = [members[i] for i in order[n_test:]]
    return pools, held_out


def training_sample(pools: Dict[str, List[Gloss]], per_class: int, seed: int) -> List[Gloss]:
    """``per_class`` glosses of each class drawn without replacement (all of a smaller pool)."""
    rng = np.random.default_rng([seed, per_class])
    sample = []
    for label in sorted(pools):
        pool = pools[label]
        sample += [pool[i] for i in sorted(rng.choice(len(pool), min(per_class, len(pool)), replace=False))]
    return sample


def unseen_subset(held_out: Sequence[Gloss], train: Sequence[Gloss]) -> List[Gloss]:
    """Held-out glosses with content words, none of which occurs in any training gloss."""
    seen = set().union(*(content_words(g.tokens) for g in train)) if train else set()
    return [g for g in held_out if content_words(g.tokens) and not content_words(g.tokens) & seen]


def word_index(glosses: Sequence[Gloss]) -> Dict[str, int]:
    """Ids from 1 (0 is padding) for every word of the glosses, the most frequent first.

    Built from all glosses' text, held-out ones included, as a tokenizer fitted
    on all the unlabelled text would be: a word outside the training glosses
    still has a row, which only pretrained vectors fill with meaning.
    """
    counts: Dict[str, int] = {}
    for gloss in glosses:
        for token in gloss.tokens:
            counts[token] = counts.get(token, 0) + 1
    ordered = sorted(counts, key=lambda word: (-counts[word], word))
    return {word: i for i, word in enumerate(ordered, 1)}
