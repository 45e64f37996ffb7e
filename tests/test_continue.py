"""Training more, checkpoints and resume, per-epoch history."""
import json
import math
import os
import signal

import numpy as np
import pytest

import fastemb
from conftest import run_cli, start_cli, wait_until, write
from fastemb import demo, model_format
from fastemb.errors import CorpusError

SMALL = {"dim": 20, "threads": 1, "seed": 1}


def test_history_has_one_finite_entry_per_epoch_and_calls_back(planted_corpus, backend):
    seen = []
    model = fastemb.Model(epochs=3, backend=backend, **SMALL).train(planted_corpus, progress=False,
                                                                      callback=seen.append)
    assert seen == model.history and [r.epoch for r in model.history] == [1, 2, 3]
    for record in model.history:
        assert record.run == 1 and record.words == 180_000 and record.examples > 0
        assert math.isfinite(record.loss) and record.seconds > 0 and record.words_per_second > 0
    assert model.history[0].loss > model.history[-1].loss
    assert model.history[0].alpha_start == model.settings.alpha
    assert model.history[-1].alpha_end == pytest.approx(model.settings.min_alpha)
    # epochs cover the run: their examples and losses make up its mean loss
    examples = sum(r.examples for r in model.history)
    assert sum(r.loss * r.examples for r in model.history) / examples == pytest.approx(model.stats.loss)


def test_history_with_threads_attributes_every_epoch(planted_corpus):
    model = fastemb.Model(epochs=4, dim=20, threads=2).train(planted_corpus, progress=False)
    assert [r.epoch for r in model.history] == [1, 2, 3, 4]
    assert all(math.isfinite(r.loss) and r.examples > 0 for r in model.history)
    # each epoch's seconds run from the previous epoch's end, so they add up to the run's; on a busy
    # machine a thread may finish epoch e + 1 before the other finishes e: e + 1 then took 0 seconds more
    assert all(r.seconds >= 0 for r in model.history) and sum(r.seconds for r in model.history) > 0
    assert all(r.words_per_second == (pytest.approx(r.words / r.seconds) if r.seconds > 0 else 0.0)
               for r in model.history)


def test_train_more_keeps_the_vocabulary_and_improves(planted_corpus, backend):
    model = fastemb.Model(epochs=1, alpha=0.01, backend=backend, **SMALL).train(planted_corpus, progress=False)
    words, before = list(model.vocab.words), demo.score(model.wv)
    model.train_more(planted_corpus, epochs=3, progress=False)
    after = demo.score(model.wv)
    assert model.vocab.words == words and model.w_in.shape == (len(words), 20)
    assert [(r.run, r.epoch) for r in model.history] == [(1, 1), (2, 1), (2, 2), (2, 3)]
    assert model.history[-1].loss < model.history[0].loss
    assert after.analogies_right > before.analogies_right
    assert after.analogies_right >= 0.9 * after.analogies_total
    assert model.stats.words == 3 * 180_000 and model.stats.skipped_words == 0


def test_train_more_schedule_and_seeds(planted_corpus):
    """Each run decays alpha -> min_alpha over its own epochs, draws anew, and is reproducible."""
    first = fastemb.Model(epochs=1, **SMALL).train(planted_corpus, progress=False)
    start = first.w_in.copy()
    first.train_more(planted_corpus, epochs=2, alpha=0.01, progress=False)
    second = fastemb.Model(epochs=1, **SMALL).train(planted_corpus, progress=False)
    second.train_more(planted_corpus, epochs=2, alpha=0.01, progress=False)
    np.testing.assert_array_equal(first.w_in, second.w_in)
    more = first.history[1:]
    assert more[0].alpha_start == 0.01 and more[-1].alpha_end == pytest.approx(0.01 * 1e-4)
    assert more[0].alpha_end > more[1].alpha_start > more[1].alpha_end
    assert not np.array_equal(first.w_in, start)
    # each run draws from its own seed (the first run's is the model's), always a valid seed
    seeds = [fastemb.model.run_seed(1, run) for run in (1, 2, 3)]
    assert seeds[0] == 1 and len(set(seeds)) == 3 and all(0 <= seed < 2**63 for seed in seeds)
    assert fastemb.model.run_seed(2, 2) not in seeds


