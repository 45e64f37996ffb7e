"""Phrases: word2phrase's score and greedy joining, on ids and on text, from Python and the shell."""
import logging
import os
import sys
from collections import Counter

import numpy as np
import pytest

import fastemb
from conftest import run_cli, write
from fastemb import corpus
from fastemb.errors import CorpusError
from fastemb.phrases import (
    FILE_END, UNKNOWN, count_pairs, find_phrases, greedy_joins, join_stream, name_phrases, pack, score,
    text_blocks,
)


def reference_phrases(lines, threshold, min_count):
    """word2phrase's rule in plain Python: counts, score, greedy joins, per line."""
    words = Counter(w for line in lines for w in line)
    pairs = Counter(p for line in lines for p in zip(line, line[1:]))
    total = sum(words.values())

    def joinable(a, b):
        if min(words[a], words[b], pairs[a, b]) < min_count:
            return False
        return (pairs[a, b] - min_count) / words[a] / words[b] * total > threshold

    out = []
    for line in lines:
        joined, k = [], 0
        while k < len(line):
            if k + 1 < len(line) and joinable(line[k], line[k + 1]):
                joined.append(line[k] + "_" + line[k + 1])
                k += 2
            else:
                joined.append(line[k])
                k += 1
        out.append(joined)
    return out


def planted_lines(seed=0, sentences=20_000, planted=(("new", "york"), ("los", "angeles")), every=40):
    """Sentences of independent words (two of them very frequent), with each planted
    pair inserted in one sentence out of ``every``."""
    rng = np.random.default_rng(seed)
    common = [f"w{i}" for i in range(300)]
    lines = []
    for s in range(sentences):
        line = [("the" if r < 0.1 else "of" if r < 0.2 else common[int(r * 1e6) % 300])
                for r in rng.random(int(rng.integers(4, 12)))]
        for k, pair in enumerate(planted):
            if (s + k) % every == 0:
                at = int(rng.integers(0, len(line) + 1))
                line[at:at] = list(pair)
        lines.append(line)
    return lines


def as_text(lines):
    return "".join(" ".join(line) + "\n" for line in lines)


def read_lines(path):
    return [line.split() for line in path.read_text().splitlines()]


# --- the rule, on ids ----------------------------------------------------------------------------

# a b c a b / a b d / c a b   (ids a=0 b=1 c=2 d=3; -1 ends a line)
TINY_WORDS = [b"a", b"b", b"c", b"d"]
TINY_IDS = np.array([0, 1, 2, 0, 1, -1, 0, 1, 3, -1, 2, 0, 1, -1], np.int32)
TINY_COUNTS = np.array([4, 4, 2, 1], np.int64)
TINY_TOTAL = 11


def test_pair_counts_stay_within_lines():
    table = count_pairs(iter([TINY_IDS]), TINY_COUNTS, min_count=1)
    counted = dict(zip(table.keys.tolist(), table.counts.tolist()))
    assert counted == {int(pack(np.array([0]), np.array([1]))[0]): 4, int(pack(np.array([1]), np.array([2]))[0]): 1,
                       int(pack(np.array([2]), np.array([0]))[0]): 2, int(pack(np.array([1]), np.array([3]))[0]): 1}
    # (d, c) spans a line end: not counted


def test_score_is_word2phrase_formula_by_hand():
    # (count(ab) - min_count) / count(a) / count(b) * total
    assert score([4], [4], [4], TINY_TOTAL, 1)[0] == pytest.approx(3 / 16 * 11)  # a b: 2.0625
    assert score([2], [2], [4], TINY_TOTAL, 1)[0] == pytest.approx(1 / 8 * 11)  # c a: 1.375
    assert score([1], [4], [2], TINY_TOTAL, 1)[0] == 0.0  # b c: count(ab) == min_count
    assert score([4], [4], [4], TINY_TOTAL, 5)[0] == 0.0  # parts below min_count never score


@pytest.mark.parametrize("threshold,expected", [
    (2.07, []),                   # just above a b's 2.0625
    (2.0625, []),                 # the score must exceed the threshold
    (2.06, [(0, 1)]),             # a b only
    (1.3, [(0, 1), (2, 0)]),      # a b and c a
])
def test_threshold_selects_pairs_by_score(threshold, expected):
    table = count_pairs(iter([TINY_IDS]), TINY_COUNTS, min_count=1)
    found = find_phrases(table, TINY_COUNTS, TINY_TOTAL, 1, threshold)
    assert found.tolist() == [int(pack(np.array([a]), np.array([b]))[0]) for a, b in expected]


