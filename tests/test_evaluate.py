"""Analogy and word-pair scores: the scoring rules, the batched evaluation against a
per-question reference, equality with gensim on a model trained here, and ``fastemb eval``."""
import json
import math
from itertools import permutations

import numpy as np
import pytest

import fastemb
from conftest import SHARED, run_cli, write
from fastemb import demo, evaluate
from fastemb.evaluate import EvaluationFileError


# --- the scoring rules on vectors made by hand --------------------------------------------------

@pytest.fixture
def royal():
    """king - man + woman points exactly at 'King', a rarer case variant of king, and
    nearly at 'Queen', a more frequent case variant of queen, which 'queen' is further from."""
    words = ["man", "woman", "king", "Queen", "queen", "King", "apple", "rare"]
    vectors = np.array([[1, 0, 1, 0], [1, 0, -1, 0], [0, 1, 1, 0], [0, 1, -1, 0.1], [0, 1, -1, 0.3],
                        [0, 1, -1, 0], [-1, -1, -1, 0], [1, 1, 1, 1]], np.float32)
    return fastemb.WordVectors(words, vectors)


def test_analogy_rules(royal, tmp_path):
    questions = write(tmp_path / "q.txt", "\n".join([
        ": family",
        "man king woman queen",  # right: 'King' is excluded as a variant of king, 'Queen' is a variant of queen
        "MAN KING WOMAN QUEEN",  # the same, asked in capitals
        "man woman king queen",  # the same, woman - man + king
        "",
        ": other",
        "man king woman apple",  # wrong
        "man king woman rare",  # skipped with restrict_vocab=7: 'rare' is the 8th word
        "man king unicorn queen",  # skipped: no 'unicorn'
    ]))
    result = royal.evaluate_analogies(questions, restrict_vocab=7)
    assert {k: result[k] for k in ("correct", "attempted", "skipped", "questions")} == dict(
        correct=3, attempted=4, skipped=2, questions=6)
    assert result["accuracy"] == pytest.approx(0.75) and result["coverage"] == pytest.approx(4 / 6)
    assert result["restrict_vocab"] == 7 and result["method"] == "3cosadd"
    family, other = result["sections"]
    assert (family["section"], family["correct"], family["attempted"], family["skipped"]) == ("family", 3, 3, 0)
    assert (other["section"], other["correct"], other["attempted"], other["skipped"]) == ("other", 0, 1, 2)

    case_sensitive = royal.evaluate_analogies(questions, restrict_vocab=None, case_insensitive=False)
    # now 'King' answers every question, and 'MAN KING WOMAN QUEEN' and the unicorn are skipped
    assert (case_sensitive["correct"], case_sensitive["attempted"], case_sensitive["skipped"]) == (0, 4, 2)
    assert royal.evaluate_analogies(questions, method="3cosmul")["correct"] == 3


def test_analogy_file_errors(royal, tmp_path):
    with pytest.raises(EvaluationFileError, match=r"q.txt: line 3: expected 4 words 'a b c d', got 3"):
        royal.evaluate_analogies(write(tmp_path / "q.txt", ": s\nman king woman queen\nman king woman\n"))
    with pytest.raises(FileNotFoundError, match="missing.txt: no such evaluation file"):
        royal.evaluate_analogies(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="method='3cosavg': use one of 3cosadd, 3cosmul"):
        royal.evaluate_analogies(write(tmp_path / "ok.txt", "man king woman queen\n"), method="3cosavg")
    with pytest.raises(ValueError, match="restrict_vocab=0"):
        royal.evaluate_analogies(tmp_path / "ok.txt", restrict_vocab=0)
    headless = royal.evaluate_analogies(tmp_path / "ok.txt")
    assert headless["sections"][0]["section"] == "questions" and headless["correct"] == 1


def test_word_pair_rules(royal, tmp_path):
    pairs = write(tmp_path / "pairs.txt", "# a comment\nman\twoman\t1\nKING\tqueen\t5\nking\tapple\t3\n"
                                          "man\tunicorn\t2\n\nwoman queen 4\n")
    result = royal.evaluate_word_pairs(pairs)
    # a word stands for its most frequent case variant: queen for 'Queen'
    cosine = [royal.similarity(*pair) for pair in [("man", "woman"), ("king", "Queen"), ("king", "apple"),
                                                   ("woman", "Queen")]]
    from scipy.stats import pearsonr, spearmanr

    assert result["spearman"] == pytest.approx(spearmanr(cosine, [1, 5, 3, 4])[0])
    assert result["pearson"] == pytest.approx(pearsonr(cosine, [1, 5, 3, 4])[0])
    assert (result["pairs"], result["oov"], result["coverage"]) == (4, 1, 0.8)
    assert royal.evaluate_word_pairs(pairs, case_insensitive=False)["pairs"] == 3  # KING has no vector
    few = royal.evaluate_word_pairs(pairs, restrict_vocab=2)
    assert (few["pairs"], few["oov"]) == (1, 4) and math.isnan(few["spearman"])
    with pytest.raises(EvaluationFileError, match=r"bad.txt: line 2: expected 'word1<TAB>word2<TAB>score'"):
        royal.evaluate_word_pairs(write(tmp_path / "bad.txt", "man\twoman\t1\nman\twoman\thigh\n"))


