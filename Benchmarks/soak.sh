#!/usr/bin/env bash
# Memory soak (issue 6): one `retina worker` serving N 720p cameras (the capacity clip, looped in
# real time) for DURATION seconds; RSS sampled every 30 s from /proc. Prints the samples, RSS per
# camera, and the slope of RSS after the first 5 minutes (least squares, MiB per hour), which must
# stay near zero. CAMERAS (default 4), DURATION (default 1800).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-.build/bench}
n=${CAMERAS:-4} duration=${DURATION:-1800} every=${EVERY:-30}
flags=(-c release ${SCRATCH:+--scratch-path "$SCRATCH"})
swift build "${flags[@]}" --product retina >&2
retina=$(swift build "${flags[@]}" --show-bin-path)/retina
clip="$work/camera-720p-2M.mp4"
[ -s "$clip" ] || CAMERAS=1 WARM=1 WINDOW=1 Benchmarks/capacity.sh >/dev/null   # makes the clip
cfg="$work/soak.yaml" db="$work/soak.db"
rm -f "$db"*
{
  echo "store: sqlite:$db"
  echo "defaults: {analysis: {fps: 5, width: 384}, pace: true}"
  echo "groups: [{id: soak}]"
  echo "cameras:"
  for i in $(seq 1 "$n"); do
    echo "  - {id: cam-$i, url: \"$PWD/$clip\", group: soak,"
    echo "     zones: [{id: lawn, kind: forbidden, polygon: [[300, 250], [1000, 250], [1000, 600], [300, 600]]}],"
    echo "     perspective: [{footY: 200, heightPx: 70}, {footY: 700, heightPx: 190}]}"
  done
} >"$cfg"
"$retina" worker --config "$cfg" --group soak --evidence "$work/soak-ev" --duration "$duration" --log-level error &
pid=$!
samples="$work/soak-rss.tsv"
: >"$samples"
start=$(date +%s)
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [[ -n $rss ]] && printf '%d\t%d\n' $(( $(date +%s) - start )) "$rss" | tee -a "$samples"
  sleep "$every"
done
wait "$pid" || true
python3 - "$samples" "$n" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
n = int(sys.argv[2])
late = [(t, kb / 1024) for t, kb in rows if t >= 300] or [(t, kb / 1024) for t, kb in rows]
mt = sum(t for t, _ in late) / len(late); mr = sum(r for _, r in late) / len(late)
var = sum((t - mt) ** 2 for t, _ in late)
slope = sum((t - mt) * (r - mr) for t, r in late) / var * 3600 if var else 0.0
def fit(points):
    mt = sum(t for t, _ in points) / len(points); mr = sum(r for _, r in points) / len(points)
    var = sum((t - mt) ** 2 for t, _ in points)
    return sum((t - mt) * (r - mr) for t, r in points) / var * 3600 if var else 0.0
half = [(t, kb / 1024) for t, kb in rows if t >= rows[-1][0] / 2]
print(f"soak: {n} cameras, {rows[-1][0]} s, RSS first {rows[0][1]/1024:.0f} MiB, after 5 min {late[0][1]:.0f} MiB, "
      f"last {rows[-1][1]/1024:.0f} MiB ({rows[-1][1]/1024/n:.1f} MiB/camera); slope after 5 min {slope:+.1f} MiB/h, "
      f"over the second half {fit(half):+.1f} MiB/h")
PY
