"""Every example in README.md and docs/*.md runs.

The convention (docs/contributing.md, "The documentation"):

- ```python blocks run in page order in one namespace per page, so a block may
  use what an earlier block on its page made;
- ```sh (or ```bash, ```console) blocks run with bash -e -o pipefail in the
  same directory, between the page's Python blocks;
- ```text blocks are output or file contents: never run;
- each page gets a fresh directory holding the files its examples name (see
  ``workdir``), with a ../shared/ of small stand-ins for the real corpora and
  evaluation sets, so that commands written for ../shared/ run as written;
- ``pip install`` is not run (the environment running the tests has its extras),
  nor a lone ``pytest`` (it is what runs this test); ``python -m bench`` and the
  ``bench/*.py`` scripts take minutes on the real corpora, so they run with
  ``--help``, which still checks that they start;
- blocks that cannot run here are in NOT_RUN, each with its reason;
- a Python block that needs an optional package that is not installed
  (OPTIONAL_MODULES) is skipped with a warning.
"""
from __future__ import annotations

import gzip
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALL_PAGES = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
LANGUAGES = {"python": "python", "sh": "sh", "bash": "sh", "console": "sh"}
OUTPUT_LANGUAGES = {"text", "output"}

# (page, a line of the block) -> why that block is not run
NOT_RUN = {
    ("continued-training.md", "kill -9 $!      # 2 s after ck.npz appeared"):
        "the measured kill lands 2 s after the first checkpoint of a 100 MB run; on a small corpus there is "
        "nothing left to kill. tests/test_continue.py kills a run with SIGKILL and resumes it for real",
    ("performance.md", "/usr/bin/time -v word2phrase -train ../shared/corpora/enwiki-text8style-1e8.txt \\"):
        "needs word2phrase (word2vec.c's tool, not in any extra) and GNU time; fastemb phrases itself runs "
        "on docs/phrases.md and docs/cli.md",
    ("distributed.md", "ray start --head --num-cpus 2"):
        "starts a Ray head node that outlives the test (and `ray stop` would end every Ray process on the machine); "
        "tests/test_ray_cluster.py runs the same fastemb train --workers 2 --cluster ADDRESS on a 2-node cluster "
        "it starts and stops itself",
    ("README.md", "ray start --head --num-cpus 2"):
        "as distributed.md's block: starts a Ray head node that outlives the test",
    ("contributing.md", "mkdocs build --strict --site-dir /tmp/fastemb-site"):
        "mkdocs is in the docs extra, not the test extra; .ci/run builds the site with this command itself",
}
OPTIONAL_MODULES = {"keras", "torch", "matplotlib", "ray"}  # the torch, keras, plot and ray extras (CI installs all)
SHELL_NEEDS = {"fastemb plot": "matplotlib", "--cluster auto": "ray"}  # commands of sh blocks that need an optional module
BENCH_COMMAND = re.compile(r"^(python -m bench(?:\.\w+)?|python bench/[\w]+\.py)\b")

# the words the examples ask about, beyond the demo corpus's
EXTRA_LINES = (
    ["new york has a cat and a dog"] * 60
    + ["new york is far from london"] * 60
    + ["london is in england and warsaw is in poland"] * 60
    + ["the cat and the dog rarely meet the queen"] * 60
)
NEW_WORDS = ["zebra quokka ibex", "quokka ibex zebra okapi", "okapi zebra"] * 10


def blocks(page: Path):
    """(language, code, first line number) of each fenced block of the page."""
    text = page.read_text(encoding="utf-8")
    for match in FENCE.finditer(text):
        language = match.group(1).lower()
        if not language:
            raise AssertionError(f"{page.name}:{text.count(chr(10), 0, match.start()) + 1}: a fenced block "
                                 "without a language; tag it python, sh or text")
        yield language, match.group(2), text.count("\n", 0, match.start()) + 1


def test_every_block_is_tagged_and_known():
    for page in ALL_PAGES:
        for language, _, line in blocks(page):
            assert language in LANGUAGES or language in OUTPUT_LANGUAGES, f"{page.name}:{line}: ```{language}"


def test_readme_is_a_first_screen():
    """The README stays short, and opens with the two set-up commands CI runs."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) <= 12_000
    first = "\n".join(readme.splitlines()[:80])
    for needed in ("pip install . && fastemb demo", 'pip install ".[test]" && pytest', "## Input format",
                   "## Quickstart: Python", "## Quickstart: the shell"):
        assert needed in first, needed


def test_tests_cited_by_the_docs_exist():
    """docs/reliability.md's test column (and any page) names real test functions."""
    tests = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "tests").glob("*.py"))
    for page in ALL_PAGES:
        for name in set(re.findall(r"`(?:test_\w+\.py::)?(test_\w+)`", page.read_text(encoding="utf-8"))):
            if not name.endswith("_py"):
                assert f"def {name}(" in tests, f"{page.name} cites {name}, which no test file defines"


def test_not_run_entries_still_exist():
    # a stale entry would silently let a new block go unrun
    for (name, line), _ in NOT_RUN.items():
        page = ROOT / name if name == "README.md" else ROOT / "docs" / name
        assert any(line in code.splitlines() for _, code, _ in blocks(page)), (name, line)


