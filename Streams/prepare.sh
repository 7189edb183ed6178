#!/usr/bin/env bash
# Generates the demo's sample camera streams (H.264 MP4, no B-frames, short GOP)
# next to this script. Idempotent: existing outputs are kept; FORCE=1 regenerates.
# Needs only ffmpeg and dpkg/apt (for the PETS 2009 clip shipped in opencv-doc).
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FORCE="${FORCE:-0}"
command -v ffmpeg >/dev/null || { echo "prepare: ffmpeg not found (run scripts/install-deps.sh)" >&2; exit 1; }

# Common "IP camera" encoding: baseline-like H.264 without B-frames so every
# packet's pts == dts and a decoder can start at any keyframe with low latency.
X264=(-c:v libx264 -preset veryfast -tune zerolatency -bf 0 -pix_fmt yuv420p -an
      -movflags +faststart)

needs() { [[ "$FORCE" == 1 || ! -s "$1" ]]; }

# Encode to a temp file and rename, so an interrupted run never leaves a
# truncated .mp4 that the idempotency check would accept.
encode() { local out="$1"; shift
  ffmpeg -hide_banner -loglevel error -nostdin -y "$@" "$out.tmp.mp4"
  mv -f "$out.tmp.mp4" "$out"
}

# 1) Real pedestrians: PETS 2009 S2.L1 (768x576, 10 fps, 79.5 s), distributed
#    as examples/data/vtest.avi in Debian's opencv-doc. Looped 3x (~4 min).
PETS="$DIR/pets-walk.mp4"
if needs "$PETS"; then
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  # apt-get download needs no root; if the package lists are stale/empty, refresh once.
  if ! (cd "$tmp" && apt-get download -qq opencv-doc 2>/dev/null); then
    echo "prepare: apt-get download failed, running apt-get update" >&2
    if ((EUID == 0)); then apt-get update -qq; else sudo apt-get update -qq; fi
    (cd "$tmp" && apt-get download -qq opencv-doc)
  fi
  dpkg -x "$tmp"/opencv-doc_*.deb "$tmp/x"
  src="$tmp/x/usr/share/doc/opencv-doc/examples/data/vtest.avi"
  [[ -s "$src" ]] || { echo "prepare: vtest.avi not found in opencv-doc" >&2; exit 1; }
  # GOP 20 = one keyframe every 2 s at 10 fps; scenecut off keeps it regular.
  encode "$PETS" -stream_loop 2 -i "$src" "${X264[@]}" -g 20 -keyint_min 20 \
    -x264-params scenecut=0 -r 10
  rm -rf "$tmp"; trap - EXIT
fi

# 2) Synthetic plaza: 640x360 @ 25 fps, 60 s. A static textured background
#    (blurred noise, so it is not perfectly flat) with three boxes moving at
#    different speeds/directions, giving predictable motion to detect.
PLAZA="$DIR/plaza-synthetic.mp4"
if needs "$PLAZA"; then
  # drawbox cannot animate (its `t` is thickness, evaluated once), so the
  # movers are solid color sources placed by overlay, whose x/y are per-frame.
  encode "$PLAZA" -f lavfi -i "color=c=0x707870:s=640x360:r=25:d=60" \
    -f lavfi -i "color=c=0xc03030:s=40x90:r=25:d=60" \
    -f lavfi -i "color=c=0x3040c0:s=35x80:r=25:d=60" \
    -f lavfi -i "color=c=0xe0e040:s=30x70:r=25:d=60" -filter_complex "
    [0:v]noise=alls=25:allf=0,boxblur=2:1,drawgrid=w=80:h=60:t=1:c=0x5a625a,
         drawbox=x=0:y=300:w=640:h=60:c=0x505050:t=fill[bg];
    [bg][1:v]overlay=x='mod(t*60,720)-40':y=120:shortest=1[a];
    [a][2:v]overlay=x='600-mod(t*45,720)':y=200[b];
    [b][3:v]overlay=x='300+200*sin(t/3)':y='150+100*sin(t/2)',format=yuv420p[v]" \
    -map "[v]" "${X264[@]}" -g 50 -keyint_min 50 -x264-params scenecut=0 -r 25 -t 60
fi

for f in "$PETS" "$PLAZA"; do
  printf '%s  %s\n' "$f" "$(ffprobe -v error -select_streams v:0 \
    -show_entries stream=codec_name,width,height,r_frame_rate:format=duration \
    -of csv=p=0 "$f" | paste -sd' ')"
done
