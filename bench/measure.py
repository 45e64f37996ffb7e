"""Measuring one child process from the outside: wall time, peak memory, timed output.

Every training run is a fresh child process, so that no tool shares an
interpreter, heap or page-cache accounting with another. `measure()` takes:

* wall seconds: from just before the child is spawned to its exit (polled
  every 10 ms, so +-10 ms);
* peak RSS: the larger of (a) the resident set of the child plus all its
  descendants, summed, polled every 50 ms with psutil, and (b) the child's own
  high-water mark that the kernel reports through wait4() (exact, but per
  process, not summed over a tree);
* every chunk the child writes on stdout and stderr, stamped with the time it
  arrived, so that a runner can time a phase from a tool's own progress lines
  (word2vec.c and fastText print nothing else that marks the training phase);
* optionally, when a file first appears (word2vec.c opens its output file the
  moment its training threads have joined).

Only the standard library is needed; psutil, if importable, adds the tree-wide
RSS poll (without it, the child's own high-water mark is used).
"""

import bisect
import os
import re
import subprocess
import threading
import time

try:
    import psutil
except ImportError:  # pragma: no cover - wait4's high-water mark still works
    psutil = None

POLL_S = 0.01  # how often the child's exit (and watch_file) is checked
RSS_POLL_S = 0.05  # how often the process tree's RSS is summed: a /proc read per process


class Timed:
    """A child's output stream with the arrival time of every chunk.

    Some tools print progress with many small unbuffered writes (fastText's
    std::cerr), so a line can span chunks: the text is joined and a character
    offset is mapped back to the time its chunk arrived.
    """

    def __init__(self, chunks):
        self.text = "".join(c.decode("utf-8", "replace") for _, c in chunks)
        self.ends, self.times, pos = [], [], 0
        for t, c in chunks:
            pos += len(c.decode("utf-8", "replace"))
            self.ends.append(pos)
            self.times.append(t)

    def time_at(self, offset):
        """Seconds since spawn at which the character before `offset` arrived."""
        i = bisect.bisect_left(self.ends, offset)
        return self.times[min(i, len(self.times) - 1)]

    def matches(self, pattern):
        return list(re.finditer(pattern, self.text))

    def last_float(self, key):
        """Value of the last `key=<float>` in the stream, or None."""
        found = self.matches(re.escape(key) + r"=([-+0-9.eE]+)")
        return float(found[-1].group(1)) if found else None


def _pump(stream, t0, sink):
    """Read a pipe until EOF, stamping each chunk with its arrival time."""
    for chunk in iter(lambda: os.read(stream.fileno(), 65536), b""):
        sink.append((time.perf_counter() - t0, chunk))


def _tree_rss(proc):
    """Resident bytes of a psutil process and all its descendants."""
    total = 0
    for p in [proc] + proc.children(recursive=True):
        try:
            total += p.memory_info().rss
        except psutil.Error:  # a child may exit between listing and reading
            pass
    return total


def measure(cmd, watch_file=None, cwd=None, env=None):
    """Run `cmd` to completion; return a dict of figures and the timed output.

    The keys `stdout` and `stderr` hold `Timed` objects, for the runner to
    parse; a runner removes them before the record is stored.
    """
    cmd = [str(c) for c in cmd]  # settings are ints and floats
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env)
    out, err = [], []
    pumps = [threading.Thread(target=_pump, args=(s, t0, sink), daemon=True)
             for s, sink in ((proc.stdout, out), (proc.stderr, err))]
    for p in pumps:
        p.start()
    ps = psutil.Process(proc.pid) if psutil else None
    peak_poll, next_poll, file_seen = 0, 0.0, None
    while True:
        # wait4 rather than Popen.poll(): it also hands back the child's rusage.
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        now = time.perf_counter() - t0
        if pid:
            break
        if watch_file and file_seen is None and os.path.exists(watch_file):
            file_seen = now
        if ps and now >= next_poll:
            try:
                peak_poll = max(peak_poll, _tree_rss(ps))
            except psutil.Error:
                pass
            next_poll = now + RSS_POLL_S
        time.sleep(POLL_S)
    proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen it is reaped
    for p in pumps:
        p.join()
    proc.stdout.close()
    proc.stderr.close()
    hwm = rusage.ru_maxrss * 1024  # Linux reports KiB
    return {
        "cmd": cmd,
        "returncode": proc.returncode,
        "wall_s": now,
        "peak_rss_mb": max(peak_poll, hwm) / 2**20,
        "rss_poll_mb": peak_poll / 2**20,
        "rss_hwm_mb": hwm / 2**20,
        "user_cpu_s": rusage.ru_utime,
        "sys_cpu_s": rusage.ru_stime,
        "file_seen_s": file_seen,
        "stdout": Timed(out),
        "stderr": Timed(err),
    }
