# Shared by Benchmarks/camera-clip.sh and Benchmarks/datasets/build.sh; sourced, not run.

# camera_encode DST W:H RATE FFMPEG_INPUT...: the input (ffmpeg's own arguments, `-i SRC` and any
# options around it) encoded as an IP camera sends a stream: scaled to W:H (bicubic), 25 fps, H.264
# at RATE with no B-frames and a GOP of 50, no audio; written to DST through a temporary file.
camera_encode() {
  local dst=$1 size=$2 rate=$3
  shift 3
  ffmpeg -hide_banner -loglevel error -y "$@" -an -vf "scale=$size:flags=bicubic,fps=25" -c:v libx264 -preset veryfast \
    -tune zerolatency -bf 0 -g 50 -b:v "$rate" -maxrate "$rate" -bufsize "$rate" -pix_fmt yuv420p "$dst.tmp.mp4"
  mv "$dst.tmp.mp4" "$dst"
}
