#!/usr/bin/env bash
# Same-run A/B of two checkouts of Retina (e.g. before and after a refactor that must not change
# the numbers), with this checkout's benchmark scripts driving both checkouts' binaries:
#   BEFORE=/path/to/old-checkout AFTER=/path/to/new-checkout Benchmarks/ab.sh
#   PARTS="instructions capacity detectors" ROUNDS=2 CAMERAS=24 WINDOW=60   (the defaults)
# 1. instructions: callgrind's instruction count of the ingest path (DecodeBench: demux, decode,
#    sample at 5 fps, scale, hand off) over the first 20 s of the capacity benchmark's 720p camera
#    stream. Deterministic: a difference is a difference in work, not noise.
# 2. capacity: Benchmarks/capacity.sh at CAMERAS with each binary, alternating A B A B (ROUNDS
#    pairs), so the machine's drift hits both alike.
# 3. detectors: Benchmarks/detectors.sh with each binary (needs ../shared/data): scores must match.
# Each checkout builds its release binaries in its own .build-ab scratch folder.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(realpath "${BEFORE:?BEFORE=checkout folder}")
after=$(realpath "${AFTER:?AFTER=checkout folder}")
parts=${PARTS:-instructions capacity detectors}
rounds=${ROUNDS:-2}
out=$PWD/.build/ab
mkdir -p "$out"

bin() {  # checkout → its release bin folder, built
  (cd "$1" && swift build -c release --scratch-path .build-ab >&2 && swift build -c release --scratch-path .build-ab --show-bin-path)
}
declare -A bins=([before]=$(bin "$before") [after]=$(bin "$after"))

if [[ " $parts " == *" instructions "* ]]; then
  clip=$(Benchmarks/camera-clip.sh .build/bench)
  short="$out/camera-720p-20s.mp4"
  [ -s "$short" ] || ffmpeg -hide_banner -loglevel error -y -i "$clip" -t 20 -c copy "$short"
  for side in before after; do
    valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.$side" "${bins[$side]}/DecodeBench" "$short" \
      --threads 1 --analysis-fps 5 > "$out/decode.$side.txt" 2> "$out/callgrind.$side.log"
    grep -oE "Collected : [0-9]+" "$out/callgrind.$side.log" | grep -oE "[0-9]+" > "$out/ir.$side"
    echo "instructions, $side: $(cat "$out/ir.$side") ($(cat "$out/decode.$side.txt"))"
  done
  awk -v a="$(cat "$out/ir.before")" -v b="$(cat "$out/ir.after")" 'BEGIN {printf "instructions after/before: %.4f\n", b/a}'
fi

if [[ " $parts " == *" capacity "* ]]; then
  for r in $(seq "$rounds"); do
    for side in before after; do
      echo "capacity round $r, $side:"
      RETINA="${bins[$side]}/retina" CAMERAS=${CAMERAS:-24} Benchmarks/capacity.sh 2>/dev/null \
        | tee "$out/capacity.$side.$r.txt" | grep -E "cameras: (PASS|FAIL)|-re, "
    done
  done
fi

if [[ " $parts " == *" detectors "* ]]; then
  for side in before after; do
    echo "detectors, $side:"
    RETINA="${bins[$side]}/retina" Benchmarks/detectors.sh 2>/dev/null | tee "$out/detectors.$side.txt" | grep "^|"
  done
  # The scores (every column but the three timings) must be identical.
  scores() { grep "^| [a-z]" "$1" | cut -d'|' -f1-11; }
  if diff <(scores "$out/detectors.before.txt") <(scores "$out/detectors.after.txt"); then
    echo "detectors: the same scores before and after"
  else
    echo "detectors: the scores DIFFER (above)"
  fi
fi
