"""Data-parallel rounds without Ray: the merge rule, the simulation's workers, its quality."""
import numpy as np
import pytest

import fastemb
from fastemb import demo
from fastemb.row_merge import RowDelta, apply, merge, momentum_state, row_delta


def delta(rows_in, values_in, dim=3):
    rows = np.asarray(rows_in, np.int64)
    return RowDelta(rows, np.asarray(values_in, np.float32).reshape(len(rows), dim),
                    np.zeros(0, np.int64), np.zeros((0, dim), np.float32))


def test_merge_is_a_mean_over_the_workers_that_touched_each_row():
    shapes = ((6, 3), (2, 3))
    merged = merge([delta([0, 2], [[1, 1, 1], [4, 4, 4]]),
                    delta([0, 3], [[3, 3, 3], [-2, 0, 2]]),
                    delta([], [])], shapes)
    assert merged.rows_in.tolist() == [0, 2, 3]
    # row 0: both touchers' mean; rows 2 and 3: their one toucher's change, not divided by 3 workers
    assert merged.delta_in.tolist() == [[2, 2, 2], [4, 4, 4], [-2, 0, 2]]
    assert len(merged.rows_out) == 0


def test_untouched_rows_are_unchanged_and_workers_end_identical():
    rng = np.random.default_rng(0)
    base = (rng.random((5, 2), dtype=np.float32), rng.random((4, 2), dtype=np.float32))
    copies = [(base[0].copy(), base[1].copy()) for _ in range(3)]
    copies[0][0][1] += 1.0
    copies[1][0][1] += 3.0
    copies[1][1][3] -= 2.0
    copies[2][0][4] += 0.5
    deltas = [row_delta(base, copy) for copy in copies]
    assert [d.rows_in.tolist() for d in deltas] == [[1], [1], [4]]
    assert deltas[1].rows_out.tolist() == [3]
    state = (base[0].copy(), base[1].copy())
    merged = merge(deltas, (state[0].shape, state[1].shape))
    apply(merged, state)
    for copy in copies:
        apply(merged, (base[0].copy(), base[1].copy()), copy)
        np.testing.assert_array_equal(copy[0], state[0])
        np.testing.assert_array_equal(copy[1], state[1])
    np.testing.assert_allclose(state[0][1], base[0][1] + 2.0, rtol=1e-6)
    np.testing.assert_allclose(state[1][3], base[1][3] - 2.0, rtol=1e-6)
    for row in (0, 2, 3):
        np.testing.assert_array_equal(state[0][row], base[0][row])


def simulate(path, workers, on_round=None, rule="mean", **settings):  # the tests' 20,000 words: many rounds
    settings = {"dim": 30, "epochs": 5, "threads": 1, "seed": 1, **settings}
    model = fastemb.Model(**settings)
    return model._train_distributed(path, False, None, None, workers, "simulate", 20_000, on_round=on_round,
                                    rule=rule)


def test_simulated_workers_are_identical_at_each_epochs_end(planted_corpus):
    seen = []

    def at_round(record, pool):
        if record.round == pool.workers[0].schedule.rounds - 1:
            seen.append([tuple(m.copy() for m in pair) for pair in pool.matrices()])

    model = simulate(planted_corpus, 3, on_round=at_round, epochs=2)
    assert len(seen) == 2
    for epoch in seen:
        for w_in, w_out in epoch[1:]:
            np.testing.assert_array_equal(w_in, epoch[0][0])
            np.testing.assert_array_equal(w_out, epoch[0][1])
    np.testing.assert_array_equal(model.w_in, seen[-1][0][0])  # the driver's merged state is theirs
    np.testing.assert_array_equal(model.w_out, seen[-1][0][1])


@pytest.mark.parametrize("workers", [2, 4])
def test_simulation_recovers_the_planted_structure(planted_corpus, workers):
    single = demo.score(fastemb.Model(dim=30, epochs=5, threads=1, seed=1).train(planted_corpus, progress=False).wv)
    model = simulate(planted_corpus, workers)
    result = demo.score(model.wv)
    assert result.analogies_right >= 0.9 * result.analogies_total
    assert result.analogies_right >= single.analogies_right - 0.05 * single.analogies_total
    assert result.partners_right >= single.partners_right - 2


