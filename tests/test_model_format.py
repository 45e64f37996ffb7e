"""The model file: round trips, and one-line errors for files it must refuse."""
import json

import numpy as np
import pytest

import fastemb
from conftest import run_cli, write
from fastemb import model_format
from fastemb.errors import ModelFormatError


@pytest.fixture(scope="module")
def trained(planted_corpus):
    return fastemb.Model(dim=16, epochs=2, threads=1, seed=4, min_count=3).train(planted_corpus, progress=False)


@pytest.fixture
def saved(trained, tmp_path):
    path = tmp_path / "model.npz"
    trained.save_model(path)
    return path


def rewrite(path, change_header=None, drop=(), replace=None):
    """Rewrite a saved model with its header changed, arrays dropped or replaced."""
    with np.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files if name not in drop}
    header = json.loads(arrays["header"].tobytes())
    if change_header:
        change_header(header)
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
    arrays.update(replace or {})
    with open(path, "wb") as stream:  # np.savez(path) would add ".npz" to the name
        np.savez(stream, **arrays)
    return path


def test_round_trip_keeps_everything(trained, saved):
    loaded = fastemb.load_model(saved)
    np.testing.assert_array_equal(loaded.w_in, trained.w_in)
    np.testing.assert_array_equal(loaded.w_out, trained.w_out)
    assert loaded.w_in.dtype == np.float32 and loaded.w_in.flags.writeable
    assert loaded.vocab.words == trained.vocab.words
    np.testing.assert_array_equal(loaded.vocab.counts, trained.vocab.counts)
    assert loaded.vocab.counts.dtype == np.int64
    assert loaded.settings == trained.settings
    assert loaded.history == trained.history and len(loaded.history) == 2
    assert loaded.stats == trained.stats and loaded.runs == 1
    assert loaded.wv.most_similar("king", topn=3) == trained.wv.most_similar("king", topn=3)


