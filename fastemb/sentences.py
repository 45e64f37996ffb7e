"""Sentences from Python: any iterable of sentences, each a list of ``str``
tokens or one whitespace-separated ``str``, read once into the same word table
and id cache as files (corpus.py).

Sentences are joined into UTF-8 blocks of about 1 MiB (tokens by a space,
sentences by a newline), which the compiled counter splits as it splits a
file: the text is never held whole, and a generator is read exactly once.
What the join cannot say (a token that is empty or holds whitespace, which
would silently become another number of words or another word) is caught by
comparing the tokens given with the words counted, block by block, and by
looking for whitespace next to a separator; only then are the block's
sentences looked at one by one, to name the bad one.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, Iterator, List

import numpy as np

from .errors import CorpusError

BLOCK_CHARACTERS = 1 << 20
ASCII_WHITESPACE = " \t\n\r\x0b\x0c"  # what separates words, in files as here
# Tokens are joined by single spaces and sentences by newlines, so a token with
# whitespace at an edge leaves a space at the start, a space beside another
# space or a newline, or a tab, CR, VT or FF anywhere (two newlines are an empty
# sentence, which is allowed).
_RARE_WHITESPACE = (b"\t", b"\r", b"\x0b", b"\x0c")


def given(corpus) -> bool:
    """Whether ``corpus`` is sentences rather than file paths.

    A str or path is a file. A list or tuple of strs and paths is files,
    unless one of its strs names no file and holds whitespace: then it is
    sentences as strings (a mistyped file name is told so, not trained on as
    a one-word sentence; give one-word sentences as token lists). Anything
    else that iterates (a generator, a list of token lists) is sentences.
    """
    if isinstance(corpus, (str, bytes, os.PathLike)):
        return False
    if isinstance(corpus, (list, tuple)):
        if any(not isinstance(item, (str, os.PathLike)) for item in corpus):
            return True
        return any(isinstance(item, str) and not os.path.exists(item) and any(ch.isspace() for ch in item)
                   for item in corpus)
    return hasattr(corpus, "__iter__")


def restartable(corpus) -> bool:
    """Whether iterating ``corpus`` again starts over (a list, or a class whose
    ``__iter__`` opens its source anew), as a resume needs: a generator or
    another iterator gives its sentences once only."""
    return iter(corpus) is not corpus


@dataclass
class Batch:
    """Sentences joined into one block of text."""

    text: bytes
    tokens: int  # words the block must hold: the tokens given (a str sentence's split as the counter splits)
    first: int  # index of its first sentence in the iterable
    sentences: List  # as given, to name a bad one
    lists_only: bool  # no str sentence, whose own runs of whitespace are allowed


def batches(sentences: Iterable, block_characters: int = BLOCK_CHARACTERS) -> Iterator[Batch]:
    """The sentences as blocks of UTF-8 text, each ending with a newline."""
    pieces: List[str] = []
    kept: List = []
    tokens = characters = 0
    first = 0
    lists_only = True
    for number, sentence in enumerate(_iterate(sentences)):
        if isinstance(sentence, str):
            text = sentence.replace("\n", " ") if "\n" in sentence else sentence  # one sentence, one line
            count = len(text.encode("utf-8", "surrogatepass").split())  # ASCII whitespace, as the counter
            lists_only = False
        else:
            if not isinstance(sentence, (list, tuple)):
                sentence = _as_list(sentence, number)
            text = _joined(sentence, number)
            count = len(sentence)
        pieces.append(text)
        kept.append(sentence)
        tokens += count
        characters += len(text) + 1
        if characters >= block_characters:
            yield _batch(pieces, tokens, first, kept, lists_only)
            pieces, kept, tokens, characters, first, lists_only = [], [], 0, 0, number + 1, True
    if pieces:
        yield _batch(pieces, tokens, first, kept, lists_only)


def check_counted(batch: Batch, counted: int) -> None:
    """Raise CorpusError naming the sentence whose tokens did not come out as
    one word each (``counted``: the words the counter found in the block)."""
    if counted == batch.tokens and batch.lists_only and not _edge_whitespace(batch.text):
        return
    for offset, sentence in enumerate(batch.sentences):
        if isinstance(sentence, str):
            continue
        for position, token in enumerate(sentence):
            if len(token.encode("utf-8").split()) != 1 or token.strip(ASCII_WHITESPACE) != token:
                raise CorpusError(f"sentences: sentence {batch.first + offset}, token {position} is {token[:40]!r}: "
                                  "a token must be one word, non-empty and without spaces, tabs or line ends "
                                  "(split it, or join its parts with _)")
    if counted == batch.tokens:  # str sentences' runs of whitespace: nothing wrong
        return
    last = batch.first + len(batch.sentences) - 1
    raise CorpusError(f"sentences: {counted:,} words counted in sentences {batch.first}..{last}, "
                      f"{batch.tokens:,} tokens given")


def _edge_whitespace(text: bytes) -> bool:
    """Whether joined token lists may hold a token with whitespace at an edge
    (numpy, as bytes.find is slow on "  ": ~0.3 ms a MiB in all)."""
    if any(sign in text for sign in _RARE_WHITESPACE):
        return True
    data = np.frombuffer(text, np.uint8)
    space, newline = data == ord(" "), data == ord("\n")
    edge = space | newline  # a sentence ends in a newline; two in a row: an empty sentence, or a token's "\n"
    return bool(edge[:1].any() or (edge[:-1] & edge[1:]).any())


def _iterate(sentences: Iterable) -> Iterator:
    try:
        return iter(sentences)
    except TypeError:
        raise TypeError(f"sentences: a {type(sentences).__name__} does not iterate; give an iterable of "
                        "sentences (lists of str tokens, or str)") from None


def _as_list(sentence, number: int) -> list:
    if sentence is None or isinstance(sentence, bytes) or not hasattr(sentence, "__iter__"):
        raise TypeError(f"sentences: sentence {number} is {_kind(sentence)}; give a list of str tokens, or a str")
    return list(sentence)


def _joined(tokens, number: int) -> str:
    try:
        return " ".join(tokens)
    except TypeError:
        position, token = next((i, t) for i, t in enumerate(tokens) if not isinstance(t, str))
        raise TypeError(f"sentences: sentence {number}, token {position} is {_kind(token)}, not a str") from None


def _batch(pieces: List[str], tokens: int, first: int, kept: List, lists_only: bool) -> Batch:
    text = "\n".join(pieces) + "\n"
    if "\x00" in text:
        offset = next(i for i, piece in enumerate(pieces) if "\x00" in piece)
        raise CorpusError(f"sentences: sentence {first + offset} holds a NUL character, which no text word can")
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        offset = next(i for i, piece in enumerate(pieces) if not _encodes(piece))
        raise CorpusError(f"sentences: sentence {first + offset} holds a lone surrogate, which is not text "
                          "(decode your bytes with errors='replace')") from None
    return Batch(data, tokens, first, kept, lists_only)


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _kind(value) -> str:
    return "None" if value is None else f"a {type(value).__name__} ({value!r:.40})"