def test_simulation_follows_the_global_learning_rate_and_reports_each_epoch(planted_corpus):
    single = fastemb.Model(dim=30, epochs=3, threads=1, seed=1).train(planted_corpus, progress=False)
    model = simulate(planted_corpus, 4, epochs=3)
    assert [r.epoch for r in model.history] == [1, 2, 3]
    for mine, theirs in zip(model.history, single.history):
        assert mine.words == theirs.words
        assert mine.alpha_start == pytest.approx(theirs.alpha_start, rel=1e-3, abs=1e-6)
        assert mine.alpha_end == pytest.approx(theirs.alpha_end, rel=1e-3, abs=1e-6)
        assert mine.examples == pytest.approx(theirs.examples, rel=0.02)  # subsampling draws differ
    assert model.history[0].loss > model.history[-1].loss
    assert model.stats.words == single.stats.words
    assert model.vocab.words == single.vocab.words
    assert all(r.bytes > 0 and r.rows > 0 for r in model.rounds)


def test_simulation_with_a_seed_is_reproducible(planted_corpus):
    first = simulate(planted_corpus, 3, epochs=1)
    second = simulate(planted_corpus, 3, epochs=1)
    other = simulate(planted_corpus, 3, epochs=1, seed=2)
    np.testing.assert_array_equal(first.w_in, second.w_in)
    np.testing.assert_array_equal(first.w_out, second.w_out)
    assert not np.array_equal(first.w_in, other.w_in)


def test_workers_zero_and_bad_settings_fail_in_one_line(planted_corpus):
    with pytest.raises(ValueError, match="workers=0"):
        fastemb.Model().train(planted_corpus, workers=0)
    with pytest.raises(ValueError, match="sync_words=0"):
        fastemb.Model().train(planted_corpus, workers=2, cluster="simulate", sync_words=0)
    with pytest.raises(ValueError, match="checkpoint with workers"):
        fastemb.Model().train(planted_corpus, workers=2, cluster="simulate", checkpoint="x.npz")