def test_unknown_words_are_skipped_and_counted(planted_corpus, tmp_path, caplog):
    model = fastemb.Model(epochs=1, **SMALL).train(planted_corpus, progress=False)
    extra = write(tmp_path / "extra.txt", "king emperor queen empress\nzz zz zz\n" * 50)
    vocab_before = (list(model.vocab.words), model.vocab.counts.copy())
    with caplog.at_level("INFO", logger="fastemb"):
        model.train_more([planted_corpus, extra], epochs=1, progress=False)
    assert model.stats.skipped_words == 50 * 5
    assert (model.vocab.words, list(model.vocab.counts)) == (vocab_before[0], list(vocab_before[1]))
    assert "skipped 250 occurrences" in caplog.text and "of 3 words not in the vocabulary" in caplog.text
    with pytest.raises(CorpusError, match="none of its 150 words is in the model's vocabulary; update_vocab"):
        model.train_more(write(tmp_path / "new.txt", "zz yy xx\n" * 50), progress=False)


def test_update_vocab_grows_the_matrices_with_the_new_words(planted_corpus, tmp_path):
    model = fastemb.Model(epochs=3, **SMALL).train(planted_corpus, progress=False)
    size, w_in, w_out, counts = len(model.vocab), model.w_in.copy(), model.w_out.copy(), model.vocab.counts.copy()
    text = planted_corpus.read_text().replace("queen", "regina")
    new = write(tmp_path / "new.txt", text + "rare rare\n")
    regina = text.split().count("regina")
    model.train_more(new, epochs=2, update_vocab=True, progress=False)
    assert model.vocab.words[size:] == ["regina"] and model.w_in.shape == model.w_out.shape == (size + 1, 20)
    assert model.vocab.counts[size] == regina and model.stats.skipped_words == 2  # "rare": below min_count
    king = model.vocab.index["king"]
    assert model.vocab.counts[king] == 2 * counts[king]  # counts add up
    assert model.vocab.counts[model.vocab.index["queen"]] == counts[model.vocab.index["queen"]]
    assert not np.array_equal(model.w_in[:size], w_in) and not np.array_equal(model.w_out[:size], w_out)
    # the new word learnt queen's contexts: the old queen vector is its nearest entity
    entities = [word for _, a, b in demo.pairs() for word in (a, b)]
    nearest = [word for word, _ in model.wv.most_similar("regina", topn=len(model.vocab)) if word in entities]
    assert nearest[0] == "queen"


def test_map_to_vocab_by_hand():
    from fastemb.vocab import DROPPED, LONGEST_WORD_BYTES, Vocab, map_to_vocab

    vocab = Vocab(["the", "cat", "sat"], np.array([10, 5, 3], np.int64))
    long_word = b"x" * (LONGEST_WORD_BYTES + 1)
    words = [b"dog", b"cat", b"emu", b"the", b"owl", long_word]
    counts = np.array([4, 2, 9, 1, 4, 50], np.int64)
    same, new_id = map_to_vocab(vocab, words, counts)
    assert same is vocab and list(new_id) == [DROPPED, 1, DROPPED, 0, DROPPED, DROPPED]
    grown, new_id = map_to_vocab(vocab, words, counts, add_min_count=4)
    # new words by count, ties in order of first appearance; the long one never
    assert grown.words == ["the", "cat", "sat", "emu", "dog", "owl"]
    assert list(grown.counts) == [11, 7, 3, 9, 4, 4]
    assert list(new_id) == [4, 1, 3, 0, 5, DROPPED]
    assert vocab.words == ["the", "cat", "sat"] and list(vocab.counts) == [10, 5, 3]  # untouched


def test_new_rows_start_as_a_new_model_s():
    w_in, w_out = np.ones((5, 4), np.float32), np.full((5, 4), 2, np.float32)
    grown_in, grown_out = fastemb.trainer.grow_matrices(w_in, w_out, 5, 3, seed=[1, 2])
    assert grown_in.shape == grown_out.shape == (8, 4)
    assert np.all(grown_in[:5] == 1) and np.all(grown_out[:5] == 2) and np.all(grown_out[5:] == 0)
    assert np.all(np.abs(grown_in[5:]) <= 0.5 / 4) and grown_in[5:].std() > 0
    # rows after the words (subword buckets, say) stay after them
    with_buckets = np.vstack([w_in, np.full((2, 4), 6, np.float32)])
    grown_in, _ = fastemb.trainer.grow_matrices(with_buckets, w_out, 5, 3, seed=[1, 2])
    assert grown_in.shape == (10, 4) and np.all(grown_in[8:] == 6) and np.all(grown_in[:5] == 1)


