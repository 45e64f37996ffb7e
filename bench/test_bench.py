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
