#!/usr/bin/env bash
# Prints the path of the benchmarks' camera stream, made on first use in the folder given: the real
# PETS 2009 walk (Streams/) scaled and encoded as an IP camera sends it (H.264, no B-frames, GOP 50,
# 25 fps), 180 s long. KIND: 720p (2 Mbit/s, the default), or a dual-stream camera's two streams:
# main (1080p, 4 Mbit/s) and sub (640×360, 512 kbit/s).
#   clip=$(Benchmarks/camera-clip.sh .build/bench)
#   main=$(Benchmarks/camera-clip.sh .build/bench main); sub=$(Benchmarks/camera-clip.sh .build/bench sub)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/camera-encode.sh
work=${1:?usage: camera-clip.sh FOLDER [720p|main|sub]}
kind=${2:-720p}
case "$kind" in
  720p) size=1280:720 rate=2M clip="$work/camera-720p-2M.mp4" ;;
  main) size=1920:1080 rate=4M clip="$work/camera-1080p-4M.mp4" ;;
  sub) size=640:360 rate=512k clip="$work/camera-360p-512k.mp4" ;;
  *) echo "camera-clip.sh: no kind '$kind' (720p, main, sub)" >&2; exit 2 ;;
esac
mkdir -p "$work"
[ -s Streams/pets-walk.mp4 ] || Streams/prepare.sh >/dev/null
[ -s "$clip" ] || camera_encode "$clip" "$size" "$rate" -stream_loop 1 -i Streams/pets-walk.mp4 -t 180
echo "$clip"
