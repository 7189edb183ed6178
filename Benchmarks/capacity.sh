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
#   Benchmarks/capacity.sh                 # CAMERAS="16 20 24 28", WINDOW=60 s after 20 s warm-up
#   THREADS=0 Benchmarks/capacity.sh       # decoderThreads per camera (default 1; 0: one per core)
#   BURST=400ms Benchmarks/capacity.sh     # decodeBurst (default 200ms, as shipped)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-.build/bench}
mkdir -p "$work"
counts=${CAMERAS:-16 20 24 28} warm=${WARM:-20} window=${WINDOW:-60} port=${METRICS_PORT:-19187}
# SCRATCH=.build-bench keeps this release build apart from a debug build in progress.
flags=(-c release ${SCRATCH:+--scratch-path "$SCRATCH"})
swift build "${flags[@]}" --product retina >&2
retina=$(swift build "${flags[@]}" --show-bin-path)/retina
clip=$(Benchmarks/camera-clip.sh "$work")
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
  rm -f "$db"*
  {
    echo "store: sqlite:$db"
    echo "defaults: {analysis: {fps: 5, width: 384}, pace: true, decoderThreads: ${THREADS:-1}, decodeBurst: ${BURST:-200ms}}"
    echo "groups: [{id: bench}]"
    echo "cameras:"
    # A forbidden lawn across the walkway: people crossing it open intrusion events, for the latency.
    for i in $(seq 1 "$n"); do
      echo "  - {id: cam-$i, url: \"$PWD/$clip\", group: bench,"
      echo "     zones: [{id: lawn, kind: forbidden, polygon: [[300, 250], [1000, 250], [1000, 600], [300, 600]]}],"
      echo "     perspective: [{footY: 200, heightPx: 70}, {footY: 700, heightPx: 190}]}"
    done
  } >"$cfg"
  /usr/bin/time -v -o "$work/capacity-$n.time" "$retina" worker --config "$cfg" --group bench \
    --evidence "$work/capacity-ev" --duration $((warm + window + 3)) --log-level error \
    --metrics-port "$port" &
  pid=$!
  sleep 1; wpid=$(pgrep -P "$pid" -x retina)
  # A scrape brings the counters up to that moment; with it go the clock, the worker's CPU ticks
  # and the machine's (/proc/stat: idle and stolen time say whether the machine was the limit).
  scrape() {
    curl -sf "http://127.0.0.1:$port/metrics" >"$1"; date +%s.%N >"$1.t"
    awk '{print $14 + $15}' "/proc/$wpid/stat" >"$1.cpu"; head -1 /proc/stat >"$1.stat"
  }
  sleep "$warm"; scrape "$work/capacity-$n-a.prom"
  sleep "$window"; scrape "$work/capacity-$n-b.prom"
  wait "$pid"
  python3 - "$n" "$work/capacity-$n-a.prom" "$work/capacity-$n-b.prom" "$work/capacity-$n.time" "$db" "$ffcpu" "$paced" "$(getconf CLK_TCK)" <<'PY'
import re, sqlite3, sys
n, a, b, timef, db, ffcpu, paced, tck = int(sys.argv[1]), *sys.argv[2:6], float(sys.argv[6]), float(sys.argv[7]), int(sys.argv[8])
def scrape(path):
    series = {}
    for line in open(path):
        m = re.match(r'(retina_camera_\w+)\{[^}]*camera="([^"]+)"[^}]*\} (\S+)', line)
        if m: series.setdefault(m.group(2), {})[m.group(1)] = float(m.group(3))
    machine = [int(x) for x in open(path + ".stat").read().split()[1:]]
    return series, float(open(path + ".t").read()), int(open(path + ".cpu").read()) / tck, machine
(first, t0, c0, m0), (last, t1, c1, m1) = scrape(a), scrape(b)
window = t1 - t0
worker_cpu = (c1 - c0) / window  # cores, over the window only
dm = [y - x for x, y in zip(m0, m1)]
idle, steal = (dm[3] + dm[4]) / sum(dm), (dm[7] if len(dm) > 7 else 0) / sum(dm)
rate = lambda k, name: (last[k][name] - first.get(k, {}).get(name, 0)) / window
dec = [rate(k, "retina_camera_frames_decoded_total") for k in last]
ana = [rate(k, "retina_camera_frames_analysed_total") for k in last]
grew = [k for k in last if rate(k, "retina_camera_dropped_frames_total") > 0]
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(timef).read()).group(1))
text = open(timef).read()
cpu = re.search(r"Percent of CPU this job got: (\d+)%", text).group(1)
secs = float(re.search(r"User time \(seconds\): ([\d.]+)", text).group(1)) + float(re.search(r"System time \(seconds\): ([\d.]+)", text).group(1))
m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", text)
wall = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
per_camera = secs / (n * wall)  # CPU seconds per camera-second, start-up included
con = sqlite3.connect(db)
lat = sorted(r[0] for r in con.execute("SELECT (published_at - occurred_at) * 1000 FROM events WHERE producer = 'retina'"))
pct = lambda p: lat[min(len(lat) - 1, int(round((len(lat) - 1) * p)))] if lat else float("nan")
ok = len(last) == n and min(dec) >= 24.5 and min(ana) >= 4.5 and not grew
print(f"{n} cameras: {'PASS' if ok else 'FAIL'}; over {window:.1f} s decoded fps min {min(dec):.2f} (mean {sum(dec)/len(dec):.2f}), analysed fps min {min(ana):.2f}, "
      f"cameras whose drops grew over {window:.0f} s: {len(grew)}; worker CPU over the window {worker_cpu*100:.0f}% (machine idle {idle*100:.1f}%, stolen {steal*100:.1f}%), {worker_cpu/n:.4f} s per camera-second = {worker_cpu/n/ffcpu:.2f}× ffmpeg's decode of one stream, {worker_cpu/n/paced:.2f}× {n} paced ffmpeg decodes; whole run (start-up included) CPU {cpu}%, {per_camera:.4f} s per camera-second; max RSS {rss/1024:.0f} MiB ({rss/1024/n:.1f} MiB/camera); "
      f"events {len(lat)}, latency p50 {pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms")
PY
done
