#!/bin/sh
# Fuzz the corpus reader and the vectors loader for a bounded time each (atheris,
# `pip install ".[fuzz]"`). Not part of the tests or CI: run it by hand.
#   fuzz/run.sh [SECONDS_PER_TARGET]     default 60
# Crashes are written to fuzz/findings/ (git-ignored); replay one with
#   python fuzz/fuzz_reader.py fuzz/findings/crash-...
set -e
seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/findings"
for target in fuzz_reader fuzz_loader; do
    corpus=$(mktemp -d)   # the fuzzer's working inputs: thrown away
    echo "== $target for $seconds s"
    python "$here/$target.py" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$here/findings/" -print_final_stats=1 "$corpus" || status=$?
    rm -rf "$corpus"
    [ -z "$status" ] || exit "$status"
done