def test_without_ray_a_cluster_run_says_how_to_install_it(planted_corpus, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    with pytest.raises(ImportError, match=r'pip install "fastemb\[ray\]"'):
        fastemb.Model(threads=1).train(planted_corpus, workers=2, progress=False)


def test_the_sum_rule_adds_the_touching_workers_changes():
    merged = merge([delta([0, 2], [[1, 1, 1], [4, 4, 4]]), delta([0], [[3, 3, 3]])], ((3, 3), (1, 3)), rule="sum")
    assert merged.rows_in.tolist() == [0, 2]
    assert merged.delta_in.tolist() == [[4, 4, 4], [4, 4, 4]]


def test_more_workers_than_text_leaves_some_shards_empty_and_still_trains(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_text("a b c a b c\na b\n", encoding="utf-8")
    model = fastemb.Model(dim=5, epochs=2, threads=1, min_count=1, sample=0).train(
        path, workers=8, cluster="simulate", progress=False)
    assert model.vocab.words == ["a", "b", "c"] and model.vocab.counts.tolist() == [3, 3, 2]
    assert len(model.history) == 2  # one-word shards: no context, no examples, no error
    assert np.isfinite(model.w_in).all()


def test_the_hybrid_rule_takes_the_mean_of_frequent_rows_and_the_sum_of_the_others(monkeypatch):
    from fastemb import row_merge

    monkeypatch.setattr(row_merge, "HYBRID_ROWS", 2)  # rows 0 and 1 are the frequent words'
    merged = merge([delta([1, 2], [[2, 2, 2], [1, 1, 1]]), delta([1, 2], [[4, 4, 4], [5, 5, 5]])],
                   ((3, 3), (1, 3)), rule="hybrid")
    assert merged.rows_in.tolist() == [1, 2]
    assert merged.delta_in.tolist() == [[3, 3, 3], [6, 6, 6]]


def test_frequent_rows_merged_more_often_leave_the_rest_to_the_full_merges(planted_corpus):
    seen = []

    def at_round(record, pool):
        schedule = pool.workers[0].schedule
        copies = [tuple(m.copy() for m in pair) for pair in pool.matrices()]
        seen.append((schedule.full_merge(record.round), record.rows, copies))

    model = fastemb.Model(dim=30, epochs=2, threads=1, seed=1)._train_distributed(
        planted_corpus, False, None, None, 3, "simulate", 40_000, on_round=at_round, rule="sum",
        hot_rows=20, hot_splits=4)
    partial = [s for s in seen if not s[0]]
    assert partial and all(rows <= 2 * 20 for _, rows, _ in partial)  # only the 20 hot rows of each matrix
    w_in = [copy[0] for copy in partial[0][2]]
    assert all(np.array_equal(w[:20], w_in[0][:20]) for w in w_in)  # hot rows agree after every merge
    assert not all(np.array_equal(w[20:], w_in[0][20:]) for w in w_in)  # the others wait for a full merge
    full, last = [s for s in seen if s[0]], seen[-1]
    assert last[0] and len(full) >= 2
    for copy in last[2]:
        np.testing.assert_array_equal(copy[0], model.w_in)
        np.testing.assert_array_equal(copy[1], model.w_out)
    assert demo.score(model.wv).partners_right >= 0.9 * demo.score(model.wv).partners_total


def test_a_capped_rule_sums_up_to_k_workers_changes():
    merged = merge([delta([0, 1], [[2, 2, 2], [1, 1, 1]]), delta([0], [[4, 4, 4]]), delta([0], [[6, 6, 6]])],
                   ((2, 3), (1, 3)), rule="cap2")
    assert merged.delta_in.tolist() == [[8, 8, 8], [1, 1, 1]]  # row 0: mean 4 x min(3, 2); row 1: its one change


def momentum_rounds(changes, hot_rows=1, rounds=1):
    """The merged change of row 0 after each of ``rounds`` rounds in which worker i changed it by ``changes[i]``
    (a function of the round, or a constant)."""
    velocity = (np.zeros((hot_rows, 3), np.float32), np.zeros((hot_rows, 3), np.float32))
    steps = []
    for r in range(rounds):
        deltas = [delta([0], [c(r) if callable(c) else c]) for c in changes]
        steps.append(merge(deltas, ((2, 3), (2, 3)), rule="momentum", velocity=velocity).delta_in[0])
    return np.array(steps)


def test_momentum_builds_a_steady_drift_up_to_the_sum():
    steps = momentum_rounds([[1, 0, 0], [3, 0, 0], [2, 0, 0], [2, 0, 0]], rounds=60)
    np.testing.assert_allclose(steps[0], [2 + 0.75 * 2, 0, 0])  # Nesterov's look-ahead on the mean
    np.testing.assert_allclose(steps[-1], [8, 0, 0], rtol=1e-3)  # four workers' drift: their sum


def test_momentum_gains_little_from_a_change_that_flips_every_round():
    steps = momentum_rounds([lambda r: [(-1) ** r, 0, 0]] * 4, rounds=60)
    assert np.abs(steps[:, 0]).max() <= 1.75 + 1e-6  # the sum would move it 4 each round
    np.testing.assert_allclose(np.abs(steps[-20:, 0]), 1 / 0.7, rtol=1e-3)  # (1 + 2m) / (1 + m), m = 3/4


def test_momentum_takes_a_lone_workers_change_and_sums_the_rows_past_the_frequent_ones():
    np.testing.assert_allclose(momentum_rounds([[5, 1, 0]], rounds=3), [[5, 1, 0]] * 3)  # one toucher: its change
    merged = merge([delta([0, 1], [[1, 1, 1], [2, 2, 2]]), delta([0, 1], [[3, 3, 3], [4, 4, 4]])],
                   ((2, 3), (2, 3)), rule="momentum", velocity=momentum_state(((2, 3), (2, 3)), hot_rows=1))
    assert merged.delta_in.tolist() == [[3, 3, 3], [6, 6, 6]]  # row 0, frequent: mean 2 + look-ahead 0.5 x 2; row 1: sum


def test_default_merge_workers_end_identical_and_recover_the_planted_structure(planted_corpus):
    single = demo.score(fastemb.Model(dim=30, epochs=5, threads=1, seed=1).train(planted_corpus, progress=False).wv)
    last = []

    def at_round(record, pool):
        last[:] = [[m.copy() for m in pair] for pair in pool.matrices()]

    model = fastemb.Model(dim=30, epochs=5, threads=1, seed=1)._train_distributed(
        planted_corpus, False, None, None, 4, "simulate", None, on_round=at_round)
    assert len(last) == 4
    for w_in, w_out in last:
        np.testing.assert_array_equal(w_in, model.w_in)
        np.testing.assert_array_equal(w_out, model.w_out)
    result = demo.score(model.wv)
    assert result.analogies_right >= 0.9 * result.analogies_total
    assert result.analogies_right >= single.analogies_right - 0.05 * single.analogies_total
    assert result.partners_right >= single.partners_right - 2


def reference_merge(deltas, rule, velocity, hot_rows):
    """The merge written row by row from its definition (row_merge's note), for any overlap of the workers' rows."""
    changes = {}
    for d in deltas:
        for row, change in zip(d.rows_in.tolist(), d.delta_in):
            changes.setdefault(row, []).append(change.astype(np.float64))
    merged = {}
    for row, touching in sorted(changes.items()):
        k, total = len(touching), np.sum(touching, axis=0)
        if rule == "sum" or (rule == "momentum" and row >= hot_rows):
            merged[row] = total
        elif rule == "mean":
            merged[row] = total / k
        else:  # momentum on a frequent row: Nesterov's step on the mean, momentum 1 - 1/k
            carry = 1 - 1 / k
            velocity[row] = carry * velocity.get(row, 0) + total / k
            merged[row] = carry * velocity[row] + total / k
    return merged


@pytest.mark.parametrize("rule", ["mean", "sum", "momentum"])
def test_the_merge_follows_its_definition_for_any_overlap_of_rows(rule):
    rng = np.random.default_rng(7)
    hot_rows, vocab, dim = 6, 20, 3
    velocity = momentum_state(((vocab, dim), (vocab, dim)), hot_rows)
    expected_velocity = {}
    every = np.arange(vocab)
    row_sets = [[every, every], [every[:hot_rows]] * 3, [every[::2], every[1::3], every[:4]],
                [every[2:5], np.zeros(0, np.int64)], [every[[1, 3, 8]], every[[0, 3, 9, 19]]]]
    for rows in row_sets * 2:  # twice: the velocities carry over from round to round
        deltas = [delta(r, rng.standard_normal((len(r), dim))) for r in rows]
        merged = merge(deltas, ((vocab, dim), (vocab, dim)), rule, velocity)
        expected = reference_merge(deltas, rule, expected_velocity, hot_rows)
        assert merged.rows_in.tolist() == sorted(expected)
        np.testing.assert_allclose(merged.delta_in, [expected[r] for r in sorted(expected)] or np.zeros((0, dim)),
                                   rtol=1e-5, atol=1e-6)


def test_the_frequent_rows_are_merged_more_often_the_more_workers():
    from fastemb.rounds import default_hot_splits, default_sync_words

    splits = [default_hot_splits(n) for n in (2, 4, 8, 16, 64)]
    assert splits == [1, 2, 8, 8, 8]  # docs/distributed.md: measured at 2, 4, 8 and 16 workers
    # a hot merge comes at most every 1M words per worker, and more often as the workers grow
    words = [default_sync_words(n) // default_hot_splits(n) for n in (2, 4, 8, 16)]
    assert words == sorted(words, reverse=True) and words[0] == 1_000_000