def test_greedy_joins_left_to_right():
    phrases = np.sort(pack(np.array([0, 2]), np.array([1, 0])))  # a b and c a
    joins = greedy_joins(TINY_IDS, phrases)
    # a_b c_a b / a_b d / c_a b : after c a is joined, its a cannot start a b
    assert np.flatnonzero(joins).tolist() == [0, 2, 6, 10]
    ids, words = name_phrases(TINY_WORDS, phrases)
    text = b"".join(text_blocks(join_stream(iter([TINY_IDS]), phrases, ids), words))
    assert text == b"a_b c_a b\na_b d\nc_a b\n"


def test_joining_block_by_block_equals_joining_at_once():
    rng = np.random.default_rng(5)
    ids = rng.integers(-1, 4, 5_000).astype(np.int32)  # many runs of candidate pairs
    phrases = np.unique(pack(np.array([0, 1, 1, 2, 3]), np.array([1, 1, 2, 2, 0])))
    phrase_ids = np.arange(10, 10 + len(phrases), dtype=np.int32)
    whole = np.concatenate(list(join_stream(iter([ids]), phrases, phrase_ids)))
    for size in (1, 2, 3, 7, 100):
        blocks = (ids[k: k + size] for k in range(0, len(ids), size))
        assert np.array_equal(np.concatenate(list(join_stream(blocks, phrases, phrase_ids))), whole)
        counted = count_pairs((ids[k: k + size] for k in range(0, len(ids), size)), np.full(4, 9), 1)
        assert np.array_equal(counted.counts, count_pairs(iter([ids]), np.full(4, 9), 1).counts)


def test_unknown_words_and_file_ends_break_pairs():
    ids = np.array([0, 1, UNKNOWN, 0, 1, FILE_END, 0, 1], np.int32)
    table = count_pairs(iter([ids]), np.array([3, 3]), min_count=1)
    assert table.counts.tolist() == [3] and table.keys.tolist() == pack(np.array([0]), np.array([1])).tolist()


# --- the rule, on text ---------------------------------------------------------------------------

def test_planted_pairs_are_joined_and_independent_words_are_not(tmp_path):
    lines = planted_lines()
    source = write(tmp_path / "in.txt", as_text(lines))
    result = fastemb.phrases(source, tmp_path / "out.txt", progress=False)
    out = read_lines(tmp_path / "out.txt")
    assert len(out) == len(lines)
    assert set(result.phrases) == {"new_york", "los_angeles"}  # "the of" is frequent but independent
    assert result.phrases["new_york"] == sum(line.count("new") for line in lines)
    assert not {"new", "york", "los", "angeles"} & {w for line in out for w in line}
    assert out == reference_phrases(lines, 100, 5)
    assert result.words_out == result.words_in - result.joins


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_text_equals_plain_python_reference(tmp_path, seed):
    rng = np.random.default_rng(seed)
    vocab = [f"v{i}" for i in range(30)]
    weights = rng.random(30) ** 3
    lines = [list(rng.choice(vocab, size=int(rng.integers(1, 9)), p=weights / weights.sum()))
             for _ in range(2_000)]
    source = write(tmp_path / "in.txt", as_text(lines))
    for threshold, min_count in ((1.0, 5), (3.0, 2), (0.5, 20)):
        fastemb.phrases(source, tmp_path / "out.txt", threshold=threshold, min_count=min_count, progress=False)
        assert read_lines(tmp_path / "out.txt") == reference_phrases(lines, threshold, min_count)


def test_min_count_applies_to_the_pair(tmp_path):
    lines = planted_lines(sentences=3_000) + [["zq", "xv"]] * 3  # a rare pair, always together
    source = write(tmp_path / "in.txt", as_text(lines))
    for min_count, joined in ((5, False), (3, False), (2, True)):  # at min_count 3 the score is (3 - 3) ... = 0
        result = fastemb.phrases(source, tmp_path / "out.txt", min_count=min_count, progress=False)
        assert ("zq_xv" in result.phrases) is joined
    assert read_lines(tmp_path / "out.txt")[-1] == ["zq_xv"]


