"""Data-parallel training on a local Ray cluster of two 1-CPU nodes, started once for this module.

Skipped where the ray extra is not installed (pip install "fastemb[ray]"); CI installs it.
"""
import logging
import os
import signal
from types import SimpleNamespace
from pathlib import Path

import numpy as np
import pytest

import fastemb
from fastemb import corpus, demo
from fastemb.config import make_settings
from fastemb.shards import Piece, plan_shards
from fastemb.vocab import build_vocab

from conftest import read_stderr_until, run_cli, start_cli

ray = pytest.importorskip("ray")
SETTINGS = {"dim": 30, "epochs": 3, "threads": 1, "seed": 1}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two nodes of one CPU each; yields the cluster's address.

    Ray workers put the driver's working directory first on their path: run
    from a fastemb source tree (where the README's `pytest` runs) they would
    import the tree, without its compiled kernel, and train on Numba while this
    process trains on Cython. So this module runs from a directory of its own."""
    from ray.cluster_utils import Cluster

    here = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("ray-job"))
    try:
        nodes = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
        nodes.add_node(num_cpus=1)
        ray.init(address=nodes.address, logging_level=logging.WARNING, log_to_driver=False)
        try:
            yield nodes.address
        finally:
            ray.shutdown()
            nodes.shutdown()
    finally:
        os.chdir(here)


def distributed(path, cluster_name, on_round=None, **settings):
    model = fastemb.Model(**{**SETTINGS, **settings})
    return model._train_distributed(path, False, None, None, 2, cluster_name, 20_000, on_round=on_round)


def test_ray_workers_give_the_simulations_matrices_bit_for_bit(cluster, planted_corpus):
    ends = []

    def at_round(record, pool):
        if record.round == pool.schedule.rounds - 1:  # the end-of-epoch merge
            ends.append(pool.matrices())

    real = distributed(planted_corpus, "auto", on_round=at_round)
    simulated = distributed(planted_corpus, "simulate")
    np.testing.assert_array_equal(real.w_in, simulated.w_in)
    np.testing.assert_array_equal(real.w_out, simulated.w_out)
    assert len(ends) == SETTINGS["epochs"]
    for w_in, w_out in ends[-1]:  # every worker ends identical to the merged model
        np.testing.assert_array_equal(w_in, real.w_in)
        np.testing.assert_array_equal(w_out, real.w_out)
    for epoch in ends[:-1]:
        np.testing.assert_array_equal(epoch[0][0], epoch[1][0])
    result = demo.score(real.wv)  # quality on the planted corpus
    assert result.analogies_right >= 0.9 * result.analogies_total
    assert result.partners_right >= 0.9 * result.partners_total


def test_ray_vocabulary_is_the_single_machines(cluster, planted_corpus):
    model = fastemb.Model(**SETTINGS, min_count=3)
    with corpus.scan(planted_corpus) as scanned:
        single, _ = build_vocab(scanned.words, scanned.counts, 3)
    from fastemb.ray_cluster import RayPool

    pool = RayPool(plan_shards(planted_corpus, 2), model.settings, "auto")
    try:
        from fastemb.shard_vocab import merged_vocab

        merged = merged_vocab(pool.count(), 3)
    finally:
        pool.close()
    assert merged.words == single.words
    assert merged.counts.tolist() == single.counts.tolist()
    assert ray.is_initialized()  # the pool leaves a cluster it did not start running


def test_a_killed_worker_is_replaced_from_the_last_merge(cluster, planted_corpus, caplog):
    killed = []

    def kill_once(record, pool):
        if record.epoch == 1 and record.round == 1 and not killed:
            killed.append(pool.nodes[1])
            ray.kill(pool.actors[1])

    with caplog.at_level(logging.WARNING, logger="fastemb"):
        survived = distributed(planted_corpus, "auto", on_round=kill_once)
    lines = [r.getMessage() for r in caplog.records if "was lost" in r.getMessage()]
    assert killed and len(lines) == 1
    assert "worker 1" in lines[0] and "last merged state" in lines[0]
    # the round is trained again from the last merge with the same draws: nothing is lost
    simulated = distributed(planted_corpus, "simulate")
    np.testing.assert_array_equal(survived.w_in, simulated.w_in)
    np.testing.assert_array_equal(survived.w_out, simulated.w_out)


def test_a_path_missing_on_a_worker_names_the_worker_node_and_path(cluster, tmp_path):
    from fastemb.ray_cluster import RayPool

    missing = tmp_path / "only-on-the-driver.txt"
    pool = RayPool([[Piece(str(missing))], []], make_settings(threads=1), "auto")
    try:
        with pytest.raises(fastemb.CorpusError) as error:
            pool.count()
    finally:
        pool.close()
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("worker 0 on node ") and str(missing) in message


def test_bad_input_fails_in_one_line_before_training(cluster, planted_corpus):
    with pytest.raises(ValueError, match="cluster='127.0.0.1:1': nothing answers there"):
        ray.shutdown()  # a given address is only checked when this process is not in a cluster yet
        try:
            fastemb.Model(**SETTINGS).train(planted_corpus, workers=2, cluster="127.0.0.1:1")
        finally:
            ray.init(address=cluster, logging_level=logging.WARNING, log_to_driver=False)
    with pytest.raises(ValueError, match="workers=0"):
        fastemb.Model(**SETTINGS).train(planted_corpus, workers=0, cluster="auto")
    with pytest.raises(ValueError, match="need 4 CPUs; the Ray cluster has 2"):
        fastemb.Model(**{**SETTINGS, "threads": 2}).train(planted_corpus, workers=2, cluster="auto")


def test_cli_trains_on_the_cluster_and_writes_every_output(cluster, planted_corpus, tmp_path):
    out, model_file, history = tmp_path / "v.txt", tmp_path / "m.npz", tmp_path / "h.json"
    done = run_cli("train", planted_corpus, "-o", out, "--save-model", model_file, "--history", history,
                   "--workers", "2", "--cluster", cluster, "--threads", "1", "--dim", "20", "--epochs", "2",
                   "--sync-words", "30000", "--quiet", cwd=tmp_path)  # not from this source tree: see cluster()
    assert done.returncode == 0, done.stderr
    assert "kernel" not in done.stderr  # no warning that the workers train on another build
    wv = fastemb.load(out)
    assert demo.score(wv).partners_right >= 0.8 * demo.score(wv).partners_total
    loaded = fastemb.load_model(model_file)
    assert len(loaded.history) == 2 and history.is_file()


def test_cli_bad_address_and_workers_zero_exit_2_in_one_line(planted_corpus, tmp_path):
    for flags, expected in ((["--workers", "2", "--cluster", "127.0.0.1:1"], "nothing answers there"),
                            (["--workers", "0"], "workers=0")):
        done = run_cli("train", planted_corpus, "-o", tmp_path / "v.txt", "--quiet", *flags)
        assert done.returncode == 2
        assert expected in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert not (tmp_path / "v.txt").exists()


def test_ctrl_c_stops_the_cluster_run_exits_130_and_writes_nothing(cluster, planted_corpus, tmp_path):
    out = tmp_path / "v.txt"
    process = start_cli("train", planted_corpus, "-o", out, "--workers", "2", "--cluster", cluster,
                        "--threads", "1", "--dim", "20", "--epochs", "1000", "--sync-words", "20000",
                        cwd=tmp_path)
    read_stderr_until(process, "training skipgram on 2 workers")
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "nothing was written" in stderr
    assert list(Path(tmp_path).iterdir()) == []


def test_a_worker_on_another_kernel_build_is_named_in_a_warning(caplog):
    from fastemb._backend import kernel_for
    from fastemb.ray_cluster import RayPool

    settings = make_settings(**SETTINGS)
    here = kernel_for(settings)[1]
    other = "numba" if here != "numba" else "cython"
    pool = RayPool.__new__(RayPool)  # only what _compare_code reads: no cluster
    pool.settings, pool.nodes = settings, ["10.0.0.1", "10.0.0.2"]
    pool.actors = [SimpleNamespace(code=SimpleNamespace(remote=lambda build=build: (build, "/src/fastemb")))
                   for build in (here, other)]
    pool._get = lambda refs, what: refs
    with caplog.at_level(logging.WARNING, logger="fastemb"):
        pool._compare_code()
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "worker 1 on node 10.0.0.2 trains with the " + other in warnings[0]
    assert "/src/fastemb" in warnings[0] and here in warnings[0]
