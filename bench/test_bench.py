"""Checks of the bench's own logic, without training anything: `pytest bench`.

(Outside the project's `tests/`, which CI runs: these need no peer installed
but belong to the benchmark, not to fastemb.)
"""

from bench import corpora, report
from bench.run import plan, parse_args


def test_prefix_ends_at_whitespace_and_keeps_every_word(tmp_path):
    src = tmp_path / "c.txt"
    src.write_bytes(b"alpha beta gamma delta epsilon")
    p = corpora.prefix(src, 13, tmp_path / "cache")  # byte 13 falls inside "gamma"
    assert p.read_bytes() == b"alpha beta"
    assert corpora.prefix(src, 10**6, tmp_path / "cache") == src  # not longer: the file itself


def test_line_copy_cuts_long_lines_and_keeps_line_ends(tmp_path, monkeypatch):
    monkeypatch.setattr(corpora, "BLOCK", 4)  # words cut by block boundaries must survive
    src = tmp_path / "c.txt"
    src.write_bytes(b"a bb ccc dddd\n\ne  f\tg\nh")
    copy = corpora.line_copy(src, tmp_path, words_per_line=2)
    assert copy.read_bytes() == b"a bb\nccc dddd\ne f\ng\nh\n"
    assert corpora.count_words(copy) == corpora.count_words(src) == 8


def _run(tool, model, speed, wall, analogy, suite="main", threads=2, corpus_bytes=100, dim=100):
    return {"suite": suite, "model": model, "tool": tool, "ok": True, "threads": threads, "dim": dim,
            "corpus_bytes": corpus_bytes, "words": 1000, "train_words_per_s": speed, "wall_s": wall,
            "peak_rss_mb": 100.0, "analogy_pct": analogy, "ws353_spearman": 0.5,
            "simlex_spearman": 0.3, "men_spearman": 0.6}


def test_summary_medians_ratios_and_headline():
    runs = [_run("fastemb", "skipgram", s, 1.0, 10.0) for s in (900, 1000, 2000)]
    runs += [_run("gensim", "skipgram", s, 5.0, 11.0) for s in (100, 200, 300)]
    runs += [_run("gensim_file", "skipgram", 400, 4.0, 20.0)]  # faster, but no quality reference
    runs += [_run("fastemb", "skipgram", 500, 0.5, None, "scaling", 1, 50),
             _run("fastemb", "skipgram", 900, 0.4, None, "scaling", 2, 50)]
    rep = {"runs": runs, "corpus": {"bytes": 100},
           "plan": {"tools": ["fastemb", "gensim", "gensim_file"], "models": ["skipgram"],
                    "scaling_tools": ["fastemb"]}}
    s = report.summarize(rep)["models"]["skipgram"]
    assert s["tools"]["fastemb"]["train_words_per_s"] == {"median": 1000, "min": 900, "max": 2000, "n": 3}
    h = s["headline"]
    assert h["speed_vs_fastest_peer"] == {"peer": "gensim_file", "ratio": 2.5}
    assert h["analogy_pct_vs_reference"] == {"peer": "gensim", "difference": -1.0}
    scaling = report.summarize(rep)["scaling"]
    assert scaling["threads"]["fastemb"]["speedup"] == 900 / 500
    assert sorted(scaling["size"]["fastemb"]) == [50, 100]


