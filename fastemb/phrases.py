"""Phrases: join frequent word pairs ("new york" -> "new_york") by word2phrase's score.

The rule is word2vec's word2phrase (Mikolov et al. 2013, "Distributed
Representations of Words and Phrases and their Compositionality", section 4;
word2phrase.c in the word2vec release). For adjacent words a b on one line::

    score(a, b) = (count(ab) - min_count) / (count(a) * count(b)) * total

where ``total`` is every word of the input (rare ones included, line ends not),
and the pair is joined as ``a_b`` when score > threshold (strictly) and each of
count(a), count(b) and count(ab) is at least ``min_count`` (word2phrase drops
the rarer ones from its table before scoring, so they score 0). Joining is
greedy from left to right: after ``a b`` is joined, the pair ``b c`` is not
considered and the next candidate starts at ``c``. A pass over already-joined
text joins phrases into longer ones (``new_york city`` -> ``new_york_city``).

Where this differs from word2phrase.c, on purpose: pairs are counted within a
line only (word2phrase.c also counts the pair across each line end, though it
never joins one), scores are float64 (float32 there), words are not truncated
(59 bytes there) and split on all ASCII whitespace (space, tab and newline there).

Memory: the text is never held as Python objects. corpus.scan streams it into
int32 ids on disk; pairs are counted from those ids in numpy as int64 keys
(first id << 32 | second id) in a sorted table, one merge per ~1 million pairs.
The table holds at most ``max_pairs_counting`` distinct pairs (default 20
million, 16 bytes each, so ~320 MB, about twice that while merging); past it the
most frequent half is kept, as corpus.scan prunes words, and a warning says so.
Joining streams the ids again and writes a new id stream; the text output is
made from ids and the word list, block by block.
"""
from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import corpus
from .config import Settings
from .corpus import ScannedCorpus
from .errors import CorpusError
from .outputs import atomic_write, check_writable
from .progress import Bar, Progress
from .word_table import PRUNED, SENTENCE_END

THRESHOLD = Settings.phrases_threshold  # word2phrase's default, 100
MIN_COUNT = Settings.min_count  # word2phrase's default, 5, as word2vec's
MAX_PASSES = 10
MAX_PAIRS_COUNTING = 20_000_000  # distinct pairs held while counting; past it the rarest half is pruned
BLOCK_ENTRIES = 1 << 20  # ids read at once (4 MiB)
MERGE_PAIRS = 1 << 20  # pairs gathered before they are merged into the sorted table (8 MB)
UNKNOWN = PRUNED  # a word the counting table pruned (its text is lost): never part of a phrase
FILE_END = -3  # a file's closing line end: a newline only if its last line has words
_LOW = np.int64(0xFFFFFFFF)

log = logging.getLogger("fastemb")
Blocks = Callable[[], Iterator[np.ndarray]]  # a fresh iterator over an id stream at each call


@dataclass
class PassStats:
    """What one pass did."""

    pairs: int  # distinct word pairs counted (both words at least min_count)
    phrases: int  # distinct pairs scoring above the threshold
    joins: int  # pairs joined in the text (occurrences)
    words_in: int
    words_out: int
    pruned: int  # times the pair table was pruned (0: counts are exact)
    seconds: float


@dataclass
class PhrasesResult:
    """Summary of a phrases run: per pass, and the phrases in the output with their counts."""

    passes: List[PassStats] = field(default_factory=list)
    phrases: Dict[str, int] = field(default_factory=dict)  # phrase -> occurrences in the output
    words_in: int = 0
    words_out: int = 0
    seconds: float = 0.0
    output: Optional[str] = None

    @property
    def joins(self) -> int:
        return sum(p.joins for p in self.passes)


