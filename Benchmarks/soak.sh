#!/usr/bin/env bash
# Memory soak (issue 6): one `retina worker` serving N 720p cameras (the capacity clip, looped in
# real time) for DURATION seconds; RSS sampled every 30 s from /proc. Prints the samples, RSS per
# camera, and the slope of RSS after the first 5 minutes (least squares, MiB per hour), which must
# stay near zero. CAMERAS (default 4), DURATION (default 1800).
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/worker-bench.sh
work=${WORK:-.build/bench}
n=${CAMERAS:-4} duration=${DURATION:-1800} every=${EVERY:-30}
flags=(-c release ${SCRATCH:+--scratch-path "$SCRATCH"})
swift build "${flags[@]}" --product retina >&2
retina=$(swift build "${flags[@]}" --show-bin-path)/retina
clip=$(Benchmarks/camera-clip.sh "$work")
cfg="$work/soak.yaml" db="$work/soak.db"
rm -f "$db"*
camera_config "$cfg" "$n" "$PWD/$clip" "$db" "pace: true"
"$retina" worker --config "$cfg" --group bench --evidence "$work/soak-ev" --duration "$duration" --log-level error &
pid=$!
samples="$work/soak-rss.tsv"
: >"$samples"
start=$(date +%s)
# The first sample after one interval: at 0 s the process has only just been started (a few kB).
while sleep "$every"; kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [[ -n $rss ]] && printf '%d\t%d\n' $(( $(date +%s) - start )) "$rss" | tee -a "$samples"
done
wait "$pid" || true
python3 - "$samples" "$n" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
n = int(sys.argv[2])
def fit(points):  # least-squares slope, MiB per hour
    mt = sum(t for t, _ in points) / len(points); mr = sum(r for _, r in points) / len(points)
    var = sum((t - mt) ** 2 for t, _ in points)
    return sum((t - mt) * (r - mr) for t, r in points) / var * 3600 if var else 0.0
late = [(t, kb / 1024) for t, kb in rows if t >= 300] or [(t, kb / 1024) for t, kb in rows]
slope = fit(late)
half = [(t, kb / 1024) for t, kb in rows if t >= rows[-1][0] / 2]
print(f"soak: {n} cameras, {rows[-1][0]} s, RSS first {rows[0][1]/1024:.0f} MiB, after 5 min {late[0][1]:.0f} MiB, "
      f"last {rows[-1][1]/1024:.0f} MiB ({rows[-1][1]/1024/n:.1f} MiB/camera); slope after 5 min {slope:+.1f} MiB/h, "
      f"over the second half {fit(half):+.1f} MiB/h")
PY