def interrupt_at_second_save(monkeypatch, start):
    """Call ``start()``, a run with a checkpoint after every chunk (checkpoint_every=0),
    with a Ctrl-C as the second save begins: the first checkpoint stays, after the
    first chunk of each thread."""
    writes = []
    write_model = fastemb.model.write_model

    def save_then_interrupt(path, saved):
        writes.append(saved.progress)
        if len(writes) == 2:
            raise KeyboardInterrupt
        write_model(path, saved)

    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(fastemb.model, "write_model", save_then_interrupt)
        start()
    assert writes[0] is not None
    return writes[0]


def interrupted_run(corpus, checkpoint, monkeypatch, **settings):
    """Train with a checkpoint after every chunk, and a Ctrl-C as the second save begins."""
    return interrupt_at_second_save(monkeypatch, lambda: fastemb.Model(**settings).train(
        corpus, progress=False, checkpoint=checkpoint, checkpoint_every=0))


def saved_checkpoints(monkeypatch, checkpoint):
    """Make every checkpoint save to a file of its own (ck-1.npz, ck-2.npz, ...
    beside ``checkpoint``, numbered by the chunk they resume at); returns their
    progress records as they come."""
    records = []
    write_model = fastemb.model.write_model

    def keep_each(path, saved):
        records.append(saved.progress)
        if saved.progress is not None:
            path = checkpoint.with_name(f"ck-{saved.progress['next_job']}.npz")
        write_model(path, saved)

    monkeypatch.setattr(fastemb.model, "write_model", keep_each)
    return records


def test_a_resume_from_every_chunk_boundary_equals_the_uninterrupted_run(planted_corpus, tmp_path, backend,
                                                                         monkeypatch):
    """checkpoint_every=0: a checkpoint after each chunk, wherever the timing falls,
    epoch boundaries and the short last chunk of an epoch included; each resumes exactly."""
    settings = dict(epochs=2, backend=backend, **SMALL)
    whole = fastemb.Model(**settings).train(planted_corpus, progress=False)
    checkpoint = tmp_path / "run.npz"
    with monkeypatch.context() as patch:
        records = saved_checkpoints(patch, checkpoint)
        fastemb.Model(**settings).train(planted_corpus, progress=False, checkpoint=checkpoint, checkpoint_every=0)
    jobs = 2 * records[0]["chunks_per_epoch"]
    assert [record["next_job"] for record in records[:-1]] == list(range(1, jobs)) and records[-1] is None
    for job in range(1, jobs):
        resumed = fastemb.resume(tmp_path / f"ck-{job}.npz", planted_corpus, progress=False)
        np.testing.assert_array_equal(resumed.w_in, whole.w_in, err_msg=f"resumed at chunk {job}")
        np.testing.assert_array_equal(resumed.w_out, whole.w_out, err_msg=f"resumed at chunk {job}")
        assert [(r.epoch, r.loss, r.examples) for r in resumed.history] == \
            [(r.epoch, r.loss, r.examples) for r in whole.history]


def test_a_resume_runs_on_the_kernel_build_of_its_checkpoint(planted_corpus, tmp_path, monkeypatch, caplog):
    """Kernel builds round floats differently: a resume whose backend="auto" would
    pick another build (another install, another machine) takes the checkpoint's."""
    if not fastemb._backend.cython_available():
        pytest.skip("needs the Cython kernel beside the Numba one")
    settings = dict(epochs=10, **SMALL)
    monkeypatch.setenv("FASTEMB_BACKEND", "numba")  # where the run was interrupted, auto meant Numba
    whole = fastemb.Model(**settings).train(planted_corpus, progress=False)
    checkpoint = tmp_path / "run.npz"
    interrupted_run(planted_corpus, checkpoint, monkeypatch, **settings)
    monkeypatch.delenv("FASTEMB_BACKEND")  # here, auto means Cython
    copy = tmp_path / "copy.npz"
    copy.write_bytes(checkpoint.read_bytes())
    resumed = fastemb.resume(checkpoint, planted_corpus, progress=False)
    np.testing.assert_array_equal(resumed.w_in, whole.w_in)
    np.testing.assert_array_equal(resumed.w_out, whole.w_out)
    assert whole.stats.kernel == resumed.stats.kernel == "numba"
    with caplog.at_level("WARNING", logger="fastemb"):  # a backend chosen for the resume: it runs, and says so
        other = fastemb.resume(copy, planted_corpus, progress=False, backend="cython")
    assert other.stats.kernel.startswith("cython") and not np.array_equal(other.w_in, whole.w_in)
    assert f"trained with the numba kernel, this run uses {other.stats.kernel} (chosen)" in caplog.text