def check_settings(threshold: float, min_count: int, passes: int, max_pairs_counting: int) -> None:
    """Raise ValueError naming the parameter when one is out of its range."""
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not math.isfinite(threshold) \
            or threshold < 0:
        raise ValueError(f"threshold={threshold!r} must be a number >= 0 (higher: fewer phrases; default {THRESHOLD:g})")
    for name, value, low, high in (("min_count", min_count, 1, 2**62), ("passes", passes, 1, MAX_PASSES),
                                   ("max_pairs_counting", max_pairs_counting, 10, 2**40)):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{name}={value!r} must be a whole number from {low} to {high}")


# --- counting and scoring ---------------------------------------------------------------------

def pack(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """int64 keys of word pairs, sorted as (first, second); ids must be >= 0."""
    return (first.astype(np.int64) << 32) | second.astype(np.int64)


def unpack(keys: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    return (keys >> 32).astype(np.int64), (keys & _LOW).astype(np.int64)


@dataclass
class PairCounts:
    """Distinct pairs (sorted int64 keys) and their counts (int64)."""

    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pruned: int = 0

    def add(self, keys: np.ndarray, max_pairs: int) -> None:
        """Merge a batch of pair keys (unsorted, repeated) into the table."""
        new_keys, new_counts = np.unique(keys, return_counts=True)
        where = np.searchsorted(self.keys, new_keys)
        found = where < len(self.keys)
        found[found] = self.keys[where[found]] == new_keys[found]
        self.counts[where[found]] += new_counts[found]  # new_keys are distinct: no index repeats
        missing = ~found
        self.keys = np.insert(self.keys, where[missing], new_keys[missing])
        self.counts = np.insert(self.counts, where[missing], new_counts[missing].astype(np.int64))
        if len(self.keys) > max_pairs:
            self._prune(max_pairs // 2)

    def _prune(self, keep_count: int) -> None:
        """Keep the ``keep_count`` most frequent pairs (ties: the lower key), still sorted."""
        keep = np.zeros(len(self.keys), bool)
        keep[np.argsort(-self.counts, kind="stable")[:keep_count]] = True
        self.keys, self.counts = self.keys[keep], self.counts[keep]
        self.pruned += 1


def count_pairs(blocks: Iterator[np.ndarray], word_counts: np.ndarray, min_count: int,
                max_pairs: int = MAX_PAIRS_COUNTING) -> PairCounts:
    """Count adjacent word pairs within lines whose two words occur ``min_count``
    times or more (word2phrase never scores the others). ``blocks`` is an id stream
    (SENTENCE_END, FILE_END and UNKNOWN break pairs); pairs across blocks count."""
    eligible = np.append(np.asarray(word_counts) >= min_count, False)  # index -1: negative ids
    table, batch, batched = PairCounts(), [], 0
    last = np.array([SENTENCE_END], np.int32)
    for block in blocks:
        if not len(block):
            continue
        ids = np.concatenate((last, block))
        last = block[-1:]
        ok = eligible[np.where(ids >= 0, ids, -1)]
        pair = ok[:-1] & ok[1:]
        batch.append(pack(ids[:-1][pair], ids[1:][pair]))
        batched += len(batch[-1])
        if batched >= MERGE_PAIRS:
            table.add(np.concatenate(batch), max_pairs)
            batch, batched = [], 0
    if batch:
        table.add(np.concatenate(batch), max_pairs)
    return table


def score(pair_counts: np.ndarray, first_counts: np.ndarray, second_counts: np.ndarray,
          total: int, min_count: int) -> np.ndarray:
    """word2phrase's score, float64: (count(ab) - min_count) / (count(a) count(b)) * total;
    0 where a count is below ``min_count`` (those pairs are never joined)."""
    pair_counts = np.asarray(pair_counts, np.float64)
    first_counts, second_counts = np.asarray(first_counts, np.float64), np.asarray(second_counts, np.float64)
    formable = (pair_counts >= min_count) & (first_counts >= min_count) & (second_counts >= min_count)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (pair_counts - min_count) / first_counts / second_counts * float(total)
    return np.where(formable, value, 0.0)


def find_phrases(table: PairCounts, word_counts: np.ndarray, total: int, min_count: int,
                 threshold: float) -> np.ndarray:
    """Sorted keys of the pairs that score above ``threshold``."""
    frequent = table.counts >= min_count  # most pairs are rarer: score only the others
    keys, pair_counts = table.keys[frequent], table.counts[frequent]
    first, second = unpack(keys)
    scores = score(pair_counts, word_counts[first], word_counts[second], total, min_count)
    return keys[scores > threshold]


def name_phrases(words: List[bytes], phrase_keys: np.ndarray) -> Tuple[np.ndarray, List[bytes]]:
    """Ids of the joined words ``a_b``, and the word list with the new ones appended.

    A phrase whose text is already a word (a literal ``new_york`` in the input,
    or ``new_york city`` and ``new york_city`` in a later pass) takes that word's
    id, as word2phrase, which only sees text, would count them as one word."""
    first, second = unpack(phrase_keys)
    names = [words[a] + b"_" + words[b] for a, b in zip(first.tolist(), second.tolist())]
    known = {word: i for i, word in enumerate(words) if b"_" in word}
    words = list(words)
    ids = np.empty(len(names), np.int32)
    for k, name in enumerate(names):
        i = known.get(name)
        if i is None:
            i = known[name] = len(words)
            words.append(name)
        ids[k] = i
    return ids, words


# --- joining ----------------------------------------------------------------------------------

def greedy_joins(ids: np.ndarray, phrase_keys: np.ndarray) -> np.ndarray:
    """For each adjacent pair (ids[k], ids[k+1]), whether it is joined, from left to right.

    A pair is a candidate when it is a phrase; in a run of consecutive candidates
    the 1st, 3rd, ... are joined, since a joined pair's second word cannot start
    another (word2phrase: after a_b the next pair starts after b). ``ids`` must start
    fresh: its first pair is not blocked by a pair before it.
    """
    candidate = (ids[:-1] >= 0) & (ids[1:] >= 0)
    if not len(phrase_keys) or not candidate.any():
        return np.zeros(len(candidate), bool)
    where = np.flatnonzero(candidate)
    keys = pack(ids[where], ids[where + 1])
    found = np.minimum(np.searchsorted(phrase_keys, keys), len(phrase_keys) - 1)
    candidate[where] = phrase_keys[found] == keys
    position = np.arange(len(candidate))
    starts = candidate.copy()
    starts[1:] &= ~candidate[:-1]
    run_start = np.maximum.accumulate(np.where(starts, position, 0))
    return candidate & ((position - run_start) % 2 == 0)


def _joined(ids: np.ndarray, joins: np.ndarray, phrase_keys: np.ndarray, phrase_ids: np.ndarray) -> np.ndarray:
    """``ids`` with each joined pair replaced by its phrase's id."""
    first = np.flatnonzero(joins)
    out = ids.copy()
    out[first] = phrase_ids[np.searchsorted(phrase_keys, pack(ids[first], ids[first + 1]))]
    keep = np.ones(len(ids), bool)
    keep[first + 1] = False
    return out[keep]


def join_stream(blocks: Iterator[np.ndarray], phrase_keys: np.ndarray,
                phrase_ids: np.ndarray) -> Iterator[np.ndarray]:
    """The id stream with phrases joined, block by block.

    A block is cut after its last pair that is not joined: the greedy choice
    after such a pair starts afresh, so the result is the same as joining the
    whole stream at once; the rest waits for the next block.
    """
    waiting = np.zeros(0, np.int32)
    for block in blocks:
        ids = np.concatenate((waiting, block))
        joins = greedy_joins(ids, phrase_keys)
        free = np.flatnonzero(~joins)
        cut = int(free[-1]) + 1 if len(free) else 0
        yield _joined(ids[:cut], joins[: max(cut - 1, 0)], phrase_keys, phrase_ids)
        waiting = ids[cut:]
    if len(waiting):
        yield _joined(waiting, greedy_joins(waiting, phrase_keys), phrase_keys, phrase_ids)


# --- id streams -------------------------------------------------------------------------------

def _scanned_blocks(scanned: ScannedCorpus, block_entries: int = BLOCK_ENTRIES) -> Iterator[np.ndarray]:
    """The scanned ids in the table's final numbering: words the table pruned are
    UNKNOWN, each file's closing line end is FILE_END."""
    lookups = corpus._lookups(scanned, np.arange(len(scanned.words), dtype=np.int32))
    file_ends = np.asarray(scanned.file_ends, np.int64)
    scanned.ids_file.seek(0)
    done = 0
    for end, lookup in lookups:
        while done < end:
            block = np.fromfile(scanned.ids_file, dtype=np.int32, count=min(block_entries, end - done))
            ids = lookup[block]
            ends = file_ends[(file_ends >= done) & (file_ends < done + len(block))] - done
            ids[ends] = FILE_END
            done += len(block)
            yield ids


def _stream_blocks(stream: ScannedCorpus, block_entries: int = BLOCK_ENTRIES) -> Iterator[np.ndarray]:
    stream.ids_file.seek(0)
    left = stream.entries
    while left:
        block = np.fromfile(stream.ids_file, dtype=np.int32, count=min(block_entries, left))
        left -= len(block)
        yield block


def _words_in(ids: np.ndarray) -> int:
    """Words of the text in an id stream block: known ones and pruned ones."""
    return int(np.count_nonzero((ids >= 0) | (ids == UNKNOWN)))


def _one_pass(number: int, blocks: Blocks, words: List[bytes], counts: np.ndarray, total: int,
              threshold: float, min_count: int, max_pairs: int, cache_dir: Optional[str], bar: Bar
              ) -> Tuple[ScannedCorpus, List[bytes], np.ndarray, np.ndarray, PassStats]:
    """Count pairs, score them, and write the joined stream; returns it with the
    new word list, counts (recounted from the new stream), the phrases' ids and
    what the pass did."""
    started = time.perf_counter()
    table = count_pairs(bar.ticking(blocks()), counts, min_count, max_pairs)
    phrase_keys = find_phrases(table, counts, total, min_count, threshold)
    phrase_ids, words = name_phrases(words, phrase_keys)
    out = ScannedCorpus(cache_dir=cache_dir)
    new_counts = np.zeros(len(words), np.int64)
    try:
        for ids in join_stream(bar.ticking(blocks()), phrase_keys, phrase_ids):
            out.append(ids)
            out.tokens += _words_in(ids)
            new_counts += np.bincount(ids[ids >= 0], minlength=len(words))
    except BaseException:
        out.close()
        raise
    stats = PassStats(pairs=len(table.keys), phrases=len(phrase_keys), joins=total - out.tokens,
                      words_in=total, words_out=out.tokens, pruned=table.pruned,
                      seconds=time.perf_counter() - started)
    log.info("phrases: pass %d: %s pairs counted, %s scored above %g, %s joined; %s -> %s words in %.1f s",
             number, f"{stats.pairs:,}", f"{stats.phrases:,}", threshold, f"{stats.joins:,}",
             f"{stats.words_in:,}", f"{stats.words_out:,}", stats.seconds)
    if table.pruned:
        log.warning("phrases: more than %s distinct word pairs: the rarest were pruned %d time(s); counts of "
                    "pairs that came back are lower bounds (max_pairs_counting)", f"{max_pairs:,}", table.pruned)
    return out, words, new_counts, phrase_ids, stats


@dataclass
class _Joined:
    """The outcome of all passes: the last id stream (close it), the word list and counts."""

    stream: ScannedCorpus
    words: List[bytes]
    counts: np.ndarray
    phrase_ids: np.ndarray  # ids of the words that passes formed
    passes: List[PassStats]


def _run_passes(scanned: ScannedCorpus, passes: int, threshold: float, min_count: int, max_pairs: int,
                cache_dir: Optional[str], bar: Bar) -> _Joined:
    blocks: Blocks = partial(_scanned_blocks, scanned)
    words, counts, total, entries = scanned.words, scanned.counts, scanned.tokens, scanned.entries
    stream, done, formed = None, [], []
    try:
        for number in range(1, passes + 1):
            bar.expect(2 * entries)
            new_stream, words, counts, phrase_ids, stats = _one_pass(
                number, blocks, words, counts, total, threshold, min_count, max_pairs, cache_dir, bar)
            if stream is not None:
                stream.close()
            stream, total, entries = new_stream, new_stream.tokens, new_stream.entries
            blocks = partial(_stream_blocks, stream)
            done.append(stats)
            formed.append(phrase_ids)
    except BaseException:
        if stream is not None:
            stream.close()
        raise
    return _Joined(stream, words, counts, np.unique(np.concatenate(formed)), done)


# --- output: text, or the scanned corpus for training ----------------------------------------

TEXT_ENTRIES = 1 << 18  # ids turned into text at once (~1.5 MB of text, ~40 MB of index arrays)


def text_blocks(blocks: Iterator[np.ndarray], words: List[bytes]) -> Iterator[bytes]:
    """The text of an id stream: words separated by spaces, a newline per line end,
    made in numpy from one pool of the words' bytes (no Python object per word)."""
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    offsets = np.zeros(len(words) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    pool = np.frombuffer(b"".join(words) + b" \n", dtype=np.uint8)
    space, newline = offsets[-1], offsets[-1] + 1
    after_word = False
    for block in blocks:
        for start in range(0, len(block), TEXT_ENTRIES):
            ids = block[start: start + TEXT_ENTRIES]
            is_word = ids >= 0
            previous = np.empty(len(ids), bool)
            previous[0], previous[1:] = after_word, is_word[:-1]
            line_end = (ids == SENTENCE_END) | ((ids == FILE_END) & previous)
            known = np.maximum(ids, 0)
            # two pieces per id: what comes before it (a space or a newline), then its word
            piece_length = np.column_stack((((is_word & previous) | line_end).astype(np.int64),
                                            np.where(is_word, lengths[known], 0))).ravel()
            piece_source = np.column_stack((np.where(line_end, newline, space), offsets[known])).ravel()
            piece_start = np.cumsum(piece_length) - piece_length
            size = int(piece_start[-1] + piece_length[-1])
            index = np.arange(size, dtype=np.int64) + np.repeat(piece_source - piece_start, piece_length)
            yield pool[index].tobytes()
            after_word = bool(is_word[-1])


def _unicode_words(words: List[bytes], ids: np.ndarray, counts: np.ndarray) -> Dict[str, int]:
    return {words[i].decode("utf-8"): int(counts[i]) for i in ids.tolist() if counts[i] > 0}


def phrases(input_paths: Union[corpus.PathLike, Sequence[corpus.PathLike]], output_path: corpus.PathLike, threshold: float = THRESHOLD,
            min_count: int = MIN_COUNT, passes: int = 1, progress: Progress = None,
            max_words_counting: int = corpus.MAX_WORDS_COUNTING, max_pairs_counting: int = MAX_PAIRS_COUNTING,
            cache_dir: Optional[str] = None, unicode_errors: str = "strict") -> PhrasesResult:
    """Join frequent word pairs of a corpus with ``_`` and write the text to ``output_path``.

    ``input_paths``: a file, a directory or a list of them (.gz/.bz2/.xz read on
    the fly), as for training. A pair a b on one line is joined when word2phrase's
    score (count(ab) - min_count) / (count(a) count(b)) * total_words exceeds
    ``threshold`` (default 100; higher gives fewer phrases) and a, b and ab each
    occur at least ``min_count`` times (default 5). ``passes`` (default 1, at most
    10) repeats this over the joined text, for phrases of up to 2**passes words.
    The output has one line per input line, words separated by single spaces;
    it is written to a temporary file and renamed, so it is never left half-written.
    ``progress``: bars on stderr (None, the default: in a terminal; see
    progress.py); ``cache_dir`` holds the id streams
    (4 bytes per word). ``unicode_errors`` (``"strict"``, ``"replace"`` or
    ``"ignore"``) is what to do with invalid UTF-8, as for training. Returns a
    :class:`PhrasesResult` (per pass, and the phrases in the output with their counts).
    Raises ValueError for a bad setting, FileNotFoundError / CorpusError for bad input.
    """
    check_settings(threshold, min_count, passes, max_pairs_counting)
    if isinstance(max_words_counting, bool) or not isinstance(max_words_counting, int) or max_words_counting < 10:
        raise ValueError(f"max_words_counting={max_words_counting!r} must be a whole number of at least 10")
    if cache_dir is not None and not os.path.isdir(cache_dir):
        raise ValueError(f"cache_dir={str(cache_dir)!r} is not an existing directory")
    check_writable(output_path)  # a bad output path fails now, not after counting
    started = time.perf_counter()
    with corpus.scan(input_paths, max_words=max_words_counting, cache_dir=cache_dir,
                     unicode_errors=unicode_errors, progress=progress) as scanned:
        summary = scanned.invalid.summary(unicode_errors)
        if summary:
            log.warning("%s (unicode_errors=%s)", summary, unicode_errors)
        if scanned.prunes:
            raise CorpusError(
                f"more than {max_words_counting:,} distinct words: the rarest were dropped while counting and "
                "their text cannot be written; raise max_words_counting (--max-words-counting, ~70 bytes a word)")
        bar = Bar(progress, "phrases")
        try:
            joined = _run_passes(scanned, passes, threshold, min_count, max_pairs_counting, cache_dir, bar)
        except BaseException:
            bar.close()
            raise
    try:
        bar.expect(joined.stream.entries)
        with atomic_write(output_path) as out:
            for text in text_blocks(bar.ticking(_stream_blocks(joined.stream)), joined.words):
                out.write(text)
    finally:
        joined.stream.close()
        bar.close()
    return PhrasesResult(passes=joined.passes, phrases=_unicode_words(joined.words, joined.phrase_ids, joined.counts),
                         words_in=scanned.tokens, words_out=joined.passes[-1].words_out,
                         seconds=time.perf_counter() - started, output=str(output_path))


def join_scanned(scanned: ScannedCorpus, passes: int, threshold: float = THRESHOLD, min_count: int = MIN_COUNT,
                 max_pairs_counting: int = MAX_PAIRS_COUNTING, progress: Progress = False) -> List[PassStats]:
    """Apply ``passes`` phrase passes to a scanned corpus in place: its words,
    counts and ids become those of the joined text, ready for build_vocab and
    encode (model.py calls this between them). Words the counting table pruned
    break pairs and are then dropped, as encode would drop them."""
    check_settings(threshold, min_count, passes, max_pairs_counting)
    if scanned.prunes:
        log.warning("the rarest words were pruned %d time(s) while counting; counts of words that came back "
                    "are lower bounds (--max-words-counting)", len(scanned.prunes))
    bar = Bar(progress, "phrases")
    try:
        joined = _run_passes(scanned, passes, threshold, min_count, max_pairs_counting, scanned.cache_dir, bar)
    finally:
        bar.close()
    final = ScannedCorpus(cache_dir=scanned.cache_dir)
    try:
        for ids in _stream_blocks(joined.stream):
            ids = np.where(ids == FILE_END, SENTENCE_END, ids)
            ids = ids[ids != UNKNOWN]
            final.append(ids)
            final.tokens += int(np.count_nonzero(ids >= 0))
    except BaseException:
        final.close()
        raise
    finally:
        joined.stream.close()
    scanned.close()
    scanned.ids_file, scanned.entries, scanned.tokens = final.ids_file, final.entries, final.tokens
    scanned.words, scanned.counts, scanned.prunes, scanned.file_ends = joined.words, joined.counts, [], []
    return joined.passes
