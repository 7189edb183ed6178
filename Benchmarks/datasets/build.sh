#!/usr/bin/env bash
# Materialises the evaluation datasets under .build/datasets/ from the real videos of ../shared/data
# (run ../shared/data/get.sh first) and the labels kept here. Idempotent.
#
#   Benchmarks/datasets/build.sh            # all datasets
#   OUT=/tmp/ds Benchmarks/datasets/build.sh
#
# pets2009-s2l1, concourse      the real videos as they are, with our count labels
# pets-identities               PETS counted from the identity labels (tracks-*.csv, visible people)
# pets-running, concourse-running  the same real footage with one segment sped up 4x (every 4th
#                               frame kept): people suddenly moving at running speed. The sped-up
#                               frames are labelled in anomalies.csv (frame numbers of the new video).
# pets-running-clips, concourse-running-clips  the sped-up videos as clip datasets, for running
#                               from tracks: normal/ = the footage up to 2 s before the sped-up
#                               segment (learned from, never scored), clips/ = the rest.
# ped2-running-clips            development footage for running, kept apart from the two above (which
#                               score it): UCSD Ped2's training clips 01-08 as normal/, 09-16 in
#                               clips/ with frames 50-129 sped up 4x (20 frames of people suddenly
#                               four times as fast, labelled 51-70, then normal again).
# concourse-sub                 the concourse as a dual-stream camera's substream (640x360 H.264 at
#                               512 kbit/s, no B-frames, as Benchmarks/camera-clip.sh makes one),
#                               the same frames and count labels; the zone and perspective halved.
# falls-normal                  the normal videos above (and Ped2's training and test clips) as a fall
#                               dataset with no fall: false alarms per hour.
# ucsd-ped2                     UCSD Ped2 as a clip dataset: normal/ = its 16 training clips, clips/ =
#                               test_01..06, anomalies.csv = its official intervals (kind vehicle:
#                               bicycles, a cart, a skateboard among pedestrians). Links, no copies.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${RETINA_SHARED:-$(cd "$root/.." && pwd)/shared}
out=${OUT:-$root/.build/datasets}
data=$shared/data
source "$here/../lib/camera-encode.sh"
if [ ! -s "$data/pets2009-s2l1/video.mp4" ] || [ ! -s "$data/concourse/video.mp4" ]; then
  echo "build.sh: the real videos are missing: expected $data/{pets2009-s2l1,concourse}/video.mp4 (run $data/get.sh)" >&2
  exit 3
fi

# speedup SRC DST FIRST LAST: frames FIRST..LAST keep every 4th frame; the rest stays as it is.
speedup() {
  [ -s "$2" ] && [ "$2" -nt "$here/build.sh" ] && return 0
  ffmpeg -hide_banner -loglevel error -y -i "$1" -an \
    -vf "select='lt(n\,$3)+gt(n\,$4)+between(n\,$3\,$4)*not(mod(n-$3\,4))',setpts=N/FRAME_RATE/TB" \
    -c:v libx264 -preset veryfast -crf 18 -g 50 -pix_fmt yuv420p "$2.tmp.mp4"
  mv "$2.tmp.mp4" "$2"
}

# cut SRC DST FIRST LAST: frames FIRST..LAST of SRC as a video of their own.
cut() {
  [ -s "$2" ] && [ "$2" -nt "$here/build.sh" ] && [ "$2" -nt "$1" ] && return 0
  ffmpeg -hide_banner -loglevel error -y -i "$1" -an -vf "select='between(n\,$3\,$4)',setpts=N/FRAME_RATE/TB" \
    -c:v libx264 -preset veryfast -crf 18 -g 50 -pix_fmt yuv420p "$2.tmp.mp4"
  mv "$2.tmp.mp4" "$2"
}

# running_clips NAME FIRST LEAD: NAME-running-clips from NAME-running, split LEAD frames (2 s)
# before frame FIRST, where its sped-up segment starts; the labels are NAME-running's, counted from
# the split. The lead-in is there because a clip starts with nobody followed: split at FIRST itself
# (as until 2026-12-05), its first running frame could not be scored by any tracker, while a
# camera's tracker has been following its people for as long as it has been on.
running_clips() {
  local src=$out/$1-running dst=$out/$1-running-clips split=$(($2 - $3))
  mkdir -p "$dst/normal" "$dst/clips"
  cut "$src/video.mp4" "$dst/normal/$1-before.mp4" 0 $((split - 1))
  cut "$src/video.mp4" "$dst/clips/$1-running.mp4" "$split" 100000
  { echo "clip,start_frame,end_frame,kind"; tail -n +2 "$src/anomalies.csv" | awk -F, -v c="$1-running" -v f="$split" '{print c "," $1 - f "," $2 - f "," $3}'; } > "$dst/anomalies.csv"
}

