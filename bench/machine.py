"""What a reader needs to trust the numbers: CPU, cores, memory, load, versions.

Versions are asked of the interpreters that run each tool (not of the
benchmark's own Python), and fastemb's source state is recorded with the git
commit and the files changed since it, because a benchmark run during
development measures the working tree, not a release.
"""

import hashlib
import json
import os
import platform
import subprocess
from pathlib import Path

from bench.runners import REPO_ROOT, fastemb_command

PEER_PACKAGES = ["gensim", "fasttext", "word2vec", "numpy", "scipy", "psutil", "matplotlib"]
FASTEMB_PACKAGES = ["fastemb", "numpy", "scipy", "numba", "Cython"]

# Run in another interpreter: package versions, plus what each tool compiled in.
_VERSIONS = """
import json, sys, importlib.metadata as m
v = {'python': sys.version.split()[0]}
for name in %r:
    try: v[name] = m.version(name)
    except Exception: v[name] = None
try:
    from gensim.models.word2vec_inner import FAST_VERSION
    v['gensim_FAST_VERSION'] = FAST_VERSION
except Exception: pass
try:
    from fastemb import _backend
    k = _backend.cython_kernels()
    v['fastemb_cython_module'] = k.__name__ if k else None
except Exception: pass
print(json.dumps(v))
"""


def python_versions(python, packages):
    """Versions of `packages` as seen by `python` (None where absent)."""
    try:
        r = subprocess.run([python, "-c", _VERSIONS % (packages,)], capture_output=True, text=True,
                           timeout=120, cwd=REPO_ROOT)
        return json.loads(r.stdout)
    except Exception as e:  # a broken interpreter must not stop the benchmark
        return {"error": repr(e)}


def _git(*args):
    r = subprocess.run(["git", "-C", str(REPO_ROOT), *args], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def source_state():
    """The commit fastemb was measured at and the uncommitted changes to it."""
    # --name-only lists paths alone: porcelain's "XY " prefix was lost to strip() on its first line
    dirty = _git("diff", "HEAD", "--name-only", "--", "fastemb", "setup.py", "pyproject.toml")
    return {"commit": _git("rev-parse", "HEAD"), "uncommitted": dirty.splitlines() if dirty else []}


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def machine_info(programs, fastemb_rows):
    """Everything about the machine and the tools, for the JSON report."""
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    w2v = Path(programs.word2vec_bin)
    info = {
        "cpu_model": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "mem_total_gb": round(mem_kb / 2**20, 1),
        "platform": platform.platform(),
        "loadavg_start": os.getloadavg(),
        # FASTEMB_BACKEND and FASTEMB_PORTABLE change which kernel runs.
        "environment": {k: v for k, v in os.environ.items() if k.startswith("FASTEMB_")},
        "peers": python_versions(programs.peers_python, PEER_PACKAGES),
        "word2vec_binary": {"path": str(w2v),
                            "sha256": hashlib.sha256(w2v.read_bytes()).hexdigest() if w2v.exists() else None},
    }
    if fastemb_rows:
        info["fastemb"] = python_versions(programs.fastemb_python, FASTEMB_PACKAGES)
        info["fastemb"]["command"] = fastemb_command(programs.fastemb_python)
        info["fastemb"]["source"] = source_state()
    return info
