#!/usr/bin/env bash
# Retina's detectors against the OpenCV peer baseline (HOG people detector for counting, mean
# Farneback flow magnitude as the running score) on every evaluation dataset, in the same run.
#
#   Benchmarks/detectors.sh            # needs ../shared/data (run ../shared/data/get.sh once)
#
# Both are scored on the same frames: the baseline gets exactly the counts.csv frames Retina
# scored (Retina reports no count during its 3 s background warm-up). One thread each.
set -euo pipefail
cd "$(dirname "$0")/.."
Benchmarks/datasets/build.sh >&2
# RETINA=path runs that binary instead (Benchmarks/ab.sh: another checkout's); SCRATCH as capacity.sh.
if [ -n "${RETINA:-}" ]; then retina=$RETINA; else
  flags=(-c release ${SCRATCH:+--scratch-path "$SCRATCH"})
  swift build "${flags[@]}" --product retina >&2
  retina=$(swift build "${flags[@]}" --show-bin-path)/retina
fi
work=.build/bench/detectors
mkdir -p "$work"
for name in pets2009-s2l1 concourse pets-running concourse-running; do
  ds=.build/datasets/$name
  echo "[$name] retina eval" >&2
  "$retina" eval --json --per-frame "$ds" 2>/dev/null > "$work/$name.retina.json"
  # The baseline's copy of the dataset: the same video and scene, the frames Retina scored.
  copy=$work/$name.dataset
  rm -rf "$copy" && mkdir -p "$copy"
  ln -s "$(readlink -f "$ds/video.mp4")" "$copy/video.mp4"
  cp "$ds/scene.yaml" "$copy/"
  [ -f "$ds/anomalies.csv" ] && cp "$ds/anomalies.csv" "$copy/"
  python3 - "$work/$name.retina.json" "$copy/counts.csv" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
frames = r.get("crowd", {}).get("perFrame") or []
if frames:
    with open(sys.argv[2], "w") as f:
        f.write("frame,count\n" + "".join(f"{x['frame']},{x['truth']:g}\n" for x in frames))
PY
  echo "[$name] OpenCV baseline" >&2
  Benchmarks/baseline/run.sh "$copy" --json --threads 1 2>/dev/null > "$work/$name.opencv.json"