def test_no_join_across_a_line_end(tmp_path):
    lines = [["alpha", "new"], ["york", "beta"]] * 500 + planted_lines(sentences=2_000, planted=())
    source = write(tmp_path / "in.txt", as_text(lines))
    result = fastemb.phrases(source, tmp_path / "out.txt", threshold=0, min_count=1, progress=False)
    assert "new_york" not in result.phrases and "alpha_new" in result.phrases
    assert len(read_lines(tmp_path / "out.txt")) == len(lines)


def test_two_passes_make_a_three_word_phrase(tmp_path):
    lines = planted_lines(planted=(("new", "york", "city"),))
    source = write(tmp_path / "in.txt", as_text(lines))
    once = fastemb.phrases(source, tmp_path / "once.txt", progress=False)
    twice = fastemb.phrases(source, tmp_path / "twice.txt", passes=2, progress=False)
    planted = sum(line.count("new") for line in lines)
    assert once.phrases == {"new_york": planted}
    assert twice.phrases == {"new_york_city": planted}  # new_york was used up: 0 left, not listed
    assert [p.phrases for p in twice.passes] == [2, 1]  # york city scores too, but york is taken first
    assert sum(line.count("new_york_city") for line in read_lines(tmp_path / "twice.txt")) == planted


def test_a_literal_phrase_in_the_text_is_the_same_word(tmp_path):
    lines = planted_lines(sentences=5_000) + [["new_york"]] * 7
    source = write(tmp_path / "in.txt", as_text(lines))
    result = fastemb.phrases(source, tmp_path / "out.txt", progress=False)
    assert result.phrases["new_york"] == sum(line.count("new") for line in lines) + 7


def test_lines_and_files_are_kept(tmp_path):
    first = write(tmp_path / "a.txt", "x y\n\n  z   w")  # an empty line; no newline at the end
    second = write(tmp_path / "b.txt", "u\tv\r\n")
    fastemb.phrases([first, second], tmp_path / "out.txt", threshold=1e9, progress=False)
    assert (tmp_path / "out.txt").read_text() == "x y\n\nz w\nu v\n"


def test_pair_table_pruning_warns_and_keeps_frequent_pairs(tmp_path, caplog):
    source = write(tmp_path / "in.txt", as_text(planted_lines(sentences=5_000)))
    with caplog.at_level(logging.WARNING, logger="fastemb"):
        result = fastemb.phrases(source, tmp_path / "out.txt", max_pairs_counting=1_000, progress=False)
    assert result.passes[0].pruned >= 1 and result.passes[0].pairs <= 1_000
    assert "pruned" in caplog.text and "max_pairs_counting" in caplog.text
    assert set(result.phrases) == {"new_york", "los_angeles"}


def test_pruned_words_cannot_be_written(tmp_path):
    source = write(tmp_path / "in.txt", " ".join(f"u{i}" for i in range(100)) + "\n")
    with pytest.raises(CorpusError, match="raise max_words_counting"):
        fastemb.phrases(source, tmp_path / "out.txt", max_words_counting=20, progress=False)
    assert not (tmp_path / "out.txt").exists()


@pytest.mark.parametrize("setting,message", [
    ({"threshold": -1}, "threshold=-1"), ({"threshold": float("nan")}, "threshold=nan"),
    ({"min_count": 0}, "min_count=0"), ({"passes": 0}, "passes=0"), ({"passes": 11}, "passes=11"),
])
def test_bad_settings_name_the_parameter(tmp_path, setting, message):
    source = write(tmp_path / "in.txt", "a b\n")
    with pytest.raises(ValueError, match=message):
        fastemb.phrases(source, tmp_path / "out.txt", progress=False, **setting)


def test_a_failure_while_writing_leaves_the_old_output(tmp_path, monkeypatch):
    module = sys.modules["fastemb.phrases"]  # fastemb.phrases is the function; this is its module

    def broken(blocks, words):
        yield b"half "
        raise OSError("disk full")

    monkeypatch.setattr(module, "text_blocks", broken)
    out = write(tmp_path / "out.txt", "keep me")
    source = write(tmp_path / "in.txt", as_text(planted_lines(sentences=500)))
    with pytest.raises(OSError, match="disk full"):
        fastemb.phrases(source, out, progress=False)
    assert out.read_text() == "keep me" and sorted(os.listdir(tmp_path)) == ["in.txt", "out.txt"]


# --- training on phrases -------------------------------------------------------------------------

