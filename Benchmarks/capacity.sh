#!/usr/bin/env bash
# Capacity (issue 6): how many 720p H.264 cameras (2 Mbit/s, no B-frames, 25 fps: what IP cameras
# send) one machine sustains with 5 fps analysis, against the decode-only rate of `ffmpeg -f null`
# on the same stream, measured in the same run. Each camera plays the real PETS 2009 clip scaled to
# 720p in real time (`pace: true`) inside one `retina worker`; a count N passes when, over the
# measured window, every camera decodes ≥ 24.5 fps (98 % of real time), analyses ≥ 4.5 fps, and its
# dropped-frame count does not grow. The rates are frame totals over the window from the worker's
# Prometheus counters (scraped at both ends), not the 2-s fps gauges, which 200-ms decode bursts
# quantise by ±10 %. Also prints RSS per camera (/usr/bin/time -v) and event latency (publish − frame time),
# and, per count, the CPU of as many real-time ffmpeg decodes side by side (decoding alone at that count).
# Skipped passes are also printed by when they came (a 1 s scrape of the worker's counters,
# .build/bench/capacity-N.timeline: seconds, skips, density passes, undeblocked frames).
#   Benchmarks/capacity.sh                 # CAMERAS="16 20 24 28", WINDOW=60 s after 20 s warm-up
#   THREADS=0 Benchmarks/capacity.sh       # decoderThreads per camera (default 1; 0: one per core)
#   BURST=400ms Benchmarks/capacity.sh     # decodeBurst (default 200ms, as shipped)
#   DEBLOCK=always Benchmarks/capacity.sh  # deblock (default auto, as shipped: shed while a camera runs late)
#   DUAL=1 CAMERAS="48 64" Benchmarks/capacity.sh   # two streams per camera (issue 20): the 1080p 4 Mbit/s
#     main stream read into the ring only, the 640×360 substream decoded and analysed with people
#     detection (1/s on motion) and density; ffmpeg's reference decodes the substream. A count also
#     needs every camera's main stream read in real time (≥ 24.5 frames/s) and ≥ 0.95 people passes a second
#     on its schedule (the extras on spare CPU, follow-ups and spare passes, not counted; SPARE=5:
#     spare passes on, perception.spareRate).
#     Each camera also has count levels on its whole picture (LEVELS=0: not), so that crowd events
#     open all through the run: the latency is given for every event and for those of the measured
#     window apart (steady state, without the first seconds of every camera starting).
#   DUAL=1 DENSITY=2s CAMERAS=32 Benchmarks/capacity.sh   # and the density model every 2 s on every
#     camera (this sparse scene runs it every 30 s otherwise, as a check); DENSITY_SCALE=picture feeds
#     it the substream at its own size instead of the main stream's (perception.densityScale)
#   DUAL=1 DENSE=1 CAMERAS=64 Benchmarks/capacity.sh   # every camera's zone dense (denseFrom: 1), as on a
#     node of crowd cameras: density every 2 s by the model until the camera has learned to scale its
#     people passes' own density, then from every pass, the model every 30 s (perception.passDensity;
#     PASS_DENSITY=off: the model every 2 s, as before). A count then also needs density at least every
#     2 s on every camera (model passes + pass densities ≥ 0.5 a second).
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/worker-bench.sh
work=${WORK:-.build/bench}
mkdir -p "$work"
counts=${CAMERAS:-16 20 24 28} warm=${WARM:-20} window=${WINDOW:-60} port=${METRICS_PORT:-19187}
# SCRATCH=.build-bench keeps this release build apart from a debug build in progress.
flags=(-c release ${SCRATCH:+--scratch-path "$SCRATCH"})
# RETINA=path runs that binary instead (Benchmarks/ab.sh: another checkout's).
if [ -n "${RETINA:-}" ]; then retina=$RETINA; else
  swift build "${flags[@]}" --product retina >&2
  retina=$(swift build "${flags[@]}" --show-bin-path)/retina
fi
dual=${DUAL:-0}
if [[ $dual == 1 ]]; then
  clip=$(Benchmarks/camera-clip.sh "$work" sub)   # the stream decoded: the reference decodes it too
  main=$(Benchmarks/camera-clip.sh "$work" main)
else
  clip=$(Benchmarks/camera-clip.sh "$work")
fi
frames=$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$clip")

# The reference: ffmpeg decoding the same stream, every frame: one process with one thread and
# with two, and one single-threaded process per core side by side (what N cameras on this machine
# amount to: the decode-only bound).
for t in 1 2; do
  read -r s u k < <( { /usr/bin/time -f "%e %U %S" ffmpeg -hide_banner -loglevel error -threads $t -i "$clip" -f null - ; } 2>&1 | tail -1)
  awk -v f="$frames" -v s="$s" -v u="$u" -v k="$k" -v t="$t" 'BEGIN {printf "ffmpeg -f null, 1 process, %d thread(s): %.0f frames/s = %.1f cameras at 25 fps; CPU %.4f s per camera-second\n", t, f/s, f/s/25, (u+k)/(f/25)}'
  [[ $t == 1 ]] && ffcpu=$(awk -v f="$frames" -v u="$u" -v k="$k" 'BEGIN {print (u+k)/(f/25)}')
