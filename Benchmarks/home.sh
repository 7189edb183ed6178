#!/usr/bin/env bash
# Home cameras (issue 19): a `retina worker` with kind: home cameras on GMDCSA24's real clips
# (../shared/data/falls-gmdcsa24).
#  1. Every clip as a camera of its own, once, in real time: the events it raises, and for a fall
#     how long after the person landed on the floor the alarm was in the queue (landed: our label,
#     Benchmarks/datasets/falls-gmdcsa24/landed.csv; the alarm frame's place in the clip from the
#     worker's log), how long after the detector saw the body come down (publishedAt −
#     payload.downSince) and how long after its frame (publishedAt − occurredAt).
#  2. Cost while someone is in view: CAMERAS home cameras (default 4), each a fall clip looped to 60 s
#     of continuous stream (someone always in view), for WINDOW s: the worker's CPU per camera, as a
#     share of a core, against as many real-time `ffmpeg -f null` decodes of the same streams in the same run.
#   Benchmarks/home.sh
#   CAMERAS=6 WINDOW=40 Benchmarks/home.sh
set -euo pipefail
cd "$(dirname "$0")/.."
data=${DATA:-$(cd .. && pwd)/shared/data/falls-gmdcsa24}
[ -f "$data/labels.csv" ] || { echo "needs $data (GMDCSA24, ../shared/data)" >&2; exit 1; }
work=${WORK:-.build/bench-home}
rm -rf "$work"; mkdir -p "$work"
flags=(-c release ${SCRATCH:+--scratch-path "$SCRATCH"})
if [ -n "${RETINA:-}" ]; then retina=$RETINA; else
  swift build "${flags[@]}" --product retina >&2
  retina=$(swift build "${flags[@]}" --show-bin-path)/retina
fi
n=${CAMERAS:-4} window=${WINDOW:-40}

echo "== 1. each clip once, as a home camera"
landed=Benchmarks/datasets/falls-gmdcsa24/landed.csv
printf "%-24s %-5s %-16s %-14s %-12s %s\n" clip label event "landed→queue" "down→queue" "frame→queue"
tail -n +2 "$data/labels.csv" | cut -d, -f1,2 | while IFS=, read -r clip label; do
  cfg="$work/one.yaml" db="$work/one.db"
  rm -f "$db"*
  printf 'store: sqlite:%s\ndefaults: {backoff: [600s]}\ncameras:\n  - {id: home, kind: home, url: "%s", home: {subject: resident-1}}\n' "$db" "$data/$clip" >"$cfg"
  length=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$data/$clip")
  "$retina" worker --config "$cfg" --group default --evidence "$work/ev" --duration "$(awk -v l="$length" 'BEGIN {printf "%d", l + 4}')" \
    --log-level warning 2>"$work/one.log" || { cat "$work/one.log" >&2; exit 1; }
  grep -E " (error|critical) " "$work/one.log" >&2 || true  # what --log-level error used to show
  python3 - "$db" "$clip" "$label" "$work/one.log" "$landed" <<'PY'
import csv, json, re, sqlite3, sys
from datetime import datetime
db, clip, label, log, landed = sys.argv[1:]
def t(s): return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
# The worker logs each home event with its frame's place in the stream (the clip's own clock).
at = {m[0].lower(): float(m[1]) for m in re.findall(r"event=(\S+) .* at ([0-9.]+) s of the stream", open(log).read())}
land = {r["clip"]: float(r["landed_s"]) for r in csv.DictReader(open(landed))}
rows = [json.loads(r[0]) for r in sqlite3.connect(db).execute("SELECT doc FROM events WHERE type LIKE 'fall.%' ORDER BY rowid")]
if not rows: print(f"{clip:<24} {label:<5} {'-':<16}")
for e in rows:
    p = e["payload"]
    queue = t(e["publishedAt"]) - t(e["occurredAt"])
    down = f"{t(e['publishedAt']) - t(p['downSince']):.2f} s" if "downSince" in p else "-"
    after = f"{at[e['id'].lower()] + queue - land[clip]:.2f} s" if e["id"].lower() in at and clip in land else "-"
    print(f"{clip:<24} {label:<5} {e['type'] + '/' + p.get('cause', p.get('detectorEvent', '')):<16} {after:<14} {down:<12} {queue:.2f} s")
PY
done

echo "== 2. cost: $n home cameras with someone in view, ${window} s"
clips=$(tail -n +2 "$data/labels.csv" | awk -F, '$2 == "fall" {print $1}' | head -n "$n")
i=0; cfg="$work/cost.yaml"
{ echo "store: sqlite:$work/cost.db"; echo "cameras:"; } >"$cfg"
for clip in $clips; do
  i=$((i + 1))
  # One continuous stream of the clip repeated (the person falls, is up again at the cut, falls again).
  ffmpeg -hide_banner -loglevel error -y -stream_loop 20 -i "$data/$clip" -t 70 -c copy "$work/loop-$i.mp4"
  echo "  - {id: home-$i, kind: home, url: \"$PWD/$work/loop-$i.mp4\", home: {subject: resident-$i}}" >>"$cfg"
done
read -r e u k < <( { /usr/bin/time -f "%e %U %S" bash -c "for f in $work/loop-*.mp4; do ffmpeg -hide_banner -loglevel error -re -threads 1 -t $window -i \$f -f null - & done; wait"; } 2>&1 | tail -1)
ref=$(awk -v n="$n" -v w="$window" -v u="$u" -v k="$k" 'BEGIN {print (u+k)/(n*w)}')
/usr/bin/time -f "%e %U %S %M" -o "$work/cost.time" "$retina" worker --config "$cfg" --group default --evidence "$work/ev" \
  --duration "$window" --log-level error
read -r e u k m <"$work/cost.time"
awk -v n="$n" -v w="$window" -v u="$u" -v k="$k" -v m="$m" -v ref="$ref" 'BEGIN {
  c = (u+k)/(n*w)
  printf "ffmpeg -re -f null, %d streams: %.1f %% of a core per camera (decoding alone)\n", n, 100*ref
  printf "retina worker, %d home cameras: %.1f %% of a core per camera (%.1f× the decode), max RSS %.0f MiB\n", n, 100*c, c/ref, m/1024
}'
"$retina" status --store "sqlite:$work/cost.db" 2>/dev/null | head -n $((n + 2)) || true
