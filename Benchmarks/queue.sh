#!/usr/bin/env bash
# The dispatch queue on SQLite under load (issue 3): one producer's publish rate, four producer
# processes on one file at once, and the claim latency of a fall (P1) during a 10,000-event storm.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product QueueBench >&2
bench=$(swift build -c release --show-bin-path)/QueueBench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bench" throughput "$work/throughput.db" --events 10000 --batch 100
"$bench" producers "$work/producers.db" --processes 4 --events 10000
"$bench" storm "$work/storm.db" --events 10000 --probes 100
