#!/usr/bin/env bash
# Soak: the seed app under 256 connections for SOAK_SECONDS (default 600), in
# 10-second slices of wrk (scripts/soak.lua: page views, form logins, API
# writes with a header token, and a quarter of cross-site and forged requests
# that must be refused (403)). After each slice it samples the app's RSS, open file
# descriptors and the slice's p99 latency. It fails on any 5xx, any answer
# of the wrong class, RSS growth over 10 MiB after warm-up (the first three
# slices), a descriptor count that keeps growing, or a p99 that ends more than
# three times the warm-up median. CI runs 30 seconds (.ci/run).
#   scripts/soak.sh                          # 10 minutes, debug build unless SEED_APP is set
#   SOAK_SECONDS=30 scripts/soak.sh
#   SEED_APP=target/release/examples/seed_app scripts/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "soak: wrk is not installed (apt-get install wrk)"; exit 2; }
SECONDS_TOTAL=${SOAK_SECONDS:-600}
CONNS=${SOAK_CONNECTIONS:-256}
if [ -z "${SEED_APP:-}" ]; then
  cargo build -q --example seed_app
  SEED_APP=target/debug/examples/seed_app
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=$(mktemp)
RAMPART_CSRF_KEY=$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=\n') RUST_LOG=error NO_COLOR=1 \
  "$SEED_APP" --addr "127.0.0.1:$port" > "$log" 2>&1 &
app=$!
trap 'kill $app 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done

base="http://127.0.0.1:$port"
page=$(curl -s -D /tmp/soak-h.$$ "$base/login")
export SOAK_COOKIE=$(grep -i '^set-cookie: csrf=' /tmp/soak-h.$$ | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')
export SOAK_TOKEN=$(sed -n 's/.*name="_csrf_token" value="\([^"]*\)".*/\1/p' <<< "$page")
export SOAK_ORIGIN=$base
rm -f /tmp/soak-h.$$
[ -n "$SOAK_COOKIE" ] && [ -n "$SOAK_TOKEN" ] || { echo "soak: no token from /login"; exit 1; }

rss() { awk '/VmRSS/ {print $2}' "/proc/$app/status"; }
fds() { ls "/proc/$app/fd" | wc -l; }
slices=$(( SECONDS_TOTAL / 10 )); (( slices < 3 )) && slices=3
printf "%6s %10s %8s %6s %10s %10s %8s\n" t_s rss_kib fds p99_ms ok refused errors
declare -a R F P
fail=""
for i in $(seq 1 "$slices"); do
  wrk -t2 -c"$CONNS" -d10s --timeout 5s -s scripts/soak.lua "$base" > "$log.wrk" 2>&1 &
  sleep 5 # sampled mid-slice, with every connection open
  R[$i]=$(rss); F[$i]=$(fds)
  wait $!
  out=$(grep '^SOAK' "$log.wrk")
  read -r ok ref se un p99 sock <<< "$(sed 's/[a-z_0-9]*=//g; s/SOAK //' <<< "$out")"
  P[$i]=$p99
  printf "%6d %10d %8d %6.1f %10d %10d %8d\n" $((i * 10)) "${R[$i]}" "${F[$i]}" "$(awk "BEGIN { print $p99 / 1000 }")" "$ok" "$ref" $((se + un))
  (( se == 0 )) || fail+="slice $i: $se 5xx answers; "
  (( un == 0 )) || fail+="slice $i: $un answers of the wrong class; "
  # A quarter of the rotation must be refused; a good request refused (or a
  # bad one let through) moves the share.
  share=$(( 1000 * ref / (ok + ref + 1) ))
  (( share > 230 && share < 270 )) || fail+="slice $i: ${share}/1000 refused, 250 expected; "
done
warm=3
growth=$(( R[slices] - R[warm] ))
(( growth < 10240 )) || fail+="RSS grew ${growth} KiB after warm-up; "
(( F[slices] <= F[warm] + CONNS / 8 )) || fail+="file descriptors grew from ${F[warm]} to ${F[slices]}; "
med=$(printf "%s\n" "${P[1]}" "${P[2]}" "${P[3]}" | sort -n | sed -n 2p)
(( P[slices] <= 3 * med + 1000 )) || fail+="p99 ended at ${P[slices]} us against a warm-up median of ${med} us; "
echo "RSS growth after warm-up: ${growth} KiB; descriptors ${F[warm]} -> ${F[slices]}; p99 warm-up median ${med} us, last ${P[slices]} us"
if [ -n "$fail" ]; then echo "soak: FAILED: $fail"; exit 1; fi
echo "soak: held"
