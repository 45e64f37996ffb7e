"""The workers as Ray actors: connecting to a cluster, one actor per worker, lost workers replaced.

The only module that imports Ray, and only when a run asks for a cluster (the
``ray`` extra: ``pip install "fastemb[ray]"``). Each actor is a ShardWorker
(shard_worker.py) reserving ``threads`` CPUs; the changes and the merges go
through Ray's object store. A worker that dies (its process killed, its node
lost) is replaced by a new actor that reads and encodes its shard again; all
workers go back to the last merged state and the round is trained again, so
the run goes on as if nothing happened (with one thread per worker and a
seed, to the same bits).
"""
from __future__ import annotations

import logging
import os
import socket
from typing import List, Sequence, Tuple

import numpy as np

import fastemb
from ._backend import kernel_for
from .config import Settings
from .row_merge import RowDelta
from .shard_worker import RoundResult, Schedule, ShardWorker
from .shards import Shard

log = logging.getLogger("fastemb")
RAY_EXTRA = 'pip install "fastemb[ray]"'
CONNECT_SECONDS = 10.0  # to reach a cluster's address before handing it to Ray
MAX_LOSSES_PER_ROUND = 3  # a round that loses workers more often than this fails the run


def import_ray():
    """The ray module, or a one-line ImportError saying how to install it."""
    try:
        import ray
    except ImportError:
        raise ImportError(f"workers > 1 run on a Ray cluster, and Ray is not installed: {RAY_EXTRA}",
                          name="ray") from None
    return ray


def connect(cluster: str) -> bool:
    """Join the Ray cluster ``cluster`` ("auto": the running one, else a new
    local one; or an address). Returns whether this call started Ray here (and
    so should shut it down). A bad address is a one-line ValueError."""
    ray = import_ray()
    if ray.is_initialized():
        return False
    quiet = {"logging_level": logging.ERROR, "log_to_driver": False, "include_dashboard": False}
    if cluster == "auto":
        try:
            ray.init(address="auto", **quiet)
        except ConnectionError:  # no cluster running: start one on this machine
            ray.init(**quiet)
        return True
    check_reachable(cluster)  # Ray itself retries an unreachable address for minutes
    try:
        ray.init(address=cluster, **quiet)
    except Exception as error:  # Ray raises several kinds for a bad address: say it in one line
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ValueError(f"cluster={cluster!r}: cannot connect to a Ray cluster there ({reason}); "
                         "start one with `ray start --head` and give its address, or cluster=\"auto\"") from None
    return True


def check_reachable(address: str, timeout: float = CONNECT_SECONDS) -> None:
    """A one-line ValueError unless ``address`` ("host:port" or "ray://host:port")
    accepts a TCP connection within ``timeout`` seconds."""
    hint = "start one with `ray start --head` and give its address (host:port or ray://host:10001), or cluster=\"auto\""
    host, _, port = address[len("ray://"):].rpartition(":") if address.startswith("ray://") \
        else address.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"cluster={address!r} is not a Ray address; {hint}")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as error:
        raise ValueError(f"cluster={address!r}: nothing answers there ({error.strerror or error}); {hint}") from None


class ShardActor(ShardWorker):
    """A ShardWorker that can also say where it runs, and on what code."""

    def node(self) -> str:
        import ray

        return ray.util.get_node_ip_address()

    def code(self) -> Tuple[str, str]:
        """The kernel build this worker trains with, and where its fastemb was imported from."""
        return kernel_for(self.settings)[1], os.path.dirname(fastemb.__file__)