done
cores=$(nproc)
s=$( { /usr/bin/time -f %e bash -c "for i in \$(seq $cores); do ffmpeg -hide_banner -loglevel error -threads 1 -i '$clip' -f null - & done; wait"; } 2>&1 | tail -1)
awk -v f="$frames" -v s="$s" -v c="$cores" 'BEGIN {printf "ffmpeg -f null, %d single-thread processes at once: %.0f frames/s = %.1f cameras at 25 fps (decode-only bound)\n", c, c*f/s, c*f/s/25}'

for n in $counts; do
  # The same count of cameras decoded by ffmpeg alone, each in real time (-re), for 30 s: decoding
  # two dozen streams side by side costs more per frame than one stream flat out (cold caches).
  # Each decodes 30 s of stream: a wall time beyond that means ffmpeg alone fell behind real time.
  read -r e u k < <( { /usr/bin/time -f "%e %U %S" bash -c "for i in \$(seq $n); do ffmpeg -hide_banner -loglevel error -re -threads 1 -t 30 -i '$clip' -f null - & done; wait"; } 2>&1 | tail -1)
  paced=$(awk -v n="$n" -v u="$u" -v k="$k" 'BEGIN {print (u+k)/(n*30)}')
  echo "ffmpeg -f null -re, $n processes at once: CPU $paced s per camera-second, 30 s of stream in $e s"
  cfg="$work/capacity-$n.yaml" db="$work/capacity-$n.db"
  # A run's clips and snapshots (1080p main streams: a couple of GB at 64 cameras) go with the next run's.
  rm -f "$db"*; rm -rf "$work/capacity-ev"
  defaults="pace: true, decoderThreads: ${THREADS:-1}, decodeBurst: ${BURST:-200ms}, deblock: ${DEBLOCK:-auto}"
  # DENSITY=2s: the density model on every camera every 2 s, as on a node whose every camera watches a dense crowd.
  # DENSITY_SCALE=picture: a substream fed to the density model at its own size, not the main stream's.
  perception=()
  [ -n "${DENSITY:-}" ] && perception+=("densityCheckEvery: $DENSITY")
  [ -n "${DENSITY_SCALE:-}" ] && perception+=("densityScale: $DENSITY_SCALE")
  [ "${DENSE:-0}" = 1 ] && perception+=("denseFrom: 1")
  [ -n "${PASS_DENSITY:-}" ] && perception+=("passDensity: $PASS_DENSITY")
  # LOOK_CLOSER=off: the people passes on the whole picture alone (perception.lookCloser).
  [ -n "${LOOK_CLOSER:-}" ] && perception+=("lookCloser: $LOOK_CLOSER")
  # SPARE=5: spare passes on a moving picture while the node has CPU to spare (perception.spareRate).
  [ -n "${SPARE:-}" ] && perception+=("spareRate: $SPARE")
  [ ${#perception[@]} -gt 0 ] && defaults="$defaults, perception: {$(IFS=,; echo "${perception[*]}")}"
  if [[ $dual == 1 ]]; then camera_config "$cfg" "$n" "$PWD/$main" "$db" "$defaults" "$PWD/$clip" 0.5 "${LEVELS:-1}"
  else camera_config "$cfg" "$n" "$PWD/$clip" "$db" "$defaults"; fi
  /usr/bin/time -v -o "$work/capacity-$n.time" "$retina" worker --config "$cfg" --group bench \
    --evidence "$work/capacity-ev" --duration $((warm + window + 3)) --log-level error \
    --metrics-port "$port" &
  pid=$!
  # The worker, under /usr/bin/time (it may take a moment to start on a busy machine).
  wpid=; for _ in $(seq 50); do sleep 0.2; wpid=$(pgrep -P "$pid" || true); [ -n "$wpid" ] && break; done
  [ -n "$wpid" ] || { echo "capacity: the worker did not start (see $work/capacity-$n.time)" >&2; exit 1; }
  : >"$work/capacity-$n.timeline"; timeline "$port" "$work/capacity-$n.timeline" & tl=$!
  sleep "$warm"; sample "$work/capacity-$n-a.prom" "$wpid" "$port"
  sleep "$window"; sample "$work/capacity-$n-b.prom" "$wpid" "$port"
  wait "$pid"
  kill "$tl" 2>/dev/null || true
  # When passes were skipped (each skip sheds deblocking for 10 s): seconds after the worker started.
  awk '$2 > s {printf "%s%.0f s: %d", (n++ ? ", " : "  skipped passes by time after start: "), $1, $2 - s} {s = $2} END {print n ? "" : "  skipped passes by time after start: none"}' "$work/capacity-$n.timeline"
  PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=Benchmarks/lib python3 - "$n" "$work/capacity-$n-a.prom" "$work/capacity-$n-b.prom" "$work/capacity-$n.time" "$db" "$ffcpu" "$paced" "$dual" "${DENSE:-0}" <<'PY'
import re, sqlite3, sys
from window import window
n, a, b, timef, db, ffcpu, paced, dual = int(sys.argv[1]), *sys.argv[2:6], float(sys.argv[6]), float(sys.argv[7]), sys.argv[8] == "1"
dense = sys.argv[9] == "1"
w = window(a, b)
dec, ana, grew, worker_cpu = w["decoded"], w["analysed"], w["drops_grew"], w["cpu"]
text = open(timef).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
cpu = re.search(r"Percent of CPU this job got: (\d+)%", text).group(1)
secs = float(re.search(r"User time \(seconds\): ([\d.]+)", text).group(1)) + float(re.search(r"System time \(seconds\): ([\d.]+)", text).group(1))
m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", text)
wall = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
per_camera = secs / (n * wall)  # CPU seconds per camera-second, start-up included
con = sqlite3.connect(db)
rows = con.execute("SELECT occurred_at, (published_at - occurred_at) * 1000 FROM events WHERE producer = 'retina'").fetchall()
lat = sorted(r[1] for r in rows)
t0, t1 = float(open(a + ".t").read()), float(open(b + ".t").read())
steady = sorted(r[1] for r in rows if t0 <= r[0] <= t1)
def pct(p, xs=lat):
    return xs[min(len(xs) - 1, int(round((len(xs) - 1) * p)))] if xs else float("nan")
ok = w["cameras"] == n and min(dec) >= 24.5 and min(ana) >= 4.5 and not grew
if dual:
    # The schedule's passes, what a full node owes every camera: the extras on spare CPU (follow-ups,
    # spare passes) may not make up for a camera's missed ones.
    scheduled = [p - f - s for p, f, s in zip(w["passes"], w["follow_ups"], w["spares"])]
    ok = ok and min(w["main"]) >= 24.5 and min(scheduled) >= 0.95
    densities = [d + p for d, p in zip(w["density"], w["pass_density"])]
    if dense:
        ok = ok and min(densities) >= 0.5
        print(f"  dense: density a second per camera min {min(densities):.2f} (mean {sum(densities)/n:.2f}): the model's {sum(w['density'])/n:.3f}, the passes' own {sum(w['pass_density'])/n:.2f}")
    print(f"  two streams: main stream frames/s min {min(w['main']):.2f}; people passes/s min {min(w['passes']):.2f} (mean {sum(w['passes'])/n:.2f}), "
          f"of which looked closer {sum(w['closer'])/max(1e-9, sum(w['passes'])):.0%}, follow-ups {sum(w['follow_ups'])/max(1e-9, sum(w['passes'])):.0%} "
          f"and spare {sum(w['spares'])/max(1e-9, sum(w['passes'])):.0%}; the schedule's passes/s min {min(scheduled):.2f}, "
          f"density passes/s mean {sum(w['density'])/n:.3f}, skipped passes/s mean {sum(w['skipped'])/n:.2f}, "
          f"wait for the inference thread {1000*sum(w['wait'])/max(1e-9, sum(w['passes'])+sum(w['density'])):.0f} ms per pass")
print(f"{n} cameras: {'PASS' if ok else 'FAIL'}; over {w['seconds']:.1f} s decoded fps min {min(dec):.2f} (mean {sum(dec)/len(dec):.2f}), analysed fps min {min(ana):.2f}, "
      f"cameras whose drops grew over {w['seconds']:.0f} s: {len(grew)}; frames decoded without deblocking {w['undeblocked'] / max(1, sum(dec) * w['seconds']) * 100:.1f}%; worker CPU over the window {worker_cpu*100:.0f}% (machine idle {w['idle']*100:.1f}%, stolen {w['stolen']*100:.1f}%), {worker_cpu/n:.4f} s per camera-second = {worker_cpu/n/ffcpu:.2f}× ffmpeg's decode of one stream, {worker_cpu/n/paced:.2f}× {n} paced ffmpeg decodes; whole run (start-up included) CPU {cpu}%, {per_camera:.4f} s per camera-second; max RSS {rss/1024:.0f} MiB ({rss/1024/n:.1f} MiB/camera); "
      f"events {len(lat)}, latency p50 {pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms; "
      + (f"in the window {len(steady)}, latency p50 {pct(0.5, steady):.0f} ms, p99 {pct(0.99, steady):.0f} ms" if steady else "none in the window"))
if w["threads"]:
    print("  cores by thread role: " + ", ".join(f"{k} {v:.2f}" for k, v in w["threads"].items()))
PY
done