def shell_script(code: str) -> str:
    """The block as the test runs it: pip installs and pytest left out, bench with --help."""
    logical, pending = [], ""
    for line in code.splitlines():
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    script = []
    for line in logical:
        command = line.strip()
        if command.startswith("pip install "):
            _, _, command = command.partition("&&")
            command = command.strip()
        if command == "pytest" or not command:
            continue
        bench = BENCH_COMMAND.match(command)
        if bench:
            command = bench.group(1) + " --help > /dev/null"
        script.append(command)
    return "\n".join(script) + "\n"


@pytest.fixture(scope="session")
def prepared(tmp_path_factory):
    """Files the examples read, made once: copied into each page's directory."""
    from fastemb.demo import make_corpus, pairs

    import fastemb

    base = tmp_path_factory.mktemp("docs-inputs")
    corpus = base / "corpus.txt"
    make_corpus(corpus, sentences=10_000)
    with open(corpus, "a", encoding="utf-8") as stream:
        stream.write("\n".join(EXTRA_LINES) + "\n")
    (base / "more.txt").write_text(corpus.read_text(encoding="utf-8")[:200_000].rsplit("\n", 1)[0] + "\n",
                                   encoding="utf-8")
    (base / "new.txt").write_text((base / "more.txt").read_text(encoding="utf-8") + "\n".join(NEW_WORDS) + "\n",
                                  encoding="utf-8")
    with open(corpus, "rb") as source, gzip.open(base / "corpus.txt.gz", "wb") as target:
        shutil.copyfileobj(source, target)
    (base / "more").mkdir()
    shutil.copy(base / "more.txt", base / "more" / "part1.txt")

    by_relation = {}
    for relation, a, b in pairs():
        by_relation.setdefault(relation, []).append((a, b))
    analogies = []
    for relation, members in by_relation.items():
        analogies.append(f": {relation}")
        analogies += [f"{a} {b} {c} {d}" for (a, b) in members[:4] for (c, d) in members[4:8]]
    (base / "questions-words.txt").write_text("\n".join(analogies) + "\n", encoding="utf-8")
    word_pairs = [f"{a}\t{b}\t{8 + k % 2}" for k, (_, a, b) in enumerate(pairs())]
    word_pairs += [f"{a}\t{c}\t{1 + k % 3}" for k, ((_, a, _), (_, c, _)) in enumerate(zip(pairs(), pairs()[3:]))]
    (base / "wordsim353.tsv").write_text("# word1\tword2\tscore\n" + "\n".join(word_pairs) + "\n", encoding="utf-8")

    model = fastemb.Model(dim=50, epochs=2, threads=2, seed=1).train(str(corpus), progress=False)
    model.wv.save(str(base / "vectors.bin"), binary=True)
    model.wv.save(str(base / "vectors.txt"))
    model.wv.save(str(base / "enwiki.txt"))
    model.save_model(str(base / "model.npz"))
    return base


@pytest.fixture
def workdir(prepared, tmp_path, monkeypatch):
    """A page's directory: the prepared files, bench/ of this repository, and
    a ../shared/ whose corpora and evaluation sets are the small ones."""
    work = tmp_path / "work"
    shutil.copytree(prepared, work)
    (work / "docs").mkdir()
    (work / "bench").symlink_to(ROOT / "bench")
    shared = tmp_path / "shared"
    (shared / "corpora").mkdir(parents=True)
    (shared / "eval").mkdir()
    for name in ("text8-prefix.txt", "enwiki-text8style-1e8.txt"):
        shutil.copy(prepared / "corpus.txt", shared / "corpora" / name)
    shutil.copy(prepared / "questions-words.txt", shared / "eval" / "questions-words.txt")
    shutil.copy(prepared / "wordsim353.tsv", shared / "eval" / "wordsim353.tsv")
    shutil.copy(prepared / "wordsim353.tsv", shared / "eval" / "simlex999.txt")
    monkeypatch.chdir(work)
    return work


def run_shell(page: Path, line: int, code: str, work: Path) -> None:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # this Python's fastemb
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", shell_script(code)], cwd=work, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (f"{page.name}:{line}: the sh block failed with exit code {done.returncode}\n"
                                  f"{shell_script(code)}\nstdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-3000:]}")


PAGES = [page for page in ALL_PAGES if any(language in LANGUAGES for language, _, _ in blocks(page))]


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_examples_run(page, workdir, monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "torch")  # Keras 3 on PyTorch: the keras extra brings no TensorFlow
    monkeypatch.setenv("KERAS_HOME", str(workdir / ".keras"))  # its config file, written on first import
    namespace = {"__name__": "__docs_example__"}
    for language, code, line in blocks(page):
        if language not in LANGUAGES:
            continue
        if any((page.name, text) in NOT_RUN for text in code.splitlines()):
            continue
        if LANGUAGES[language] == "sh":
            missing = [module for command, module in SHELL_NEEDS.items()
                       if command in code and importlib.util.find_spec(module) is None]
            if missing:  # as for python blocks: the README's test command installs no extras
                warnings.warn(f"{page.name}:{line}: not run, {missing[0]} is not installed")
                continue
            run_shell(page, line, code, workdir)
        else:
            try:
                exec(compile(code, f"{page.name}:{line}", "exec"), namespace)
            except ImportError as error:  # a missing module, or fastemb saying which one it needs
                if error.name not in OPTIONAL_MODULES:
                    raise
                warnings.warn(f"{page.name}:{line}: not run, {error.name} is not installed")
                continue
