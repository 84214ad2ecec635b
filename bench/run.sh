#!/usr/bin/env bash
# Reruns every benchmark of BENCHMARKS.md: criterion (per-request cost, PASSES
# passes), allocations, instruction counts, and the end-to-end load test
# (seed app vs bare axum app vs the post's Flask setup, ROUNDS interleaved
# rounds). Results go to bench/results/; bench/summarize.py prints the tables.
#
#   bench/run.sh            # everything (about 25 minutes on 2 cores)
#   bench/run.sh micro      # criterion + allocs + instructions only (Tower and actix-web)
#   bench/run.sh actix      # the actix-web scenarios only (criterion, allocs, instructions; ~10 min)
#   bench/run.sh load       # load test only
#
# Environment: PASSES (3), ROUNDS (3), DURATION (10s), CONNS (32); PAIR_ONLY=1
# runs only the seed app and the bytes-matched app in each load round.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
res="$here/results"
mkdir -p "$res"
what=${1:-all}
PASSES=${PASSES:-3} ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-10s} CONNS=${CONNS:-32}

need_apt() {
  local missing=()
  for pair in "$@"; do command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}"); done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

machine() {
  { echo "nproc: $(nproc)"; grep -m1 'model name' /proc/cpuinfo; rustc --version; uptime; } > "$res/machine.txt"
}

micro() {
  need_apt valgrind:valgrind
  cd "$here"
  # Passes left from an earlier run with more PASSES would join the medians.
  rm -f "$res"/criterion-pass*.json
  for p in $(seq 1 "$PASSES"); do
    echo "== criterion pass $p/$PASSES"
    cargo bench --bench layers -q 2>&1 | grep -E 'time:|^[a-z0-9_]+/' || true
    python3 "$here/summarize.py" collect-criterion "$here/target/criterion" "$res/criterion-pass$p.json"
  done
  echo "== allocations"
  cargo run --release -q --bin allocs -- --json "$res/allocs.json"
  echo "== instructions (valgrind)"
  "$here/instr.sh" "$res/instr.tsv"
}

# The actix-web scenarios only: their criterion groups (merged into the pass
# files), allocations (all scenarios, a few seconds) and instruction counts
# (merged into instr.tsv).
actix() {
  need_apt valgrind:valgrind
  cd "$here"
  for p in $(seq 1 "$PASSES"); do
    echo "== criterion pass $p/$PASSES (actix-web)"
    cargo bench --bench layers -q -- actix_ 2>&1 | grep -E 'time:|^[a-z0-9_]+/' || true
    python3 "$here/summarize.py" collect-criterion "$here/target/criterion" "$res/criterion-pass$p.json" actix_
  done
  echo "== allocations"
  cargo run --release -q --bin allocs -- --json "$res/allocs.json"
  echo "== instructions (valgrind, actix-web)"
  ONLY=actix_ "$here/instr.sh" "$here/target/instr-actix.tsv"
  { [ -f "$res/instr.tsv" ] && grep -v '^actix_' "$res/instr.tsv" || true; cat "$here/target/instr-actix.tsv"; } > "$res/instr.tsv.new"
  mv "$res/instr.tsv.new" "$res/instr.tsv"
}

