#!/usr/bin/env bash
# Prints the path of the benchmarks' camera stream, made on first use in the folder given: the real
# PETS 2009 walk (Streams/) scaled to 720p and encoded as an IP camera sends it (H.264, 2 Mbit/s,
# no B-frames, GOP 50, 25 fps), 180 s long.
#   clip=$(Benchmarks/camera-clip.sh .build/bench)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:?usage: camera-clip.sh FOLDER}
mkdir -p "$work"
[ -s Streams/pets-walk.mp4 ] || Streams/prepare.sh >/dev/null
clip="$work/camera-720p-2M.mp4"
[ -s "$clip" ] || ffmpeg -hide_banner -loglevel error -y -stream_loop 1 -i Streams/pets-walk.mp4 -t 180 \
  -vf "scale=1280:720:flags=bicubic,fps=25" -c:v libx264 -preset veryfast -tune zerolatency -bf 0 -g 50 \
  -b:v 2M -maxrate 2M -bufsize 2M -pix_fmt yuv420p "$clip"
echo "$clip"
