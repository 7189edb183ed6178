#!/usr/bin/env bash
# The people tracker against identities labelled by hand on PETS 2009 S2.L1 (two segments of
# 50 frames, Benchmarks/datasets/pets2009-s2l1/tracks-*.csv), beside a plain IoU tracker run on
# the very same detections; CLEAR MOT and IDF1 by py-motmetrics.
#
#   Benchmarks/tracking.sh             # needs ../shared/data (run ../shared/data/get.sh once)
#   EVERY="1 4 10" Benchmarks/tracking.sh
#
# EVERY: the tracker looks at every n'th frame (PETS is 10 fps: 1 is every frame, 4 is 2.5 passes
# a second, 10 is the worker's default of one people pass a second). Only labelled frames the
# tracker looked at are scored. Creates .build/tracking-venv once from Benchmarks/tracking/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
video=../shared/data/pets2009-s2l1/video.mp4
[ -f "$video" ] || { echo "tracking: $video is missing: run ../shared/data/get.sh once" >&2; exit 1; }
labels=(Benchmarks/datasets/pets2009-s2l1/tracks-*.csv)
if [ -n "${RETINA:-}" ]; then retina=$RETINA; else
  swift build -c release --product retina >&2
  retina=$(swift build -c release --show-bin-path)/retina
fi
venv=.build/tracking-venv
req=Benchmarks/tracking/requirements.txt
[ -x "$venv/bin/python" ] || python3 -m venv "$venv" 2>/dev/null || { rm -rf "$venv"; /usr/bin/python3 -m venv "$venv"; }
if [ ! -f "$venv/.installed" ] || [ "$req" -nt "$venv/.installed" ]; then
  echo "tracking: installing $req into $venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
  touch "$venv/.installed"
fi
work=.build/bench/tracking
mkdir -p "$work"
for every in ${EVERY:-1 4 10}; do
  echo "[every $every] retina track" >&2
  "$retina" track "$video" --every "$every" --out "$work/retina-$every.csv" --detections "$work/detections-$every.csv" 2>/dev/null
  gts=(); for l in "${labels[@]}"; do gts+=(--gt "$l"); done
  "$venv/bin/python" Benchmarks/tracking/score.py "${gts[@]}" --tracks "Retina (ByteTrack-style, buffered IoU)=$work/retina-$every.csv" \
    --detections "$work/detections-$every.csv" --every "$every" ${JSON:+--json} | { [ "$every" = "$(set -- ${EVERY:-1 4 10}; echo $1)" ] || sed 1,2d; }
done