done
python3 - "$work" <<'PY'
import json, sys, os
work = sys.argv[1]
print("| dataset | frames | Retina MAE | Retina MAPE | HOG MAE | HOG MAPE | Retina AUC | Farneback AUC | Retina events (false) | Farneback events (false) | Retina ms/frame | Farneback ms/frame | HOG ms/frame |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for name in ["pets2009-s2l1", "concourse", "pets-running", "concourse-running"]:
    r = json.load(open(f"{work}/{name}.retina.json")); o = json.load(open(f"{work}/{name}.opencv.json"))
    rc, oc, ra, oa = r.get("crowd"), o.get("crowd"), r.get("anomaly"), o.get("anomaly")
    f = lambda v, fmt: "–" if v is None else fmt.format(v)
    auc = lambda a: "–" if not a or a.get("auc") is None else f"{a['auc']:.4f}"
    ev = lambda a: "–" if not a else f"{len(a['events'])} ({a['falseAlarms']})"
    print(f"| {name} | {rc['frames'] if rc else '–'} | {f(rc and rc['mae'], '{:.2f}')} | {f(rc and rc['mape'], '{:.1f} %')} "
          f"| {f(oc and oc['mae'], '{:.2f}')} | {f(oc and oc['mape'], '{:.1f} %')} | {auc(ra)} | {auc(oa)} | {ev(ra)} | {ev(oa)} "
          f"| {r['detectorMsPerFrame']:.2f} | {f(oa and oa['msPerFrame'], '{:.1f}')} | {f(oc and oc['msPerFrame'], '{:.0f}')} |")
PY

# Counting on cameras and pictures with no labelled frame of their own: today's generic model (no
# calibration fit), the learned detector alone (whole picture, and 2x2 tiles), the density model
# alone, and both fused. ShanghaiTech is scored k-fold: each fold's pictures by the density model
# trained without them (scripts/train-density.sh writes .build/density/: density-K.onnx and the
# held-out lists fold-K-PART.txt).
echo "[counting] learned counters" >&2
density=${DENSITY:-.build/density}
rows=$work/counting.jsonl
: > "$rows"
# row LABEL FOLD EVAL-ARGS...: one `retina eval --json` report as a row, named LABEL (FOLD: "" or a fold).
row() {
  local label=$1 fold=$2
  shift 2
  "$retina" eval --json "$@" 2>/dev/null | python3 -c "
import json, sys
r = json.load(sys.stdin); r['counter'] = sys.argv[1]
if sys.argv[2]: r['fold'] = int(sys.argv[2])
print(json.dumps(r))" "$label" "$fold" >> "$rows"
}
for name in pets2009-s2l1 pets-identities concourse; do
  ds=.build/datasets/$name
  row "today, generic (no fit)" "" --generic "$ds"
  # fused: the density model on a camera's cadence, the people pass's own density scaled between
  # (the shipped default); fused --no-pass-density: the density model on every frame counted.
  for c in "detector --tiles 1" "detector --tiles 2x2" density fused "fused --no-pass-density"; do
    row "$c" "" --counter $c "$ds"
  done
done
# The concourse as a dual-stream camera's 640x360 substream: the density model fed the substream at
# its own size, and at its main stream's (1280x720: what a worker with `detect:` does by default).
for c in "detector --tiles 1" density fused "density --main-size 1280x720" "fused --main-size 1280x720" "fused --no-pass-density --main-size 1280x720"; do
  row "$c" "" --counter $c .build/datasets/concourse-sub
done
sht=$(cd .. && pwd)/shared/data/shanghaitech
if [ -d "$sht" ] && ls "$density"/density-0.onnx >/dev/null 2>&1; then
  for part in part_B_train part_A_test; do
    for fold in $(ls "$density" | sed -n 's/^density-\([0-9]*\)\.onnx$/\1/p' | sort -n); do
      list=$density/fold-$fold-$part.txt
      row "detector --tiles 1" "$fold" --counter detector --images "$list" "$sht/$part"
      for c in density fused; do
        row "$c" "$fold" --counter $c --density-model "$density/density-$fold.onnx" --images "$list" "$sht/$part"
      done
    done
  done
else
  echo "[counting] ShanghaiTech k-fold rows skipped: run scripts/train-density.sh first (needs $density/density-K.onnx) and ../shared/data" >&2
fi
python3 - "$rows" <<'PY'
import json, sys
from collections import defaultdict
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print()
print("| dataset | fold | counter | pictures/frames | MAE | MAPE | inference ms per count |")
print("|---|---|---|---|---|---|---|")
pooled = defaultdict(list)
for r in rows:
    c = r.get("crowd")
    if not c: continue
    ms = r.get("learnedMsPerInference")
    print(f"| {r['dataset']} | {r.get('fold', '–')} | {r['counter']} | {c['frames']} | {c['mae']:.2f} | {c['mape']:.1f} % | {'–' if ms is None else f'{ms:.1f}'} |")
    if 'fold' in r: pooled[(r['dataset'], r['counter'])].append(c)
for (ds, counter), cs in pooled.items():
    n = sum(c['frames'] for c in cs)
    mae = sum(c['mae'] * c['frames'] for c in cs) / n; mape = sum(c['mape'] * c['frames'] for c in cs) / n
    print(f"| {ds} | all {len(cs)} folds | {counter} | {n} | {mae:.2f} | {mape:.1f} % | |")
PY

# Behaviours from tracks on clip datasets (issue 18), their normal clips learned from, the rest
# scored (Benchmarks/datasets/build.sh lays them out): UCSD Ped2 (vehicles among pedestrians) and
# the sped-up PETS and concourse footage (running), and the sped-up Ped2 training clips that running
# from tracks was designed on (ped2-running-clips: development, not a result). For running, OpenCV's
# mean Farneback magnitude scores the same clip frames in the same run. Retina runs three times: as a
# camera does (the default: its tracks' speed measured by the optical flow of every frame, and each
# pass looking closer where the picture moves and nobody is followed), without the closer look
# (--no-look-closer), and by the boxes alone (--no-track-flow, the reference, which has neither).
behaviour=$work/behaviour.jsonl
: > "$behaviour"
for name in ucsd-ped2 ped2-running-clips pets-running-clips concourse-running-clips; do
  ds=.build/datasets/$name
  if [ ! -d "$ds/clips" ]; then
    echo "[behaviour] $ds missing: run Benchmarks/datasets/build.sh (ucsd-ped2 needs ../shared/data/ucsd-ped2)" >&2; continue
  fi
  echo "[behaviour] $ds" >&2
  "$retina" eval --json "$ds" 2>/dev/null | python3 -c "import json,sys; r=json.load(sys.stdin); r['scorer']='Retina, tracks + flow + closer look'; print(json.dumps(r))" >> "$behaviour"
  "$retina" eval --json --no-look-closer "$ds" 2>/dev/null | python3 -c "import json,sys; r=json.load(sys.stdin); r['scorer']='Retina, tracks + flow'; print(json.dumps(r))" >> "$behaviour"
  "$retina" eval --json --no-track-flow "$ds" 2>/dev/null | python3 -c "import json,sys; r=json.load(sys.stdin); r['scorer']='Retina, tracks (boxes alone)'; print(json.dumps(r))" >> "$behaviour"
  case $name in *-running-clips)
    Benchmarks/baseline/run.sh --clips "$ds" --threads 1 2>/dev/null \
      | python3 -c "import json,sys; r=json.load(sys.stdin); r['dataset']='$name'; r['scorer']='OpenCV Farneback'; print(json.dumps(r))" >> "$behaviour"
  esac
done
python3 - "$behaviour" <<'PY'
import json, sys
print()
print("| dataset | scorer | frame AUC | intervals detected | missed | false events | latency (s) | ms per frame | of which tracking + behaviours | of which flow | frames looked closer at |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for l in open(sys.argv[1]):
    r = json.loads(l); a = r["anomaly"]
    ms = r.get("detectorMsPerFrame", a.get("msPerFrame"))
    tr = r.get("trackingMsPerFrame"); fl = r.get("flowMsPerFrame")
    closer = f"{r['closerLookFrames'] / r['trackedFrames']:.0%}" if r.get("trackedFrames") else "–"
    name = r['dataset'] + (" (development)" if r['dataset'] == "ped2-running-clips" else "")
    print(f"| {name} | {r['scorer']} | {a['auc']:.4f} | {a['detected']} | {a['missed']} | {a['falseAlarms']} "
          f"| {', '.join(f'{x:.1f}' for x in a.get('latencySeconds', [])) or '–'} | {ms:.1f} | {'–' if tr is None else f'{tr:.3f}'} | {'–' if fl is None else f'{fl:.3f}'} | {closer} |")
PY