def test_plan_alternates_rows_and_adds_one_thread_runs(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(b"w " * 1000)
    a = parse_args(["--corpus", str(corpus), "--repeats", "2", "--tools", "fastemb,fastemb_classic,gensim",
                    "--scaling-bytes", "500", "--thread-scaling-bytes", "500", "--dims", "100"])
    rounds, scaling = plan(a, 2000)
    assert [(j.model, j.tool) for j in rounds[0]] == [
        ("skipgram", "fastemb"), ("skipgram", "fastemb_classic"), ("skipgram", "gensim"),
        ("cbow", "fastemb"), ("cbow", "gensim")]  # the classic kernel is skip-gram's only
    assert rounds[1] == [j.__class__(**{**j.__dict__, "repeat": 1}) for j in rounds[0]]
    assert [(j.tool, j.corpus_bytes, j.threads) for j in scaling] == [
        ("fastemb", 500, 2), ("gensim", 500, 2),  # size scaling
        ("fastemb", 500, 2), ("fastemb", 500, 1), ("fastemb", 500, 2), ("fastemb", 500, 1)]  # threads, x2


def test_thread_scaling_defaults_to_the_whole_corpus_against_the_main_runs(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(b"w " * 1000)
    a = parse_args(["--corpus", str(corpus), "--repeats", "3", "--tools", "fastemb,gensim", "--no-plots"])
    _, scaling = plan(a, 2000)
    assert [(j.tool, j.corpus_bytes, j.threads) for j in scaling if j.threads == 1] == [("fastemb", 2000, 1)] * 3
    runs = [_run("fastemb", "skipgram", s, 1.0, 10.0, corpus_bytes=2000) for s in (1900, 2000, 2100)]
    runs += [_run("fastemb", "cbow", 9999, 1.0, 10.0, corpus_bytes=2000)]  # not skip-gram: ignored
    runs += [_run("fastemb", "skipgram", s, 2.0, None, "scaling", 1, 2000) for s in (1000, 1100, 900)]
    threads = report.summarize_threads(runs, 2)
    assert threads["fastemb"] == {"corpus_bytes": 2000, "words_per_s": {1: 1000, 2: 2000}, "speedup": 2.0}


# --- the transfer bench's data: WordNet noun glosses (bench/transfer_data.py) -------------------

# data.noun's format, on synsets made up for this test: a licence header whose lines start with
# two spaces, then offset, lex_filenum, ss_type, w_cnt (hex), words with lex_ids, p_cnt, pointers, | gloss
DATA_NOUN_SAMPLE = """\
  1 This is a made-up sample in WordNet's data file format.
  2 Its header lines start with two spaces.
00000100 03 n 01 something 0 000 | a made-up top concept
00000200 05 n 02 dog 0 domestic_dog 0 002 @ 00000300 n 0000 ~ 00000400 n 0000 | a domesticated canine; "the dog barked"
00000300 05 n 0b a 0 b 1 c 0 d 0 e 0 f 0 g 0 h 0 i 0 j 0 k 0 000 | an animal with eleven names
00000400 13 n 01 bread 0 001 + 01234567 v 0101 | food made of flour-and-water dough, baked (e.g. 2 loaves)
00000500 15 n 01 alps 0 000 | mountains in Europe; "they skied in the Alps"; "snow"
"""


def test_wordnet_glosses_are_parsed_with_their_lexicographer_file(tmp_path):
    from bench import transfer_data as data

    path = tmp_path / "data.noun"
    path.write_text(DATA_NOUN_SAMPLE, encoding="utf-8")
    glosses = data.read_glosses(path)
    assert [(g.offset, g.label) for g in glosses] == [("00000200", "noun.animal"), ("00000300", "noun.animal"),
                                                     ("00000400", "noun.food"), ("00000500", "noun.location")]
    assert glosses[0].tokens == ("a", "domesticated", "canine")  # the quoted example is left out
    assert glosses[1].tokens == ("an", "animal", "with", "eleven", "names")  # w_cnt 0b = 11 words skipped
    assert glosses[2].tokens == ("food", "made", "of", "flour", "and", "water", "dough", "baked", "e", "g", "loaves")
    assert glosses[3].tokens == ("mountains", "in", "europe")
    assert len(data.CLASSES) == 25 and "noun.Tops" not in data.CLASSES


def test_wordnet_missing_or_malformed_is_one_line(tmp_path):
    import pytest

    from bench import transfer_data as data

    with pytest.raises(data.WordNetMissing, match="apt-get install wordnet-base"):
        data.read_glosses(tmp_path / "data.noun")
    bad = tmp_path / "bad.noun"
    bad.write_text(DATA_NOUN_SAMPLE + "00000600 05 n 02 cat 0 | too short\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.noun:8: "):
        data.read_glosses(bad)


def _glosses(classes=("noun.animal", "noun.food"), per_class=12):
    from bench.transfer_data import Gloss

    return [Gloss(f"{label}-{i:04d}", label, (f"{label[5:]}{i}", "of", "the", "kind"))
            for label in classes for i in range(per_class)]


def test_held_out_set_is_fixed_and_apart_from_the_training_pool():
    from bench import transfer_data as data

    glosses = _glosses() + _glosses(("noun.motive",), per_class=6)  # a small class: a quarter held out
    classes = ["noun.animal", "noun.food", "noun.motive"]
    pools, held_out = data.split(glosses, classes, test_per_class=2)
    assert (pools, held_out) == data.split(list(reversed(glosses)), classes, test_per_class=2)  # fixed
    assert [sum(g.label == c for g in held_out) for c in classes] == [2, 2, 1]
    assert [len(pools[c]) for c in classes] == [10, 10, 5]
    assert not {g.offset for g in held_out} & {g.offset for pool in pools.values() for g in pool}
    sample = data.training_sample(pools, 8, seed=3)
    assert [sum(g.label == c for g in sample) for c in classes] == [8, 8, 5]  # capped by the small pool
    assert sample == data.training_sample(pools, 8, seed=3) != data.training_sample(pools, 8, seed=4)
    assert len({g.offset for g in sample}) == len(sample)


def test_unseen_subset_and_word_index():
    from bench import transfer_data as data
    from bench.transfer_data import Gloss

    train = [Gloss("1", "noun.location", ("the", "alps", "are", "mountains"))]
    held_out = [Gloss("2", "noun.location", ("the", "himalaya")),  # only a function word in common: unseen
                Gloss("3", "noun.location", ("high", "mountains")),  # shares "mountains"
                Gloss("4", "noun.location", ("of", "the"))]  # no content word at all: not counted
    assert [g.offset for g in data.unseen_subset(held_out, train)] == ["2"]
    index = data.word_index(train + held_out)
    assert index["the"] == 1 and index["mountains"] == 2 and sorted(index.values()) == list(range(1, len(index) + 1))


def test_transfer_summary_medians_and_where_random_init_catches_up():
    from bench import transfer_report

    accuracy = {("random", 5): [0.20, 0.30, 0.25], ("frozen", 5): [0.40, 0.42, 0.41],
                ("random", 50): [0.52, 0.50, 0.51], ("frozen", 50): [0.515, 0.515, 0.515]}
    runs = [{"classifier": "torch-mean", "embedding": e, "per_class": size, "seed": seed, "accuracy": a,
             "unseen_glosses": 10 - seed, "unseen_accuracy": None if e == "random" and seed == 0 else a / 2}
            for (e, size), values in accuracy.items() for seed, a in enumerate(values)]
    s = transfer_report.summarize(runs)["torch-mean"]
    assert s["curve"]["random"][5] == {"median": 25.0, "min": 20.0, "max": 30.0, "n": 3}
    assert s["unseen"]["random"][5]["n"] == 2  # a run without unseen-word glosses has no figure
    assert round(s["gap"][5], 6) == 16.0 and round(s["gap"][50], 6) == 0.5
    assert s["catch_up"] == 50 and s["catch_up_with"] == {"frozen": 50}
    assert s["unseen_glosses"][5] == 9
def test_full_plan_has_dim_300_tables_for_every_row(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(b"w " * 1000)
    a = parse_args(["--corpus", str(corpus), "--no-scaling"])
    rounds, _ = plan(a, 2000)
    for dim in (100, 300):
        for model in ("skipgram", "cbow"):
            tools = {j.tool for j in rounds[0] if j.dim == dim and j.model == model}
            assert {"fastemb", "word2vec_c", "gensim", "gensim_file", "fasttext"} <= tools, (dim, model)
    quick = parse_args(["--quick", "--corpus", str(corpus)])
    assert {j.dim for r in plan(quick, 2000)[0] for j in r} == {100}


def test_summary_keeps_each_dim_in_its_own_table_and_scales_the_first():
    runs = [_run("fastemb", "skipgram", 1000, 1.0, 10.0), _run("fastemb", "skipgram", 400, 3.0, 12.0, dim=300),
            _run("fastemb", "skipgram", 500, 2.0, None, "scaling", 1, 100)]
    rep = {"runs": runs, "corpus": {"bytes": 100}, "settings": {"skipgram": {"dim": 100}},
           "plan": {"tools": ["fastemb"], "models": ["skipgram"], "dims": [100, 300], "scaling_tools": ["fastemb"]}}
    s = report.summarize(rep)
    assert s["models"]["skipgram"]["tools"]["fastemb"]["train_words_per_s"]["median"] == 1000
    assert s["models"]["skipgram-dim300"]["tools"]["fastemb"]["wall_s"]["median"] == 3.0
    assert report.title("skipgram-dim300") == "Skip-gram, dim 300"
    assert s["scaling"]["threads"]["fastemb"]["speedup"] == 2.0  # 1000 at 2 threads (dim 100) / 500 at 1