# --- the batched evaluation equals a per-question loop -----------------------------------------

@pytest.fixture
def random_cased():
    """400 random words, some with case variants, and questions over them (w400 and
    beyond are unknown), half of them answerable: vector d = b - a + c + noise."""
    rng = np.random.default_rng(11)
    words = [f"w{i}" for i in range(400)]
    for i in rng.choice(400, 40, replace=False):
        words.append(words[i].upper())
    rng.shuffle(words)
    vectors = rng.standard_normal((len(words), 12)).astype(np.float32)
    row = {word: i for i, word in reversed(list(enumerate(words)))}
    questions = [[f"w{i}" for i in rng.choice(420, 4, replace=False)] for _ in range(600)]
    for a, b, c, d in questions[:300]:
        if all(word in row for word in (a, b, c, d)):
            vectors[row[d]] = vectors[row[b]] - vectors[row[a]] + vectors[row[c]] + rng.normal(0, 0.5, 12)
    return fastemb.WordVectors(words, vectors), questions


def reference_accuracy(wv, questions, restrict_vocab, method):
    """One question at a time, in float64, by the rules in fastemb/evaluate.py's docstring."""
    words = wv.index_to_word[:restrict_vocab]
    first_row = {}
    for row, word in enumerate(words):
        first_row.setdefault(word.casefold(), row)
    unit = wv.unit_vectors[:restrict_vocab].astype(np.float64)
    correct = attempted = 0
    for question in questions:
        if not all(word.casefold() in first_row for word in question):
            continue
        attempted += 1
        a, b, c = (unit[first_row[word.casefold()]] for word in question[:3])
        if method == "3cosadd":
            scores = unit @ (b - a + c)
        else:
            scores = (1 + unit @ b) / 2 * (1 + unit @ c) / 2 / ((1 + unit @ a) / 2 + 1e-6)
        excluded = {word.casefold() for word in question[:3]}
        candidates = [row for row in np.argsort(-scores) if words[row].casefold() not in excluded]
        correct += words[candidates[0]].casefold() == question[3].casefold()
    return correct, attempted


@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
def test_batched_evaluation_equals_one_question_at_a_time(random_cased, tmp_path, monkeypatch, method):
    wv, questions = random_cased
    path = write(tmp_path / "q.txt", ": random\n" + "\n".join(" ".join(q) for q in questions) + "\n")
    monkeypatch.setattr(evaluate, "SCORE_BUDGET", 300 * 40)  # blocks of 30 (3CosAdd) or 7 questions
    result = wv.evaluate_analogies(path, restrict_vocab=380, method=method)
    correct, attempted = reference_accuracy(wv, questions, 380, method)
    assert (result["correct"], result["attempted"]) == (correct, attempted)
    assert result["skipped"] == len(questions) - attempted
    assert attempted > 250 and 0.1 * attempted < correct < 0.9 * attempted


# --- the same figures as gensim, on vectors trained here ---------------------------------------

@pytest.fixture(scope="module")
def trained(planted_corpus, tmp_path_factory):
    """Vectors trained on the planted corpus, with case variants added (a more frequent
    'KING', rarer 'Queen' and 'Paris'), saved in word2vec text format; and test files."""
    folder = tmp_path_factory.mktemp("trained")
    wv = fastemb.Model(dim=24, epochs=2, threads=1, seed=1).train(planted_corpus, progress=False).wv
    rng = np.random.default_rng(2)
    extra = {word: wv[word.lower()] + 0.1 * rng.standard_normal(wv.dim) for word in ("KING", "Queen", "Paris")}
    words = ["KING"] + wv.index_to_word + ["Queen", "Paris"]
    vectors = np.vstack([extra["KING"], wv.vectors, extra["Queen"], extra["Paris"]])
    path = folder / "vectors.txt"
    fastemb.WordVectors(words, vectors).save(path)

    lines = []
    for relation in demo.RELATIONS:
        lines.append(f": planted-{relation}")
        members = [(a, b) for r, a, b in demo.pairs() if r == relation]
        for k, ((a, b), (c, d)) in enumerate(permutations(members, 2)):
            question = f"{a} {b} {c} {d}"
            lines.append(question.title() if k % 3 == 0 else question)
    lines.append(": random")  # a few answered by chance
    for _ in range(1200):
        lines.append(" ".join(rng.choice(wv.index_to_word[:480], 4, replace=False)))
    lines.append(": unknown")
    lines += ["king queen unicorn dragon", "man woman boy unicorn"]
    questions = write(folder / "questions.txt", "\n".join(lines) + "\n")

    pair_lines = ["# word pairs, scored by their cosine and noise", "# Word 1\tWord 2\tscore"]
    for _ in range(300):
        first, second = rng.choice(wv.index_to_word, 2, replace=False)
        pair_lines.append(f"{first}\t{second}\t{5 + 5 * wv.similarity(first, second) + rng.normal(0, 2):.2f}")
    for _, a, b in demo.pairs():
        pair_lines.append(f"{a.title()}\t{b}\t{rng.uniform(6, 10):.2f}")
    pair_lines += ["unicorn\tdragon\t5.0", "king\tunicorn\t1.0"]
    pairs = write(folder / "pairs.tsv", "\n".join(pair_lines) + "\n")
    return path, questions, pairs


