#!/usr/bin/env bash
# The people tracker against identities labelled by hand on PETS 2009 S2.L1 (two segments of
# 50 frames, Benchmarks/datasets/pets2009-s2l1/tracks-*.csv), beside a plain IoU tracker run on
# the very same detections; CLEAR MOT and IDF1 by py-motmetrics.
#
#   Benchmarks/tracking.sh             # needs ../shared/data (run ../shared/data/get.sh once)
#   EVERY="1 4 10" Benchmarks/tracking.sh
#
# EVERY: the tracker looks at every n'th frame (PETS is 10 fps: 1 is every frame, 4 is 2.5 passes
# a second, 10 is the worker's default of one people pass a second). Retina's tracker runs twice:
# on the boxes alone, and fed the optical flow of every FLOW_EVERY'th frame as a camera's flow
# detector feeds it (default 2: the worker's 5 fps analysis on this 10 fps video; 0 leaves that row
# out; capped at EVERY), and a third time with that flow and the closer look (`--look-closer`: each
# look also looks at a crop where the flow moves and nobody is followed). Only labelled frames the
# tracker looked at are scored. Then intrusion and loitering in the zones of
# Benchmarks/datasets/pets2009-s2l1/zones.yaml against the same labelled people (ZONE_EVERY, default
# "10 2": the worker's one pass a second, and five), once on the video as it is and once with its
# light swinging (brightness ±0.2 over 6 s, ffmpeg's eq filter, as clouds and lamps do); the tracks
# there are fed the flow as above.
# Creates .build/tracking-venv once from Benchmarks/tracking/requirements.txt.
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
  flowed=()
  flow_every=${FLOW_EVERY:-2}
  if [ "$flow_every" -gt 0 ]; then
    [ "$flow_every" -le "$every" ] || flow_every=$every
    echo "[every $every, flow every $flow_every] retina track" >&2
    "$retina" track "$video" --every "$every" --flow-every "$flow_every" --out "$work/retina-flow-$every.csv" 2>/dev/null
    echo "[every $every, flow every $flow_every, looking closer] retina track" >&2
    "$retina" track "$video" --every "$every" --flow-every "$flow_every" --look-closer --out "$work/retina-closer-$every.csv" 2>/dev/null
    flowed=(--tracks "Retina with the flow of every ${flow_every}. frame=$work/retina-flow-$every.csv"
            --tracks "Retina with the flow and the closer look=$work/retina-closer-$every.csv")
  fi
  gts=(); for l in "${labels[@]}"; do gts+=(--gt "$l"); done
  "$venv/bin/python" Benchmarks/tracking/score.py "${gts[@]}" --tracks "Retina (ByteTrack-style, buffered IoU)=$work/retina-$every.csv" "${flowed[@]}" \
    --detections "$work/detections-$every.csv" --every "$every" ${JSON:+--json} | if [ -n "${header_done:-}" ] && [ -z "${JSON:-}" ]; then sed 1,2d; else cat; fi
  header_done=1
done

zones=Benchmarks/datasets/pets2009-s2l1/zones.yaml
light=$work/pets-light.mp4
if [ ! -s "$light" ]; then
  echo "tracking: making $light (the light swinging)" >&2
  ffmpeg -v error -y -i "$video" -vf "eq=brightness='0.2*sin(2*PI*t/6)':eval=frame" -c:v libx264 -crf 18 -g 50 "$light"
fi
for every in ${ZONE_EVERY:-10 2}; do
  for v in "$video" "$light"; do
    name=$(basename "$v" .mp4)
    echo "[zones, every $every, $name] retina track" >&2
    # As a camera follows them: with its flow (unless FLOW_EVERY=0).
    zone_flow=(); fe=${FLOW_EVERY:-2}; [ "$fe" -le "$every" ] || fe=$every
    [ "$fe" -gt 0 ] && zone_flow=(--flow-every "$fe")
    "$retina" track "$v" --every "$every" "${zone_flow[@]}" --scene "$zones" --events "$work/zones-$name-$every.csv" --out "$work/zones-tracks-$name-$every.csv" 2>/dev/null
    echo
    echo "zones, $name, every $every:"
    "$venv/bin/python" Benchmarks/tracking/zones.py "${gts[@]}" --zones "$zones" --tracks "$work/zones-tracks-$name-$every.csv" \
      --events "$work/zones-$name-$every.csv" ${JSON:+--json}
  done
done
