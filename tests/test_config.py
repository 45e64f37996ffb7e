"""Settings: defaults as word2vec.c, and every bad value named with its range."""
import pytest

from fastemb.config import make_settings


def test_defaults_follow_word2vec_c():
    s = make_settings()
    assert (s.model, s.dim, s.window, s.negative, s.min_count, s.sample, s.epochs) == (
        "skipgram", 100, 5, 5, 5, 1e-3, 5)
    assert s.alpha == 0.025 and s.min_alpha == pytest.approx(0.025 * 1e-4)
    cbow = make_settings(model="cbow")
    assert cbow.alpha == 0.05 and cbow.min_alpha == pytest.approx(0.05 * 1e-4)
    assert s.threads >= 1


@pytest.mark.parametrize("name,value", [
    ("dim", 0), ("dim", -3), ("window", 0), ("negative", -1), ("min_count", 0), ("max_vocab", 0),
    ("sample", -0.1), ("sample", float("nan")), ("epochs", 0), ("alpha", 0.0), ("alpha", -1.0),
    ("min_alpha", -1.0), ("threads", 0), ("seed", -1), ("max_sentence_length", 0), ("dim", 2.5),
    ("window", "5"), ("max_words_counting", 9), ("max_words_counting", 2**31),
])
def test_out_of_range_values_are_named(name, value):
    with pytest.raises(ValueError, match=rf"^{name}=.*(range|number)"):
        make_settings(**{name: value})


@pytest.mark.parametrize("name,value", [("model", "glove"), ("backend", "fortran")])
def test_unknown_choices(name, value):
    with pytest.raises(ValueError, match=rf"{name}='{value}' is not one of"):
        make_settings(**{name: value})


def test_negative_zero_needs_hierarchical_softmax():
    with pytest.raises(ValueError, match="negative=0 leaves nothing to predict.*hs=True"):
        make_settings(negative=0)
    assert make_settings(negative=0, hs=True).negative == 0
    with pytest.raises(ValueError, match="hs='yes' must be True or False"):
        make_settings(hs="yes")


def test_min_alpha_above_alpha():
    with pytest.raises(ValueError, match="min_alpha=0.5 must not exceed alpha=0.1"):
        make_settings(alpha=0.1, min_alpha=0.5)


def test_unknown_setting():
    with pytest.raises(TypeError, match="unknown setting.*dimensions"):
        make_settings(dimensions=10)


def test_cache_dir_must_be_an_existing_directory(tmp_path):
    with pytest.raises(ValueError, match=r"cache_dir='.*nowhere' is not an existing directory"):
        make_settings(cache_dir=tmp_path / "nowhere")
    assert make_settings(cache_dir=tmp_path).cache_dir == str(tmp_path)