def test_resume_after_an_interruption_equals_the_uninterrupted_run(planted_corpus, tmp_path, backend, monkeypatch):
    settings = dict(epochs=10, backend=backend, **SMALL)
    whole = fastemb.Model(**settings).train(planted_corpus, progress=False)
    checkpoint = tmp_path / "run.npz"
    interrupted_run(planted_corpus, checkpoint, monkeypatch, **settings)
    state = model_format.read_model(checkpoint).progress
    assert state is not None and 0 < state["next_job"] < 10 * state["chunks_per_epoch"]
    resumed = fastemb.resume(checkpoint, planted_corpus, progress=False)
    np.testing.assert_array_equal(resumed.w_in, whole.w_in)
    np.testing.assert_array_equal(resumed.w_out, whole.w_out)
    assert [(r.epoch, r.loss, r.examples) for r in resumed.history] == \
        [(r.epoch, r.loss, r.examples) for r in whole.history]
    assert resumed.stats.loss == whole.stats.loss and resumed.stats.words == whole.stats.words
    finished = fastemb.load_model(checkpoint)  # the checkpoint now holds the finished model
    np.testing.assert_array_equal(finished.w_in, whole.w_in)
    assert model_format.read_model(checkpoint).progress is None
    assert fastemb.resume(checkpoint, planted_corpus, progress=False).history == finished.history


def test_resume_with_threads_reaches_the_same_quality(planted_corpus, tmp_path, monkeypatch):
    checkpoint = tmp_path / "run.npz"
    interrupted_run(planted_corpus, checkpoint, monkeypatch, epochs=10, dim=20, threads=2)
    resumed = demo.score(fastemb.resume(checkpoint, planted_corpus, progress=False).wv)
    assert resumed.analogies_right >= 0.9 * resumed.analogies_total


def test_resume_refuses_another_corpus(planted_corpus, tmp_path, monkeypatch):
    checkpoint = tmp_path / "run.npz"
    interrupted_run(planted_corpus, checkpoint, monkeypatch, epochs=10, **SMALL)
    longer = write(tmp_path / "longer.txt", planted_corpus.read_text() + "king queen\n")
    with pytest.raises(CorpusError, match="longer.txt: .* bytes; the checkpoint .* was taken on .*planted.txt"):
        fastemb.resume(checkpoint, longer, progress=False)
    lines = planted_corpus.read_text().splitlines(keepends=True)
    reordered = write(tmp_path / "reordered.txt", "".join(lines[:-2] + lines[-1:] + lines[-2:-1]))
    with pytest.raises(CorpusError, match="not the corpus .*the same vocabulary and counts, but the text in"):
        fastemb.resume(checkpoint, reordered, progress=False)
    moved = write(tmp_path / "moved.txt", "".join(lines[1:] + lines[:1]))  # ties in another order: other ids
    with pytest.raises(CorpusError, match="not the corpus .*as many words, but another vocabulary"):
        fastemb.resume(checkpoint, moved, progress=False)
    same_size = write(tmp_path / "swapped.txt", planted_corpus.read_text().replace("paris", "tokyo", 5))
    assert same_size.stat().st_size == planted_corpus.stat().st_size
    with pytest.raises(CorpusError, match="not the corpus of the checkpoint .*another vocabulary or other counts"):
        fastemb.resume(checkpoint, same_size, progress=False)
    with pytest.raises(CorpusError, match="2 file"):
        fastemb.resume(checkpoint, [planted_corpus, longer], progress=False)


def test_resume_takes_machine_settings_and_refuses_others(planted_corpus, tmp_path, monkeypatch):
    checkpoint = tmp_path / "run.npz"
    interrupted_run(planted_corpus, checkpoint, monkeypatch, epochs=10, **SMALL)
    with pytest.raises(ValueError, match=r"epochs=5 \(saved: 10\)"):
        fastemb.resume(checkpoint, planted_corpus, progress=False, epochs=5)
    resumed = fastemb.resume(checkpoint, planted_corpus, progress=False, threads=2)
    assert resumed.settings.threads == 2 and len(resumed.history) == 10


def cli_train(corpus, out, *extra):
    return ["train", corpus, "-o", out, "--binary", "--dim", 10, "--epochs", 40, "--threads", 1, "--quiet", *extra]


