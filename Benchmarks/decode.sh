#!/usr/bin/env bash
# Retina's ingest path (libavformat → libavcodec → libswscale luma → no-op detector) against
# `ffmpeg -threads N -i FILE -f null -` on the same file, in the same run, as a ratio of rates.
#
#   Benchmarks/decode.sh            # 720p and 1080p, 1 and 2 threads
#   RUNS=10 Benchmarks/decode.sh
#
# The clips are the real PETS 2009 pedestrian video (Streams/prepare.sh) scaled to 720p and 1080p,
# encoded as recorded H.264 (x264 veryfast: B-frames, some of them non-reference).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
work=${WORK:-.build/bench}
mkdir -p "$work"
command -v hyperfine >/dev/null || { echo "hyperfine is missing: scripts/install-deps.sh" >&2; exit 1; }
[ -s Streams/pets-walk.mp4 ] || Streams/prepare.sh >/dev/null
swift build -c release --product DecodeBench >&2
bench=$(swift build -c release --show-bin-path)/DecodeBench

for size in 1280x720 1920x1080; do
  clip="$work/pets-$size.mp4"
  [ -s "$clip" ] || ffmpeg -hide_banner -loglevel error -y -i Streams/pets-walk.mp4 -t 60 \
    -vf "scale=${size/x/:}:flags=bicubic,fps=25" -c:v libx264 -preset veryfast -pix_fmt yuv420p "$clip"
done

echo "| clip | threads | ffmpeg -f null (fps) | Retina, every frame (fps) | ratio | Retina, 5 fps analysis (decoded fps) | ratio |"
echo "|---|---|---|---|---|---|---|"
for size in 1280x720 1920x1080; do
  clip="$work/pets-$size.mp4"
  frames=$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$clip")
  for threads in 1 2; do
    json="$work/decode-$size-t$threads.json"
    hyperfine -N --warmup 1 --runs "$runs" --export-json "$json" \
      "ffmpeg -hide_banner -loglevel error -threads $threads -i $clip -f null -" \
      "$bench $clip --threads $threads" \
      "$bench $clip --threads $threads --analysis-fps 5" >&2
    python3 - "$json" "$frames" "$size" "$threads" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
frames = int(sys.argv[2])
ff, all_, five = (r["median"] for r in results)
# Rates are the clip's frames over wall time: the 5 fps run reads the same clip, so its ratio is
# how much faster the same clip is consumed.
print(f"| {sys.argv[3]} | {sys.argv[4]} | {frames/ff:.0f} | {frames/all_:.0f} | {ff/all_:.2f} | {frames/five:.0f} | {ff/five:.2f} |")
PY
  done
done
