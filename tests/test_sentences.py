"""Sentences from Python (token lists or strings, from any iterable) train as
the same text in a file does."""
from collections import Counter

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

import fastemb
from conftest import write
from fastemb import sentences
from fastemb.errors import CorpusError

SMALL = {"dim": 16, "epochs": 2, "threads": 1, "seed": 3}


def planted_sentences(planted_corpus):
    """The planted corpus as token lists, from a generator that can be read once only."""
    with open(planted_corpus, encoding="utf-8") as lines:
        for line in lines:
            yield line.split()


class Counted:
    """An iterable that counts how often it is iterated and restarts each time."""

    def __init__(self, items):
        self.items, self.passes = items, 0

    def __iter__(self):
        self.passes += 1
        return iter(self.items)


def test_a_generator_trains_exactly_as_the_file(planted_corpus, backend):
    """One thread and a seed: the same text gives the same ids, so the same vectors, bit for bit."""
    from_file = fastemb.Model(backend=backend, **SMALL).train(planted_corpus, progress=False)
    from_python = fastemb.Model(backend=backend, **SMALL).train(planted_sentences(planted_corpus), progress=False)
    assert from_python.vocab.words == from_file.vocab.words
    np.testing.assert_array_equal(from_python.vocab.counts, from_file.vocab.counts)
    np.testing.assert_array_equal(from_python.w_in, from_file.w_in)


def test_strings_and_token_lists_mix_and_are_read_once(tmp_path):
    text = ["the cat sat on the mat", ["the", "dog", "sat"], "a line\nwith a newline inside", ("tuple", "too"), []]
    given = Counted(text * 40)
    model = fastemb.Model(min_count=1, **SMALL).train(given, progress=False)
    assert given.passes == 1
    file = write(tmp_path / "same.txt", "the cat sat on the mat\nthe dog sat\na line with a newline inside\n"
                                        "tuple too\n\n" * 40)
    same = fastemb.Model(min_count=1, **SMALL).train(file, progress=False)
    assert model.vocab.words == same.vocab.words and list(model.vocab.counts) == list(same.vocab.counts)
    np.testing.assert_array_equal(model.w_in, same.w_in)


def test_a_list_of_strings_is_sentences_unless_they_are_files(tmp_path):
    corpus = write(tmp_path / "corpus.txt", "a b c\n")
    assert not sentences.given([str(corpus)]) and not sentences.given(str(corpus))
    assert sentences.given(["the cat sat", "on the mat"]) and sentences.given([["one"]])
    assert not sentences.given(["missing.txt"])  # a mistyped file name is told so
    with pytest.raises(FileNotFoundError, match="missing.txt: no such file"):
        fastemb.train(["missing.txt"], progress=False)


@pytest.mark.parametrize("bad,error,message", [
    ([["a", "b c"]], CorpusError, "sentence 0, token 1 is 'b c': a token must be one word"),
    ([["ok"], ["a", ""]], CorpusError, "sentence 1, token 1 is ''"),
    ([["a", "b\nc"]], CorpusError, "sentence 0, token 1 is 'b\\\\nc'"),
    ([["a", " king"]], CorpusError, "sentence 0, token 1 is ' king': a token must be one word"),  # not "king"
    ([["ok"], ["king\t", "b"]], CorpusError, "sentence 1, token 0 is 'king\\\\t'"),
    (["str  sentences   may\thave runs", ["x", "y "]], CorpusError, "sentence 1, token 1 is 'y '"),
    ([["a", None]], TypeError, "sentence 0, token 1 is None, not a str"),
    ([["a"], None], TypeError, "sentence 1 is None; give a list of str tokens, or a str"),
    ([[b"bytes"]], TypeError, "sentence 0, token 0 is a bytes"),
    ([[1.5]], TypeError, "sentence 0, token 0 is a float"),
    ([["nul\x00"]], CorpusError, "sentence 0 holds a NUL character"),
    ([["\ud800"]], CorpusError, "sentence 0 holds a lone surrogate"),
    (iter([]), CorpusError, "sentences: no words found"),
    (iter([[], ""]), CorpusError, "sentences: no words found"),
])
def test_bad_sentences_are_one_line_naming_the_sentence(bad, error, message):
    with pytest.raises(error, match=message):
        fastemb.train(bad, min_count=1, progress=False)


def test_a_bad_sentence_far_in_is_named_by_its_index():
    corpus = [["w", str(i % 50)] for i in range(300_000)] + [["late", "bad token"]]
    with pytest.raises(CorpusError, match="sentence 300000, token 1 is 'bad token'"):
        fastemb.train(iter(corpus), min_count=1, progress=False)


def test_phrases_subwords_and_train_more_work_on_sentences(planted_corpus):
    model = fastemb.Model(phrases=1, maxn=4, buckets=5000, **SMALL).train(planted_sentences(planted_corpus),
                                                                            progress=False)
    assert model.subwords is not None and len(model.vocab) > 10
    model.train_more(planted_sentences(planted_corpus), epochs=1, progress=False)
    assert [record.run for record in model.history] == [1, 1, 2] and model.stats.skipped_words == 0


def test_a_checkpointed_run_on_sentences_resumes_from_the_same_sentences(planted_corpus, tmp_path, caplog):
    checkpoint = tmp_path / "run.npz"
    whole = fastemb.Model(**SMALL).train(list(planted_sentences(planted_corpus)), progress=False)
    stopped = []

    def stop_after_first_epoch(record):
        stopped.append(record)
        raise KeyboardInterrupt

    with caplog.at_level("WARNING", logger="fastemb"), pytest.raises(KeyboardInterrupt):
        fastemb.Model(**SMALL).train(planted_sentences(planted_corpus), progress=False, checkpoint=checkpoint,
                                     checkpoint_every=0, callback=stop_after_first_epoch)
    assert "one-pass iterator: to resume from" in caplog.text
    with pytest.raises(CorpusError, match="not the corpus of the checkpoint"):
        fastemb.resume(checkpoint, [["other", "words"]] * 10, progress=False)
    resumed = fastemb.resume(checkpoint, planted_sentences(planted_corpus), progress=False)
    np.testing.assert_array_equal(resumed.w_in, whole.w_in)


def test_a_bad_token_is_found_among_sentences_given_as_strings():
    with pytest.raises(CorpusError, match="sentence 2, token 0 is 'new york'"):
        fastemb.train(["the cat sat", "on the mat", ["new york"]], min_count=1, progress=False)


@example([["a\n"]])  # a token ending in a line end, at the end of a sentence
@settings(max_examples=60)
@given(st.lists(st.lists(st.text(alphabet="ab \t\n\r\x0b\x0c\xa0é", max_size=4), max_size=5), min_size=1,
                max_size=6))
def test_each_token_is_one_word_or_the_run_is_refused(token_lists):
    """Whatever whitespace the tokens hold, the vocabulary counts exactly the tokens
    given, or training refuses, naming a token; it never trims or splits one."""
    valid = all(token and not any(ch in token for ch in " \t\n\r\x0b\x0c")  # a no-break space is in a word
                for sentence in token_lists for token in sentence)
    tokens = Counter(token for sentence in token_lists for token in sentence)
    try:
        model = fastemb.Model(dim=4, epochs=1, min_count=1, threads=1).train(token_lists, progress=False)
    except CorpusError as error:
        assert not valid or not tokens, error
        assert "a token must be one word" in str(error) or "no words found" in str(error)
        return
    assert valid
    assert dict(zip(model.vocab.words, model.vocab.counts.tolist())) == dict(tokens)