for name in pets2009-s2l1 concourse pets-running concourse-running; do
  mkdir -p "$out/$name"
  cp "$here/$name"/*.yaml "$here/$name"/*.csv "$out/$name/" 2>/dev/null || true
done
ln -sf "$data/pets2009-s2l1/video.mp4" "$out/pets2009-s2l1/video.mp4"
ln -sf "$data/concourse/video.mp4" "$out/concourse/video.mp4"
# concourse-sub: the concourse's frames as its substream would send them (same frame numbers: the
# concourse is 25 fps already), scored on the concourse's own labels.
sub=$out/concourse-sub
mkdir -p "$sub"
cp "$here/concourse-sub/scene.yaml" "$sub/"
cp "$here/concourse/counts.csv" "$sub/"
{ [ -s "$sub/video.mp4" ] && [ "$sub/video.mp4" -nt "$here/build.sh" ]; } ||
  camera_encode "$sub/video.mp4" 640:360 512k -i "$data/concourse/video.mp4"
# pets-identities: the same PETS camera counted from the identity labels (tracks-*.csv, the people
# at least half visible, visible=1) on every 4th frame of three segments: 149 frames labelled apart
# from counts.csv, a second count of the camera by other hands.
ids=$out/pets-identities
mkdir -p "$ids"
cp "$here/pets2009-s2l1/scene.yaml" "$ids/"
ln -sf "$data/pets2009-s2l1/video.mp4" "$ids/video.mp4"
{
  echo "frame,count"
  cat "$here"/pets2009-s2l1/tracks-*.csv | awk -F, '/^[0-9]/ { seen[$1] = 1; if ($7 == 1) n[$1]++ } END { for (f in seen) print f "," n[f] + 0 }' | sort -n
} > "$ids/counts.csv"
speedup "$data/pets2009-s2l1/video.mp4" "$out/pets-running/video.mp4" 500 699
speedup "$data/concourse/video.mp4" "$out/concourse-running/video.mp4" 150 269
running_clips pets 500 20
running_clips concourse 150 50
if [ -s "$data/ucsd-ped2/test_anomalies.csv" ]; then
  ped2=$out/ucsd-ped2
  mkdir -p "$ped2/normal" "$ped2/clips"
  for f in "$data"/ucsd-ped2/train_*.mp4; do ln -sf "$f" "$ped2/normal/"; done
  for f in "$data"/ucsd-ped2/test_*.mp4; do ln -sf "$f" "$ped2/clips/"; done
  { echo "clip,start_frame,end_frame,kind"; tail -n +2 "$data/ucsd-ped2/test_anomalies.csv" | awk -F, '{print $1 "," $3 "," $4 ",vehicle"}'; } > "$ped2/anomalies.csv"
fi
# ped2-running-clips: to design running from tracks on, so that PETS and the concourse stay held out.
if [ -s "$data/ucsd-ped2/train_16.mp4" ]; then
  dev=$out/ped2-running-clips
  mkdir -p "$dev/normal" "$dev/clips"
  for i in 01 02 03 04 05 06 07 08; do ln -sf "$data/ucsd-ped2/train_$i.mp4" "$dev/normal/"; done
  echo "clip,start_frame,end_frame,kind" > "$dev/anomalies.csv.tmp"
  for i in 09 10 11 12 13 14 15 16; do
    speedup "$data/ucsd-ped2/train_$i.mp4" "$dev/clips/train_$i-running.mp4" 50 129
    # The first frame moved 4x as far as the one before it is 51 (50 is still a normal step), the
    # last is 70 (the step 126 -> 130 of the original): the labels are of motion, as for PETS.
    echo "train_$i-running,51,70,running" >> "$dev/anomalies.csv.tmp"
  done
  mv "$dev/anomalies.csv.tmp" "$dev/anomalies.csv"
fi
# falls-normal: every normal video here as a fall dataset of daily activities (labels.csv, label
# adl): the false alarms of the fall detector per hour of footage with nobody falling.
normal=$out/falls-normal
mkdir -p "$normal"
{
  echo "clip,label,fall_type,fall_start_s"
  ln -sf "$data/pets2009-s2l1/video.mp4" "$normal/pets2009-s2l1.mp4"; echo "pets2009-s2l1.mp4,adl,,"
  ln -sf "$data/concourse/video.mp4" "$normal/concourse.mp4"; echo "concourse.mp4,adl,,"
  # Ped2's test clips too: bicycles and carts among walkers, nobody falling (added 2026-12-05,
  # after the fall decision was last changed, so they were never looked at for it).
  for f in "$data"/ucsd-ped2/train_*.mp4 "$data"/ucsd-ped2/test_*.mp4; do
    [ -f "$f" ] || continue
    ln -sf "$f" "$normal/ucsd-ped2-$(basename "$f")"; echo "ucsd-ped2-$(basename "$f"),adl,,"
  done
} > "$normal/labels.csv"
echo "datasets ready in $out: $(cd "$out" && echo *)"
