#!/usr/bin/env bash
# Differential run of rampart's CSP linter against Google's CSP Evaluator
# (npm csp_evaluator, pinned in package.json) over corpus.txt.
#
#   scripts/csp-differential/run.sh [--json FILE] [--corpus FILE]
#
# RAMPART_BIN: the rampart CLI to run (default target/release/rampart if it
# exists, else target/debug/rampart). It is not built here.
# Prints a readable report; --json also writes it as JSON. Exits 0 whatever
# the two linters disagree on (a report, not a gate); non-zero only when a
# tool cannot be run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
corpus="$here/corpus.txt"
map="$root/crates/rampart-core/src/csp/lint/evaluator/checks.tsv"
json_out=""

while [ $# -gt 0 ]; do
  case "$1" in
    --json) json_out="${2:?--json needs a file}"; shift 2 ;;
    --json=*) json_out="${1#--json=}"; shift ;;
    --corpus) corpus="${2:?--corpus needs a file}"; shift 2 ;;
    --corpus=*) corpus="${1#--corpus=}"; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ -z "${RAMPART_BIN:-}" ]; then
  if [ -x "$root/target/release/rampart" ]; then
    RAMPART_BIN="$root/target/release/rampart"
  else
    RAMPART_BIN="$root/target/debug/rampart"
  fi
fi
if [ ! -x "$RAMPART_BIN" ]; then
  echo "run.sh: no rampart binary at $RAMPART_BIN (build it, or set RAMPART_BIN)" >&2
  exit 2
fi
command -v node >/dev/null || { echo "run.sh: node is required" >&2; exit 2; }

if [ ! -f "$here/node_modules/csp_evaluator/package.json" ]; then
  echo "run.sh: installing csp_evaluator into $here/node_modules" >&2
  if [ -f "$here/package-lock.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >&2
  else
    (cd "$here" && npm install --no-audit --no-fund --loglevel=error) >&2
  fi
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# One header value per line, comments and blank lines dropped: `rampart csp
# lint --file` skips blank lines but would lint a `#` line as a policy.
grep -v '^[[:space:]]*#' "$corpus" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//' | grep -v '^$' >"$tmp/policies.txt" || true
if [ ! -s "$tmp/policies.txt" ]; then
  echo "run.sh: no policies in $corpus" >&2
  exit 2
fi

# rampart exits 1 when any finding is high; only other statuses are failures.
status=0
"$RAMPART_BIN" csp lint --json --file "$tmp/policies.txt" >"$tmp/rampart.json" || status=$?
if [ "$status" -gt 1 ]; then
  echo "run.sh: $RAMPART_BIN csp lint failed (exit $status)" >&2
  exit 2
fi

node "$here/evaluator.mjs" "$tmp/policies.txt" >"$tmp/evaluator.jsonl"

compare_args=(--corpus "$corpus" --rampart "$tmp/rampart.json" --evaluator "$tmp/evaluator.jsonl" --map "$map" --rampart-bin "$RAMPART_BIN")
if [ -n "$json_out" ]; then
  compare_args+=(--json "$json_out")
fi
node "$here/compare.mjs" "${compare_args[@]}"