def test_cli_checkpoint_kill_resume_equals_the_uninterrupted_run(planted_corpus, tmp_path):
    whole_model = tmp_path / "whole.npz"
    result = run_cli(*cli_train(planted_corpus, tmp_path / "whole.bin", "--save-model", whole_model))
    assert result.returncode == 0, result.stderr
    checkpoint = tmp_path / "run.npz"
    process = start_cli(*cli_train(planted_corpus, tmp_path / "run.bin", "--checkpoint", checkpoint,
                                   "--checkpoint-every", 0.001), cwd=tmp_path)
    wait_until(lambda: checkpoint.exists() or process.poll() is not None, "the first checkpoint")
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    state = model_format.read_model(checkpoint).progress  # intact, despite the kill
    assert state is not None, "the run ended before the kill: make it longer"
    assert not (tmp_path / "run.bin").exists()
    history = tmp_path / "history.json"
    result = run_cli(*cli_train(planted_corpus, tmp_path / "run.bin", "--resume", checkpoint,
                                "--history", history))
    assert result.returncode == 0, result.stderr
    whole, resumed = fastemb.load_model(whole_model), fastemb.load_model(checkpoint)
    np.testing.assert_array_equal(resumed.w_in, whole.w_in)
    np.testing.assert_array_equal(resumed.w_out, whole.w_out)
    assert (tmp_path / "run.bin").read_bytes() == (tmp_path / "whole.bin").read_bytes()
    records = json.loads(history.read_text())
    assert [r["epoch"] for r in records] == list(range(1, 41))
    assert all(math.isfinite(r["loss"]) and r["words_per_second"] > 0 for r in records)


def test_cli_ctrl_c_leaves_the_checkpoint_and_says_how_to_resume(planted_corpus, tmp_path):
    checkpoint = tmp_path / "run.npz"
    process = start_cli(*cli_train(planted_corpus, tmp_path / "run.bin", "--checkpoint", checkpoint,
                                   "--checkpoint-every", 0), cwd=tmp_path)
    wait_until(lambda: checkpoint.exists() or process.poll() is not None, "the first checkpoint")
    process.send_signal(signal.SIGINT)
    stderr = process.communicate(timeout=30)[1]
    assert process.returncode == 130 and "Traceback" not in stderr, stderr
    assert f"the checkpoint {checkpoint} is intact (epoch " in stderr
    assert f"run the same command with --resume {checkpoint} to continue" in stderr
    assert model_format.read_model(checkpoint).progress is not None
    assert os.listdir(tmp_path) == ["run.npz"]  # no vectors, no temporary files


def test_cli_resume_refuses_changed_settings_in_one_line(planted_corpus, tmp_path):
    checkpoint = tmp_path / "run.npz"
    result = run_cli(*cli_train(planted_corpus, tmp_path / "v.bin", "--checkpoint", checkpoint))
    assert result.returncode == 0 and checkpoint.exists()
    result = run_cli("train", planted_corpus, "-o", tmp_path / "v.bin", "--resume", checkpoint, "--dim", 50)
    assert result.returncode == 2
    assert result.stderr.strip() == (f"fastemb: error: {checkpoint}: dim=50 (saved: 10): a saved model's "
                                     "settings are fixed; drop them, or train a new model")


def test_hierarchical_softmax_resumes_and_trains_more(planted_corpus, tmp_path, monkeypatch):
    settings = dict(epochs=10, hs=True, negative=0, **SMALL)
    whole = fastemb.Model(**settings).train(planted_corpus, progress=False)
    checkpoint = tmp_path / "run.npz"
    interrupted_run(planted_corpus, checkpoint, monkeypatch, **settings)
    resumed = fastemb.resume(checkpoint, planted_corpus, progress=False)
    np.testing.assert_array_equal(resumed.w_in, whole.w_in)
    np.testing.assert_array_equal(resumed.w_out, whole.w_out)
    resumed.train_more(planted_corpus, epochs=1, progress=False)
    assert resumed.w_out.shape == whole.w_out.shape and resumed.history[-1].run == 2
    with pytest.raises(ValueError, match="update_vocab=True with hs=True: the Huffman tree would change"):
        resumed.train_more(planted_corpus, update_vocab=True, progress=False)


def header_of(path):
    with np.load(path, allow_pickle=False) as archive:
        return json.loads(archive["header"].tobytes())


