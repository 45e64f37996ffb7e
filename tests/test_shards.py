"""Shards (byte ranges cut at whitespace, balanced by size) and the vocabulary merged from them."""
import gzip

import numpy as np
import pytest

from fastemb import corpus
from fastemb.config import make_settings
from fastemb.rounds import SimulatedPool
from fastemb.shard_vocab import ShardCounts, merge_counts, merged_vocab
from fastemb.shards import plan_shards, shard_bytes
from fastemb.vocab import build_vocab

WHITESPACE = b" \n\t\r\x0b\x0c"


def tied_text(rng, words=3000, distinct=60) -> str:
    """Lines of words with many equal counts (ties), some multi-byte words."""
    names = [f"w{i}" for i in range(distinct)] + ["é", "日本", "ß"]
    tokens = rng.choice(names, size=words)
    lines, start = [], 0
    while start < len(tokens):
        length = int(rng.integers(1, 25))
        lines.append(" ".join(tokens[start: start + length]))
        start += length
    return "\n".join(lines) + "\n"


@pytest.fixture
def corpus_dir(tmp_path):
    rng = np.random.default_rng(5)
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a_big.txt").write_text(tied_text(rng, 20_000), encoding="utf-8")
    (folder / "b_small.txt").write_text(tied_text(rng, 50), encoding="utf-8")
    (folder / "c_empty.txt").write_text("", encoding="utf-8")
    (folder / "d_one_line.txt").write_text(" ".join(tied_text(rng, 8_000).split()), encoding="utf-8")
    with gzip.open(folder / "e.txt.gz", "wt", encoding="utf-8") as stream:
        stream.write(tied_text(rng, 3_000))
    return folder


def piece_bytes(piece) -> bytes:
    with open(piece.path, "rb") as stream:
        stream.seek(piece.start)
        data = stream.read()
    return data if piece.end is None else data[: piece.end - piece.start]


@pytest.mark.parametrize("workers", [1, 2, 3, 7, 16])
def test_shards_cover_the_corpus_once_in_order_cut_at_whitespace(corpus_dir, workers):
    shards = plan_shards(corpus_dir, workers)
    assert len(shards) == workers
    pieces = [piece for shard in shards for piece in shard]
    by_file = {}
    for piece in pieces:
        by_file.setdefault(piece.path, []).append(piece)
    assert list(by_file) == [str(p) for p in corpus.list_files(corpus_dir)]  # corpus order
    for path, parts in by_file.items():
        whole = open(path, "rb").read()
        assert b"".join(map(piece_bytes, parts)) == whole
        for part in parts[1:]:  # every cut inside a file follows a whitespace byte
            assert whole[part.start - 1] in WHITESPACE
        if path.endswith(".gz"):
            assert len(parts) == 1  # compressed files are never entered at an offset


def test_one_large_file_is_balanced_by_size(tmp_path):
    path = tmp_path / "one.txt"
    path.write_text(" ".join(f"word{i % 977}" for i in range(50_000)), encoding="utf-8")
    size = path.stat().st_size
    shards = plan_shards(path, 4)
    longest_word = 8
    for shard in shards:
        assert abs(shard_bytes(shard) - size / 4) <= longest_word + 1


def test_workers_must_be_at_least_one(corpus_dir):
    with pytest.raises(ValueError, match="workers=0"):
        plan_shards(corpus_dir, 0)


def test_merge_counts_adds_counts_and_keeps_first_appearance_order():
    shards = [ShardCounts([b"b", b"a"], np.array([2, 1]), 3, 4),
              ShardCounts([b"c", b"a", b"b"], np.array([5, 4, 1]), 10, 11),
              ShardCounts([], np.zeros(0, np.int64), 0, 1)]
    words, counts = merge_counts(shards)
    assert words == [b"b", b"a", b"c"]
    assert counts.tolist() == [3, 5, 5]


@pytest.mark.parametrize("workers", [1, 2, 3, 5, 16])
@pytest.mark.parametrize("min_count,max_vocab", [(1, None), (40, None), (2, 37)])
def test_merged_vocabulary_is_the_single_machines(corpus_dir, workers, min_count, max_vocab):
    with corpus.scan(corpus_dir) as scanned:
        single, _ = build_vocab(scanned.words, scanned.counts, min_count, max_vocab)
        tokens = scanned.tokens
    pool = SimulatedPool(plan_shards(corpus_dir, workers), make_settings(threads=1))
    try:
        counted = pool.count()
    finally:
        pool.close()
    merged = merged_vocab(counted, min_count, max_vocab)
    assert merged.words == single.words  # word for word, ties in the same order
    assert merged.counts.tolist() == single.counts.tolist()  # count for count
    assert sum(c.tokens for c in counted) == tokens
