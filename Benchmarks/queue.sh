#!/usr/bin/env bash
# The dispatch queue under load (issue 3), on SQLite and on PostgreSQL in the same run: one
# producer's publish rate, four producer processes at once, and the claim latency of a fall (P1)
# during a 10,000-event storm. PostgreSQL: a throwaway server on loopback (scripts/test-postgres.sh),
# or RETINA_BENCH_POSTGRES=postgres://… for another one; STORES=sqlite runs SQLite only.
set -euo pipefail
cd "$(dirname "$0")/.."
# SCRATCH=.build-bench keeps this release build apart from a debug build in progress.
flags=(-c release ${SCRATCH:+--scratch-path "$SCRATCH"})
swift build "${flags[@]}" --product QueueBench >&2
bench=$(swift build "${flags[@]}" --show-bin-path)/QueueBench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stores="${STORES:-sqlite postgres}"
for kind in $stores; do
  echo "== $kind"
  for mode in throughput producers storm; do
    if [[ $kind == sqlite ]]; then
      place="sqlite:$work/$mode.db"
    else
      base="${RETINA_BENCH_POSTGRES:-$(scripts/test-postgres.sh start)}"
      sep='?'; [[ $base == *\?* ]] && sep='&'
      place="$base${sep}schema=bench_${mode}_$$"
    fi
    case $mode in
      throughput) "$bench" throughput "$place" --events 10000 --batch 100 ;;
      producers) "$bench" producers "$place" --processes 4 --events 10000 ;;
      storm) "$bench" storm "$place" --events 10000 --probes 100 ;;
    esac
  done
done