wait_port() { for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1/health" >/dev/null && return 0; sleep 0.2; done; echo "port $1 not up" >&2; return 1; }

load() {
  need_apt wrk:wrk curl:curl python3:python3
  python3 -c 'import ensurepip' 2>/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; }
  cd "$root" && cargo build --release -q --example seed_app
  cd "$here" && cargo build --release -q --bin bare_seed
  local venv="$here/target/flask-venv" fdir="$here/target/flask"
  [ -x "$venv/bin/gunicorn" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q -r "$here/flask/requirements.txt"; }
  # The Flask app uses the seed app's templates, with Talisman/SeaSurf calls.
  mkdir -p "$fdir/templates" "$fdir/static/js"
  local t="$root/crates/rampart-seed/src"
  # rampart's template functions, spelled with Talisman's and SeaSurf's.
  local flaskify='s|{{ csrf_meta() }}|<meta name="csrf-token" content="{{ csrf_token() }}">|; s|{{ csrf_input() }}|<input type="hidden" name="_csrf_token" value="{{ csrf_token() }}">|'
  sed "$flaskify" "$t/templates/index.html" > "$fdir/templates/index.html"
  sed "$flaskify" "$t/templates/login.html" > "$fdir/templates/login.html"
  cp "$t/static/script.js" "$fdir/static/js/script.js"

  pids=()  # global: the EXIT trap runs after load() has returned
  RUST_LOG=warn "$root/target/release/examples/seed_app" --addr 127.0.0.1:18000 >"$res/seed_app.log" 2>&1 & pids+=($!)
  "$here/target/release/bare_seed" --addr 127.0.0.1:18001 >"$res/bare_seed.log" 2>&1 & pids+=($!)
  "$here/target/release/bare_seed" --addr 127.0.0.1:18003 --same-headers >"$res/bytes_seed.log" 2>&1 & pids+=($!)
  (cd "$here/flask" && SEED_FLASK_DIR="$fdir" exec "$venv/bin/gunicorn" -b 127.0.0.1:18002 -w 2 -k gthread --threads 4 \
     --keep-alive 30 --log-level warning app:app) >"$res/flask.log" 2>&1 & pids+=($!)
  trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
  for p in 18000 18001 18002 18003; do wait_port $p; done

  # A valid cookie + token per app, obtained once with curl.
  declare -A cookie body
  for app in seed:18000 bare:18001 flask:18002 bytes:18003; do
    local name=${app%%:*} port=${app#*:}
    local jar="$res/$name.cookies"
    rm -f "$jar"
    local page; page=$(curl -fs -c "$jar" "http://127.0.0.1:$port/login")
    local token; token=$(sed -n 's/.*name="_csrf_token" value="\([^"]*\)".*/\1/p' <<<"$page")
    cookie[$name]=$(awk '{sub(/^#HttpOnly_/, "")} !/^#/ && NF>=7 {printf "%s%s=%s", sep, $6, $7; sep="; "}' "$jar")
    body[$name]="username=alice&password=correct+horse&_csrf_token=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$token")"
    local code; code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Cookie: ${cookie[$name]}" -H 'Sec-Fetch-Site: same-origin' \
      -H "Origin: http://127.0.0.1:$port" -H 'Content-Type: application/x-www-form-urlencoded' --data "${body[$name]}" "http://127.0.0.1:$port/login")
    echo "$name: POST /login with the token -> $code"
    [ "$code" = 200 ] || { echo "token setup failed for $name" >&2; exit 1; }
  done

  rm -f "$res"/wrk-*.txt
  for r in $(seq 1 "$ROUNDS"); do
    # The seed app and the bytes-matched app run back to back (their ratio is
    # the figure judged, and this shared machine drifts within minutes). Over
    # any even number of rounds the pair runs first in half of them and the
    # seed app leads it in half (rounds 1-4: pair first/last/first/last, seed
    # first/second/second/first).
    local pair=(seed bytes) others=(bare flask)
    case $(( (r - 1) % 4 )) in 1|2) pair=(bytes seed) others=(flask bare) ;; esac
    local order=("${pair[@]}" "${others[@]}")
    if (( r % 2 == 0 )); then order=("${others[@]}" "${pair[@]}"); fi
    # PAIR_ONLY=1: only the pair, for many short rounds (the judged ratio's spread).
    if [ "${PAIR_ONLY:-0}" = 1 ]; then order=("${pair[@]}"); fi
    # get: a first visit (no cookie); getc: a returning visitor (cookie sent);
    # post: the login form with its token (a returning visitor too).
    for ep in get getc post; do
      for name in "${order[@]}"; do
        local port; case $name in seed) port=18000;; bare) port=18001;; flask) port=18002;; bytes) port=18003;; esac
        echo "== round $r: $name $ep"
        if [ $ep = get ]; then
          wrk -t2 -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$port/" > "$res/wrk-$name-$ep-$r.txt"
        elif [ $ep = getc ]; then
          wrk -t2 -c"$CONNS" -d"$DURATION" --latency -H "Cookie: ${cookie[$name]}" "http://127.0.0.1:$port/" > "$res/wrk-$name-$ep-$r.txt"
        else
          LOGIN_BODY="${body[$name]}" LOGIN_COOKIE="${cookie[$name]}" LOGIN_ORIGIN="http://127.0.0.1:$port" \
            wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s "$here/post_login.lua" "http://127.0.0.1:$port/login" > "$res/wrk-$name-$ep-$r.txt"
        fi
        grep -E 'Requests/sec|Non-2xx' "$res/wrk-$name-$ep-$r.txt" || true
      done
    done
  done
}

machine
case $what in
  micro) micro ;;
  actix) actix ;;
  load) load ;;
  all) micro; load ;;
  *) echo "usage: $0 [all|micro|actix|load]" >&2; exit 2 ;;
esac
python3 "$here/summarize.py" report "$res"
