#!/usr/bin/env bash
# Instructions per request for every scenario, measured with valgrind
# (cachegrind, no cache simulation): I-refs at N=1200 minus I-refs at N=200,
# divided by 1000. Deterministic, so immune to the load of a shared machine;
# counts user-space instructions only (a getrandom syscall counts as a few).
# Usage: bench/instr.sh [OUT.tsv]   (ONLY=REGEX limits it to matching workloads)
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release --bin instr -q
bin=${INSTR_BIN:-target/release/instr}
out=${1:-target/instr.tsv}
count() { valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 | awk '/I *refs:/ {gsub(",","",$NF); print $NF}'; }
: > "$out"
declare -A base
while IFS=$'\t' read -r i group name; do
  [[ -n "${ONLY:-}" && ! "$group" =~ ${ONLY} ]] && continue
  lo=$(count "$i" 200); hi=$(count "$i" 1200)
  per=$(( (hi - lo) / 1000 ))
  [ "$name" = baseline ] && base[$group]=$per
  added=$(( per - ${base[$group]} ))
  printf '%s\t%s\t%d\t%d\n' "$group" "$name" "$per" "$added" | tee -a "$out"
done < <("$bin" list)
