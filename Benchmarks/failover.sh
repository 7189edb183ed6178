#!/usr/bin/env bash
# Failover time after kill -9 of a node (issue 6): two `retina run` nodes on one PostgreSQL store,
# two camera groups; the node holding them is killed, and the time until the other holds both is
# read from the store (its clock). TRIALS (default 5), LEASE (default 15 s, the shipped default).
set -euo pipefail
cd "$(dirname "$0")/.."
retina="${RETINA:-.build/debug/retina}"
[[ -x $retina ]] || swift build --product retina >&2
trials="${TRIALS:-5}" lease="${LEASE:-15}"
base="${RETINA_BENCH_POSTGRES:-$(scripts/test-postgres.sh start)}"
work=$(mktemp -d)
pids=()
trap 'kill -9 "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
cat >"$work/cameras.yaml" <<YAML
defaults: {openTimeout: 1s, backoff: [1s]}
groups: [{id: g1}, {id: g2}]
cameras:
  - {id: cam-1, url: "rtsp://127.0.0.1:9/none", group: g1}
  - {id: cam-2, url: "rtsp://127.0.0.1:9/none", group: g2}
YAML
sep='?'; [[ $base == *\?* ]] && sep='&'
times=()
for t in $(seq 1 "$trials"); do
  schema="failover_$$_$t"
  store="$base${sep}schema=$schema"
  q() { psql "${base%%\?*}" -qtAc "SET search_path TO $schema; $1" 2>/dev/null | tail -1; }
  "$retina" run --config "$work/cameras.yaml" --store "$store" --node a --lease "$lease" --evidence "$work/ev" --log-level error & a=$!
  pids+=("$a")
  until [[ "$(q "SELECT count(*) FROM group_leases WHERE node = 'a' AND expires_at > now()")" == 2 ]]; do sleep 0.2; done
  "$retina" run --config "$work/cameras.yaml" --store "$store" --node b --lease "$lease" --evidence "$work/ev" --log-level error & b=$!
  pids+=("$b")
  sleep 2
  kill -9 "$a"
  start=$(date +%s.%N)
  until [[ "$(q "SELECT count(*) FROM group_leases WHERE node = 'b' AND expires_at > now()")" == 2 ]]; do sleep 0.1; done
  took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
  times+=("$took")
  printf 'trial %d: groups on node b %.1f s after kill -9 of node a (lease %s s)\n' "$t" "$took" "$lease"
  kill -TERM "$b"; wait "$b" 2>/dev/null || true
done
printf '%s\n' "${times[@]}" | sort -n | awk -v l="$lease" '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "failover: median %.1f s over %d trials (min %.1f, max %.1f; lease %s s)\n", m, NR, v[1], v[NR], l}'