def test_train_with_phrases_equals_training_on_the_phrases_file(tmp_path):
    source = write(tmp_path / "in.txt", as_text(planted_lines(sentences=5_000, planted=(("new", "york", "city"),))))
    fastemb.phrases(source, tmp_path / "out.txt", passes=2, progress=False)
    settings = dict(dim=8, epochs=1, threads=1, seed=3)
    direct = fastemb.Model(phrases=2, **settings).train(source, progress=False)
    from_file = fastemb.Model(**settings).train(tmp_path / "out.txt", progress=False)
    assert "new_york_city" in direct.vocab.index
    assert dict(zip(direct.vocab.words, direct.vocab.counts.tolist())) == \
        dict(zip(from_file.vocab.words, from_file.vocab.counts.tolist()))


def test_train_more_joins_the_new_text_like_the_first(tmp_path):
    source = write(tmp_path / "in.txt", as_text(planted_lines(sentences=3_000)))
    model = fastemb.Model(phrases=1, dim=8, epochs=1, threads=1).train(source, progress=False)
    before = model.wv["new_york"].copy()
    model.train_more(source, epochs=1, progress=False)
    assert model.stats.skipped_words == 0  # "new york" read as the vocabulary's new_york, not skipped
    assert not np.array_equal(model.wv["new_york"], before)


def test_train_with_phrases_and_pruned_words(tmp_path):
    lines = planted_lines(sentences=3_000) + [[f"rare{i}" for i in range(400)]]
    source = write(tmp_path / "in.txt", as_text(lines))
    model = fastemb.Model(phrases=1, dim=8, epochs=1, max_words_counting=200).train(source, progress=False)
    assert "new_york" in model.vocab.index and "new" not in model.vocab.index


@pytest.mark.parametrize("setting", [{"phrases": -1}, {"phrases": 11}, {"phrases": 1.5},
                                     {"phrases_threshold": -1.0}, {"phrases_threshold": float("nan")}])
def test_training_settings_are_validated(setting):
    with pytest.raises(ValueError, match=next(iter(setting))):
        fastemb.Model(**setting)


# --- the command ---------------------------------------------------------------------------------

def test_command_writes_phrases_that_train_reads(tmp_path):
    lines = planted_lines(sentences=5_000)
    source = write(tmp_path / "in.txt", as_text(lines))
    out, vectors = tmp_path / "out.txt", tmp_path / "v.txt"
    result = run_cli("phrases", source, "-o", out, "--threshold", 100, "--min-count", 5, "--passes", 1, "--quiet")
    assert result.returncode == 0, result.stderr
    assert "phrases=2 " in result.stderr and "Traceback" not in result.stderr
    assert read_lines(out) == reference_phrases(lines, 100, 5)
    trained = run_cli("train", out, "-o", vectors, "--dim", 8, "--epochs", 1, "--quiet")
    assert trained.returncode == 0, trained.stderr
    assert {"new_york", "los_angeles"} <= set(fastemb.load(vectors).index_to_word)


def test_train_command_applies_phrases(tmp_path):
    source = write(tmp_path / "in.txt", as_text(planted_lines(sentences=5_000)))
    vectors = tmp_path / "v.txt"
    result = run_cli("train", source, "-o", vectors, "--phrases", 1, "--phrases-threshold", 50,
                     "--dim", 8, "--epochs", 1, "--quiet")
    assert result.returncode == 0, result.stderr
    assert "new_york" in fastemb.load(vectors).index_to_word


@pytest.mark.parametrize("args,message", [
    (["missing.txt"], "missing.txt: no such file or directory"),
    (["{source}", "--threshold", "-5"], "threshold=-5.0 must be a number >= 0"),
    (["{source}", "--min-count", "0"], "min_count=0"),
    (["{source}", "--passes", "0"], "passes=0"),
    (["{binary}"], "NUL byte"),
    (["{source}", "-o", "{tmp}/no/dir/out.txt"], "output directory"),
])
def test_command_errors_are_one_line_with_exit_code_2(tmp_path, args, message):
    source = write(tmp_path / "in.txt", "a b c\n")
    binary = write(tmp_path / "bin.txt", b"a b\x00c\n")
    out = write(tmp_path / "out.txt", "keep me")
    args = [a.format(source=source, binary=binary, tmp=tmp_path) for a in args]
    if "-o" not in args:
        args += ["-o", str(out)]
    result = run_cli("phrases", *args, "--quiet", cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert out.read_text() == "keep me" and sorted(os.listdir(tmp_path)) == ["bin.txt", "in.txt", "out.txt"]
