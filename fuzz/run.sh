#!/usr/bin/env bash
# Runs every fuzz target for RUNS executions (default 10 million), two at a
# time, from the committed seeds in corpus/ (new inputs go to a scratch corpus,
# not the repository), and prints one line per target: runs, seconds, result.
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
#   fuzz/run.sh            # 10M runs each
#   RUNS=100000 fuzz/run.sh
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${RUNS:-10000000}
# No sanitizer: the code under test forbids unsafe, and ASan would slow it threefold.
cargo +nightly fuzz build -O -s none
bin=target/x86_64-unknown-linux-gnu/release
work=${WORK:-$(mktemp -d)}
targets=(csp_policy cookie_header token_body forwarded origin report_json path_prefix)
one() {
  local t=$1
  mkdir -p "$work/$t"
  if "$bin/$t" "$work/$t" "corpus/$t" -runs="$RUNS" -max_len=4096 -rss_limit_mb=2048 \
       -artifact_prefix="$work/$t-" > "$work/$t.log" 2>&1; then
    echo -e "$t\t$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$work/$t.log")\tno crash"
  else
    echo -e "$t\tCRASH: see $work/$t.log and $work/$t-*"
  fi
}
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  one "${targets[$i]}" &
  if ((i + 1 < ${#targets[@]})); then one "${targets[$((i + 1))]}" & fi
  wait
done