def test_the_file_is_plain_npz_with_a_json_header(saved, trained):
    """Readable without fastemb: numpy alone, no pickle."""
    with np.load(saved, allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted(model_format.ARRAYS)
        header = json.loads(archive["header"].tobytes())
        words = archive["words"].tobytes().decode().split("\n")
        w_in = archive["w_in"]
    assert header["format"] == "fastemb-model" and header["format_version"] == 1  # finished: as version 1 wrote it
    assert header["fastemb_version"] == fastemb.__version__
    assert header["settings"]["dim"] == 16 and "cache_dir" not in header["settings"]
    assert header["vocab_size"] == len(words) == len(trained.vocab) and header["progress"] is None
    assert [record["epoch"] for record in header["history"]] == [1, 2]
    np.testing.assert_array_equal(w_in[trained.vocab.index["queen"]], trained.wv["queen"])


def test_machine_settings_can_change_on_loading_but_not_the_model(saved):
    assert fastemb.load_model(saved, threads=3).settings.threads == 3
    assert fastemb.load_model(saved, dim=16).settings.dim == 16  # the saved value: fine
    with pytest.raises(ValueError, match=r"dim=32 \(saved: 16\).*settings are fixed"):
        fastemb.load_model(saved, dim=32)


def message(path):
    with pytest.raises((ModelFormatError, FileNotFoundError)) as error:
        fastemb.load_model(path)
    text = str(error.value)
    assert "\n" not in text and str(path) in text
    return text


def test_files_that_are_not_models(tmp_path):
    assert "no such model file" in message(tmp_path / "missing.npz")
    assert "not a fastemb model" in message(write(tmp_path / "vectors.txt", "2 2\na 1 2\nb 3 4\n"))
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    assert "not a fastemb model" in message(tmp_path / "other.npz")
    other_header = tmp_path / "other_header.npz"
    np.savez(other_header, header=np.frombuffer(b'{"format": "something"}', np.uint8))
    assert "not a fastemb model" in message(other_header)


@pytest.mark.parametrize("keep", [0.05, 0.5, 0.99])
def test_a_truncated_file_is_refused(saved, keep):
    data = saved.read_bytes()
    saved.write_bytes(data[: int(len(data) * keep)])
    assert "truncated or damaged" in message(saved)


def test_a_corrupted_array_is_refused(saved):
    data = bytearray(saved.read_bytes())
    middle = len(data) // 2  # inside w_in or w_out: the zip's CRC no longer matches
    data[middle: middle + 8] = b"\xff" * 8
    saved.write_bytes(bytes(data))
    assert "damaged" in message(saved)


def test_newer_and_older_format_versions_name_both_versions(saved):
    def version(number):
        return lambda header: header.update(format_version=number, fastemb_version="9.0")

    text = message(rewrite(saved, version(model_format.FORMAT_VERSION + 1)))
    assert (f"written by fastemb 9.0 with model format {model_format.FORMAT_VERSION + 1}; "
            f"fastemb {fastemb.__version__} reads format {model_format.FORMAT_VERSION}: upgrade fastemb") in text
    text = message(rewrite(saved, version(0)))
    assert "with model format 0" in text and "convert it with an older fastemb" in text


def test_an_unknown_setting_asks_for_an_upgrade(saved):
    text = message(rewrite(saved, lambda header: header["settings"].update(subword_buckets=2_000_000)))
    assert "unknown setting(s) subword_buckets" in text and "upgrade fastemb" in text


def test_inconsistent_parts_are_refused(saved, trained):
    original = saved.read_bytes()

    def fresh(**change):
        saved.write_bytes(original)
        return rewrite(saved, **change)

    assert "no w_out array" in message(fresh(drop=["w_out"]))
    assert "w_in is float64" in message(fresh(replace={"w_in": trained.w_in.astype(np.float64)}))
    assert "w_out is float32 (3, 16)" in message(fresh(replace={"w_out": trained.w_out[:3]}))
    assert "counts for a vocabulary" in message(fresh(replace={"counts": trained.vocab.counts[:-1]}))
    assert "header has no history" in message(fresh(change_header=lambda header: header.pop("history")))
    assert "dim=0 is out of range" in message(fresh(change_header=lambda h: h["settings"].update(dim=0)))


def test_saving_is_atomic_and_checks_the_path_first(trained, saved, tmp_path, monkeypatch):
    before = saved.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError, match="disk full"):
        trained.save_model(saved)
    assert saved.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]
    with pytest.raises(FileNotFoundError, match="output directory"):
        trained.save_model(tmp_path / "no" / "model.npz")


def test_untrained_models_have_nothing_to_save(tmp_path):
    with pytest.raises(RuntimeError, match="not trained yet"):
        fastemb.Model().save_model(tmp_path / "m.npz")


def test_cli_refuses_a_bad_model_in_one_line(planted_corpus, tmp_path):
    bad = write(tmp_path / "bad.npz", "not a model")
    result = run_cli("train", planted_corpus, "-o", tmp_path / "v.txt", "--resume", bad, "--quiet")
    assert result.returncode == 2
    assert result.stderr.strip() == f"fastemb: error: {bad}: not a fastemb model (save one with model.save_model)"


@pytest.mark.parametrize("negative", [0, 5])
def test_hierarchical_softmax_models_round_trip(planted_corpus, tmp_path, negative):
    """w_out holds the inner nodes after the word rows: (V - 1) rows alone, (2V - 1) with negatives."""
    model = fastemb.Model(dim=8, epochs=1, threads=1, hs=True, negative=negative).train(planted_corpus,
                                                                                        progress=False)
    size = len(model.vocab)
    assert model.w_out.shape == ((2 * size if negative else size) - 1, 8)
    model.save_model(tmp_path / "hs.npz")
    loaded = fastemb.load_model(tmp_path / "hs.npz")
    assert loaded.settings.hs and loaded.settings.negative == negative
    np.testing.assert_array_equal(loaded.w_out, model.w_out)
    assert "w_out is float32" in message(rewrite(tmp_path / "hs.npz", replace={"w_out": model.w_out[:3]}))
