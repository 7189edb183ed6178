#!/usr/bin/env bash
# Decode bursts on live RTSP (issue 6): the CPU of one `retina worker` pulling N live 720p cameras
# (Benchmarks/camera-clip.sh) from GStreamer's RTSP server on loopback (scripts/rtsp-server.py),
# with `decodeBurst: 0` (every packet decoded as it arrives) against the default 200 ms. The arms
# alternate ROUNDS times in one run, since the machine's speed drifts. Only the worker's CPU over
# the measured window is counted (/proc/PID/stat at both ends); the server's is the same in both.
# Frame rates are totals over the window from the worker's Prometheus counters.
#   Benchmarks/rtsp-burst.sh                # CAMERAS=12 ROUNDS=2 WINDOW=60 s after WARM=15 s
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/worker-bench.sh
work=${WORK:-.build/bench}
mkdir -p "$work"
n=${CAMERAS:-12} rounds=${ROUNDS:-2} warm=${WARM:-15} window=${WINDOW:-60} port=${METRICS_PORT:-19188}
flags=(-c release ${SCRATCH:+--scratch-path "$SCRATCH"})
swift build "${flags[@]}" --product retina >&2
retina=$(swift build "${flags[@]}" --show-bin-path)/retina
clip=$(Benchmarks/camera-clip.sh "$work")

rtsp=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/bin/python3 scripts/rtsp-server.py --port "$rtsp" --mount cam="$clip" >"$work/rtsp-burst-server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q READY "$work/rtsp-burst-server.log" && break; sleep 0.2; done
grep -q READY "$work/rtsp-burst-server.log" || { cat "$work/rtsp-burst-server.log" >&2; exit 1; }

results="$work/rtsp-burst.tsv"
: >"$results"
for round in $(seq "$rounds"); do
  for burst in 0 200ms; do
    cfg="$work/rtsp-burst.yaml" db="$work/rtsp-burst.db"
    rm -f "$db"*
    camera_config "$cfg" "$n" "rtsp://127.0.0.1:$rtsp/cam" "$db" "decoderThreads: 1, decodeBurst: $burst"
    "$retina" worker --config "$cfg" --group bench --evidence "$work/rtsp-burst-ev" \
      --duration $((warm + window + 3)) --log-level error --metrics-port "$port" &
    pid=$!
    sleep "$warm"; sample "$work/rtsp-burst-a.prom" "$pid" "$port"
    sleep "$window"; sample "$work/rtsp-burst-b.prom" "$pid" "$port"
    wait "$pid"
    PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=Benchmarks/lib python3 - "$round" "$burst" "$n" "$work/rtsp-burst-a.prom" "$work/rtsp-burst-b.prom" >>"$results" <<'PY'
import sys
from window import window
rnd, burst, n, a, b = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
w = window(a, b)
dec, cpu = w["decoded"], w["cpu"]
print(f"{rnd}\t{burst}\t{w['cameras']}\t{min(dec):.2f}\t{sum(dec)/len(dec):.2f}\t{w['dropped']:.0f}\t{cpu*100:.1f}\t{cpu/n:.4f}\t{w['rss_mib']:.0f}")
PY
    tail -1 "$results" | awk -F'\t' '{printf "round %s, decodeBurst %s: %s cameras, decoded fps min %s mean %s, drops %s, worker CPU %s%% = %s CPU-s per camera-second, RSS %s MiB\n", $1, $2, $3, $4, $5, $6, $7, $8, $9}'
  done
done
awk -F'\t' '$2 == "0" {off += $8; no++} $2 != "0" {on += $8; nb++}
  END {printf "decodeBurst 200ms / 0: %.3f× the worker CPU per camera-second (mean of %d rounds)\n", (on/nb)/(off/no), no}' "$results"