def same_runs(one, other):
    np.testing.assert_array_equal(one.w_in, other.w_in)
    np.testing.assert_array_equal(one.w_out, other.w_out)
    assert (one.vocab.words, list(one.vocab.counts)) == (other.vocab.words, list(other.vocab.counts))
    fields = ("run", "epoch", "loss", "examples", "alpha_start", "alpha_end")
    assert [[getattr(r, name) for name in fields] for r in one.history] == \
        [[getattr(r, name) for name in fields] for r in other.history]
    assert (one.runs, one.stats.words, one.stats.skipped_words, one.stats.loss) == \
        (other.runs, other.stats.words, other.stats.skipped_words, other.stats.loss)


@pytest.mark.parametrize("update_vocab", [False, True])
def test_an_interrupted_train_more_resumes_to_the_uninterrupted_one(planted_corpus, tmp_path, backend, monkeypatch,
                                                                   update_vocab):
    base = tmp_path / "base.npz"
    fastemb.Model(epochs=1, backend=backend, **SMALL).train(planted_corpus, progress=False).save_model(base)
    new = write(tmp_path / "new.txt", planted_corpus.read_text().replace("queen", "regina") + "zz\n")
    more = dict(epochs=3, alpha=0.01, update_vocab=update_vocab, progress=False)
    whole = fastemb.load_model(base).train_more(new, **more)
    checkpoint = tmp_path / "more.npz"
    interrupt_at_second_save(monkeypatch, lambda: fastemb.load_model(base).train_more(
        new, checkpoint=checkpoint, checkpoint_every=0, **more))
    header = header_of(checkpoint)
    # a fastemb that knows only train checkpoints (format 1) must not resume it as one
    assert header["format_version"] == 2 and header["runs"] == 2
    assert {key: header["progress"][key] for key in ("kind", "epochs", "alpha", "min_alpha", "update_vocab")} == \
        {"kind": "train_more", "epochs": 3, "alpha": 0.01, "min_alpha": 0.01 * 1e-4, "update_vocab": update_vocab}
    resumed = fastemb.resume(checkpoint, new, progress=False)
    same_runs(resumed, whole)
    assert ("regina" in resumed.vocab.index) == update_vocab and resumed.stats.skipped_words > 0
    assert header_of(checkpoint)["format_version"] == 1  # now the finished model, as format 1 describes it
    np.testing.assert_array_equal(fastemb.load_model(checkpoint).w_in, whole.w_in)


def test_ctrl_c_in_train_more_leaves_its_last_checkpoint_to_resume(planted_corpus, tmp_path):
    """Ctrl-C (here: from the epoch callback) while chunks run: the threads stop,
    the model keeps the state it reached, and the last checkpoint resumes exactly,
    from the command line too."""
    base = tmp_path / "base.npz"
    first = fastemb.Model(epochs=1, **SMALL).train(planted_corpus, progress=False, checkpoint=base)
    whole = fastemb.load_model(base).train_more(planted_corpus, epochs=3, progress=False)

    def ctrl_c_after(epochs):
        def callback(record):
            if record.epoch == epochs:
                raise KeyboardInterrupt
        return callback

    with pytest.raises(KeyboardInterrupt):  # no checkpoint: none to describe, not the train's of before
        first.train_more(planted_corpus, epochs=3, progress=False, callback=ctrl_c_after(1))
    assert first.last_checkpoint is None and first.runs == 2
    model, checkpoint = fastemb.load_model(base), tmp_path / "more.npz"
    with pytest.raises(KeyboardInterrupt):
        model.train_more(planted_corpus, epochs=3, progress=False, checkpoint=checkpoint, checkpoint_every=0,
                         callback=ctrl_c_after(2))
    assert [(r.run, r.epoch) for r in model.history] == [(1, 1), (2, 1), (2, 2)]
    state = model_format.read_model(checkpoint).progress
    assert state["kind"] == "train_more" and state["next_job"] >= state["chunks_per_epoch"]
    assert model.last_checkpoint.startswith(f"epoch {state['next_job'] // state['chunks_per_epoch'] + 1} of 3")
    out = tmp_path / "v.bin"
    result = run_cli("train", planted_corpus, "-o", out, "--binary", "--resume", checkpoint, "--quiet")
    assert result.returncode == 0, result.stderr
    same_runs(fastemb.load_model(checkpoint), whole)
    assert out.read_bytes().startswith(f"{len(whole.vocab)} 20\n".encode())