@pytest.mark.parametrize("case_insensitive", [True, False])
def test_analogy_accuracy_equals_gensims(trained, case_insensitive):
    gensim_models = pytest.importorskip("gensim.models")
    path, questions, _ = trained
    ours = fastemb.load(path).evaluate_analogies(questions, restrict_vocab=450, case_insensitive=case_insensitive)
    kv = gensim_models.KeyedVectors.load_word2vec_format(str(path))
    accuracy, sections = kv.evaluate_word_analogies(str(questions), restrict_vocab=450,
                                                    case_insensitive=case_insensitive)
    assert ours["attempted"] > 1000 and 0.05 < ours["accuracy"] < 0.95
    assert ours["accuracy"] == pytest.approx(accuracy, abs=0.001)  # 0.1 point
    theirs = {s["section"]: s for s in sections}
    for section in ours["sections"]:
        if section["attempted"]:
            mine, other = section, theirs[section["section"]]
            assert mine["attempted"] == len(other["correct"]) + len(other["incorrect"])
            assert abs(mine["correct"] - len(other["correct"])) <= 1


@pytest.mark.parametrize("case_insensitive", [True, False])
def test_word_pair_correlations_equal_gensims(trained, case_insensitive):
    gensim_models = pytest.importorskip("gensim.models")
    path, _, pairs = trained
    ours = fastemb.load(path).evaluate_word_pairs(pairs, case_insensitive=case_insensitive)
    kv = gensim_models.KeyedVectors.load_word2vec_format(str(path))
    pearson, spearman, oov_percent = kv.evaluate_word_pairs(str(pairs), case_insensitive=case_insensitive)
    assert ours["spearman"] == pytest.approx(spearman[0], abs=0.005)
    assert ours["pearson"] == pytest.approx(pearson[0], abs=0.005)
    assert 100 * ours["oov"] / (ours["oov"] + ours["pairs"]) == pytest.approx(oov_percent)
    assert ours["spearman"] > 0.2 and ours["oov"] >= 2


# --- fastemb eval ----------------------------------------------------------------------------

def test_eval_command_prints_tables_and_writes_json(trained, tmp_path):
    path, questions, pairs = trained
    out = tmp_path / "scores.json"
    result = run_cli("eval", path, "--analogies", questions, "--pairs", pairs, pairs, "--restrict-vocab", 450,
                     "--json", out)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["section", "accuracy", "correct", "attempted", "skipped"]
    assert [line.split()[0] for line in lines[2:7]] == ["planted-gender", "planted-capital", "random", "unknown",
                                                        "total"]
    assert lines[8].split() == ["word", "pairs", "spearman", "pearson", "pairs", "oov"]
    wv = fastemb.load(path)
    expected = wv.evaluate_analogies(questions, restrict_vocab=450)
    assert lines[6].split() == ["total", f"{100 * expected['accuracy']:.2f}%", str(expected["correct"]),
                                str(expected["attempted"]), str(expected["skipped"])]
    scores = json.loads(out.read_text())
    assert scores["analogies"][str(questions)] == expected
    assert scores["pairs"][str(pairs)] == pytest.approx(wv.evaluate_word_pairs(pairs).as_dict())
    assert (scores["words"], scores["dim"]) == (len(wv), wv.dim)
    assert "fastemb: loaded" in result.stderr


@pytest.mark.parametrize("args,message", [
    ([], "nothing to evaluate: give --analogies FILE and/or --pairs FILE"),
    (["--analogies", "{tmp}/missing.txt"], "missing.txt: no such evaluation file"),
    (["--pairs", "{questions}"], "line 1: expected 'word1<TAB>word2<TAB>score'"),
    (["--analogies", "{questions}", "--restrict-vocab", "-1"], "--restrict-vocab=-1"),
    (["--pairs", "{pairs}", "--json", "{tmp}/no/dir/out.json"], "output directory"),
])
def test_eval_errors_are_one_line(trained, tmp_path, args, message):
    path, questions, pairs = trained
    args = [a.format(tmp=tmp_path, questions=questions, pairs=pairs) for a in args]
    result = run_cli("eval", path, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(not (SHARED / "eval").is_dir(), reason="needs ../shared/eval")
def test_the_shared_evaluation_files_read():
    sections = evaluate.read_analogies(SHARED / "eval" / "questions-words.txt")
    assert len(sections) == 14 and sum(len(questions) for _, questions in sections) == 19544
    assert len(evaluate.read_word_pairs(SHARED / "eval" / "wordsim353.tsv")) == 353
    assert len(evaluate.read_word_pairs(SHARED / "eval" / "simlex999.txt")) == 999
    for path in sorted((SHARED / "eval" / "word-sim").glob("EN-*.txt")):
        assert len(evaluate.read_word_pairs(path)) >= 30, path
