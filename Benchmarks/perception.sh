#!/usr/bin/env bash
# Perception's cost in a running worker (issue 17): ms of CPU per camera per second of video that
# learned people detection (and crowd density, for the dense camera) adds, at the default rates.
# Two real cameras, each played in real time (`pace: true`, looped to 2 min): PETS 2009 (768×576,
# 10 fps, 3–8 people: sparse, the detector counts) and the overhead concourse (1280×720, 25 fps,
# 40–50 people: dense, the density model counts every 2 s). The same worker runs twice over the same
# window three times: with perception off (the classical path: the reference), with the defaults
# but the closer look off (`lookCloser: off`: the whole picture alone), and with the defaults (rate
# 1/s, motion gate, tiles 1, density in dense zones, the closer look on). Reported: per camera,
# passes, closer looks and density passes per second, ms per pass and inference ms per
# camera-second (the worker's own counters); the worker's CPU in each run and the differences per
# camera-second (from /proc, the whole process).
#   Benchmarks/perception.sh               # WARM=15 s, WINDOW=60 s
# Needs ../shared/data (pets2009-s2l1, concourse videos: ../shared/data/get.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/worker-bench.sh
work=${WORK:-.build/bench}
mkdir -p "$work"
warm=${WARM:-15} window=${WINDOW:-60} port=${METRICS_PORT:-19188}
data=../shared/data
for v in pets2009-s2l1 concourse; do
  [ -s "$data/$v/video.mp4" ] || { echo "perception.sh: $data/$v/video.mp4 is missing (run $data/get.sh)" >&2; exit 1; }
  # Looped (stream copy) so that a camera never reaches its end inside the window.
  [ -s "$work/perception-$v.mp4" ] || ffmpeg -hide_banner -loglevel error -y -stream_loop 12 -i "$data/$v/video.mp4" -t 120 -c copy "$work/perception-$v.mp4"
done
flags=(-c release ${SCRATCH:+--scratch-path "$SCRATCH"})
if [ -n "${RETINA:-}" ]; then retina=$RETINA; else
  swift build "${flags[@]}" --product retina >&2
  retina=$(swift build "${flags[@]}" --show-bin-path)/retina
fi

run() {  # run NAME PERCEPTION
  local name=$1 perception=$2 cfg="$work/perception-$1.yaml" db="$work/perception-$1.db"
  rm -f "$db"*
  cat >"$cfg" <<YAML
store: sqlite:$db
defaults: {analysis: {fps: 5, width: 384}, pace: true, perception: $perception}
groups: [{id: bench}]
cameras:
  - {id: pets, url: "$PWD/$work/perception-pets2009-s2l1.mp4", group: bench}
  - {id: concourse, url: "$PWD/$work/perception-concourse.mp4", group: bench}
YAML
  "$retina" worker --config "$cfg" --group bench --duration $((warm + window + 3)) --log-level error --metrics-port "$port" &
  local pid=$!
  sleep "$warm"; sample "$work/perception-$name-a.prom" "$pid" "$port"
  sleep "$window"; sample "$work/perception-$name-b.prom" "$pid" "$port"
  wait "$pid"
}
run off "{people: off}"
run whole "{people: on, lookCloser: off}"
run on "{people: on}"

PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=Benchmarks/lib python3 - "$work" <<'PY'
import re, sys
from window import window, _read
import os
work = sys.argv[1]
off, whole, on = (window(f"{work}/perception-{n}-a.prom", f"{work}/perception-{n}-b.prom") for n in ("off", "whole", "on"))
tck = os.sysconf("SC_CLK_TCK")
(a, ta, *_), (b, tb, *_) = _read(f"{work}/perception-on-a.prom", tck), _read(f"{work}/perception-on-b.prom", tck)
secs = tb - ta
print("| camera | passes/s | of which looked closer | density passes/s | skipped/s | ms per pass | inference ms per camera-second | analysed fps |")
print("|---|---|---|---|---|---|---|---|")
for cam in sorted(b):
    d = lambda k: b[cam].get(k, 0) - a.get(cam, {}).get(k, 0)
    passes, dens, skipped, s = d("retina_camera_inferences_total"), d("retina_camera_density_passes_total"), d("retina_camera_inferences_skipped_total"), d("retina_camera_inference_seconds_total")
    closer = d("retina_camera_closer_looks_total")
    print(f"| {cam} | {passes/secs:.2f} | {closer/max(1, passes):.0%} | {dens/secs:.2f} | {skipped/secs:.2f} | {1000*s/max(1, passes + dens):.1f} | {1000*s/secs:.1f} | {d('retina_camera_frames_analysed_total')/secs:.2f} |")
n = on["cameras"]
print(f"\nworker CPU over {secs:.0f} s: perception off {off['cpu']*100:.1f} %, on without the closer look {whole['cpu']*100:.1f} %, "
      f"on {on['cpu']*100:.1f} % (+{(on['cpu'] - off['cpu'])*1000/n:.1f} ms of CPU per camera-second over the classical path, "
      f"{on['cpu']/off['cpu']:.2f}× it; the closer look +{(on['cpu'] - whole['cpu'])*1000/n:.1f}); "
      f"machine idle {off['idle']*100:.0f} % / {whole['idle']*100:.0f} % / {on['idle']*100:.0f} %")
PY
