# Shared by the worker benchmarks (capacity.sh, rtsp-burst.sh); sourced, not run.

# camera_config FILE N URL DB DEFAULTS [DETECT SCALE LEVELS]: a one-group config of N copies of
# camera URL, each with a forbidden lawn across the PETS walkway (people crossing it open intrusion
# events, for the latency) and the clip's perspective, in 720p pixels times SCALE (the analysed
# stream's: with DETECT, the substream's). LEVELS=1 adds a whole-picture zone with count levels
# at 4, 6, 8 and 10 people, which the PETS walkers cross now and then: crowd events all through a
# run, not only the intrusions and running that open in its first seconds.
camera_config() {
  local file=$1 n=$2 url=$3 db=$4 defaults=$5 detect=${6:-} scale=${7:-1} levels=${8:-0}
  local s
  s() { awk -v v="$1" -v k="$scale" 'BEGIN {printf "%d", v * k}'; }
  {
    echo "store: sqlite:$db"
    echo "defaults: {analysis: {fps: 5, width: 384}, $defaults}"
    echo "groups: [{id: bench}]"
    echo "cameras:"
    for i in $(seq 1 "$n"); do
      echo "  - {id: cam-$i, url: \"$url\", group: bench,${detect:+ detect: \"$detect\",}"
      echo "     zones: [{id: lawn, kind: forbidden, polygon: [[$(s 300), $(s 250)], [$(s 1000), $(s 250)], [$(s 1000), $(s 600)], [$(s 300), $(s 600)]]}$(
        [[ $levels == 1 ]] && echo ", {id: all, polygon: [[0, 0], [$(s 1280), 0], [$(s 1280), $(s 720)], [0, $(s 720)]], countThresholds: {blue: 4, yellow: 6, orange: 8, red: 10}}")],"
      echo "     perspective: [{footY: $(s 200), heightPx: $(s 70)}, {footY: $(s 700), heightPx: $(s 190)}]}"
    done
  } >"$file"
}

# sample PREFIX PID PORT: the worker's counters (a scrape brings them up to that moment), with the
# clock, the worker's user+system CPU ticks, its RSS, and the machine's CPU line (idle and stolen
# time say whether the machine was the limit). Benchmarks/lib/window.py reads two of these.
# timeline PORT OUT: every second until killed, the seconds since it started and the worker's
# skipped passes, density passes and undeblocked frames summed over its cameras (when skips happen).
timeline() {
  local t0; t0=$(date +%s.%N)
  while true; do
    curl -sf --max-time 1 "http://127.0.0.1:$1/metrics" 2>/dev/null | awk -v t="$(date +%s.%N)" -v t0="$t0" '
      /^retina_camera_inferences_skipped_total/ {s += $NF} /^retina_camera_density_passes_total/ {d += $NF}
      /^retina_camera_frames_undeblocked_total/ {u += $NF}
      END {if (NR) printf "%.1f %d %d %d\n", t - t0, s, d, u}' >>"$2" || true
    sleep 1
  done
}

sample() {
  curl -sf "http://127.0.0.1:$3/metrics" >"$1"
  date +%s.%N >"$1.t"
  awk '{print $14 + $15}' "/proc/$2/stat" >"$1.cpu"
  awk '/VmRSS/ {print $2}' "/proc/$2/status" >"$1.rss"
  head -1 /proc/stat >"$1.stat"
  python3 "$(dirname "${BASH_SOURCE[0]}")/threads.py" "$2" >"$1.threads" || true
}