class RayPool:
    """One Ray actor per worker (the pool rounds.run_rounds drives)."""

    parallel = True

    def __init__(self, shards: Sequence[Shard], settings: Settings, cluster: str):
        self.ray = ray = import_ray()
        self.started_ray = connect(cluster)
        self.shards, self.settings = list(shards), settings
        self.applying: list = []  # the last merge's apply calls, collected by the next call (apply())
        try:
            cpus = ray.cluster_resources().get("CPU", 0)
            needed = len(self.shards) * settings.threads
            if needed > cpus:
                raise ValueError(f"workers={len(self.shards)} x threads={settings.threads} need {needed} CPUs; "
                                 f"the Ray cluster has {cpus:g}: lower --workers or --threads, or add nodes")
            self.actor_class = ray.remote(num_cpus=settings.threads, max_restarts=0)(ShardActor)
            self.actors = [self._new_actor(i) for i in range(len(self.shards))]
            self.nodes = self._get([actor.node.remote() for actor in self.actors], "start")
            self._compare_code()
        except BaseException:
            self.close()
            raise
        self.words: List[str] = []
        self.start_args = None

    def _compare_code(self) -> None:
        """Warn when a worker trains on another kernel build than this process: its
        floats round otherwise, so runs are no longer reproducible. A fastemb
        source tree in the working directory does it: Ray puts the driver's
        working directory first on its workers' path, and the tree has no
        compiled kernel."""
        here = kernel_for(self.settings)[1], os.path.dirname(fastemb.__file__)
        for index, (build, where) in enumerate(self._get([a.code.remote() for a in self.actors], "start")):
            if build != here[0]:
                log.warning("worker %d on node %s trains with the %s kernel (fastemb from %s), this process with "
                            "%s (from %s): their floats differ; install the same fastemb build on every node, and "
                            "do not start from a fastemb source tree", index, self.nodes[index], build, where,
                            here[0], here[1])

    @property
    def size(self) -> int:
        return len(self.actors)

    def _new_actor(self, index: int):
        return self.actor_class.remote(index, self.shards[index], self.settings)

    def _get(self, refs: list, what: str) -> list:
        """ray.get each result, a worker's error re-raised as one line naming the worker and its node."""
        results = []
        for index, ref in enumerate(refs):
            try:
                results.append(self.ray.get(ref))
            except self.ray.exceptions.RayTaskError as error:
                cause = error.cause if getattr(error, "cause", None) is not None else error
                node = self.nodes[index] if getattr(self, "nodes", None) else "?"
                message = f"worker {index} on node {node}: {cause}"
                try:
                    raised = type(cause)(message)
                except Exception:
                    raised = RuntimeError(message)
                raise raised from None
        return results

    def count(self):
        return self._get([actor.count.remote() for actor in self.actors], "count")

    def encode(self, words: List[str]) -> List[int]:
        self.words = words
        ref = self.ray.put(words)
        return self._get([actor.encode.remote(ref) for actor in self.actors], "encode")

    def start(self, w_in: np.ndarray, w_out: np.ndarray, counts: np.ndarray, schedule: Schedule) -> None:
        # the driver's merged state, updated in place by rounds.run_rounds: a new worker starts from it
        self.state, self.counts, self.schedule = (w_in, w_out), counts, schedule
        refs = [self.ray.put(a) for a in (w_in, w_out, counts)]
        self._get([actor.start.remote(*refs, schedule) for actor in self.actors], "start")

    def run_round(self, epoch: int, round_: int) -> List[RoundResult]:
        """Every worker's round; a worker lost meanwhile is replaced and the round trained again."""
        for _ in range(MAX_LOSSES_PER_ROUND + 1):
            refs = [actor.run_round.remote(epoch, round_) for actor in self.actors]
            try:
                self._applied()
                return self._get(refs, "round")
            except self.ray.exceptions.RayActorError as error:
                self._replace_lost(epoch, round_, error)
        raise RuntimeError(f"workers were lost {MAX_LOSSES_PER_ROUND + 1} times in round {round_ + 1} of "
                           f"epoch {epoch + 1}; the cluster is not keeping them up")

    def _replace_lost(self, epoch: int, round_: int, error: BaseException) -> None:
        """New actors for the dead ones, on their shards; everyone back to the last merged state."""
        ray = self.ray
        lost = []
        for index, actor in enumerate(self.actors):
            try:
                ray.get(actor.node.remote())
            except ray.exceptions.RayActorError:
                lost.append(index)
        for index in lost:
            log.warning("worker %d on node %s was lost (%s); round %d of epoch %d goes on from the last merged "
                        "state on a new worker", index, self.nodes[index], type(error).__name__, round_ + 1,
                        epoch + 1)
            actor = self.actors[index] = self._new_actor(index)
            self.nodes[index] = ray.get(actor.node.remote())
            ray.get(actor.count.remote())
            ray.get(actor.encode.remote(self.words))
            ray.get(actor.start.remote(self.state[0], self.state[1], self.counts, self.schedule))
        state = [ray.put(matrix) for matrix in self.state]
        self._get([actor.reset.remote(*state) for index, actor in enumerate(self.actors) if index not in lost],
                  "reset")

    def apply(self, merged: RowDelta) -> None:
        """Send the merge without waiting: an actor runs its calls in order, so it applies the merge
        before its next round, and one round trip a round is saved; the next call collects the answers."""
        ref = self.ray.put(merged)
        self.applying = [actor.apply.remote(ref) for actor in self.actors]

    def _applied(self) -> None:
        """Wait for the last merge to be applied everywhere (its errors raised here)."""
        pending, self.applying = self.applying, []
        self._get(pending, "apply")

    def matrices(self):
        """Every worker's copy of (w_in, w_out)."""
        self._applied()
        return self._get([actor.matrices.remote() for actor in self.actors], "matrices")

    def close(self) -> None:
        """End the actors (and Ray, if this pool started it)."""
        for actor in getattr(self, "actors", []):
            try:
                self.ray.kill(actor)
            except Exception:  # already gone
                pass
        self.actors = []
        if self.started_ray:
            self.ray.shutdown()
            self.started_ray = False
