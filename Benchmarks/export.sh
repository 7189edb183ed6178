#!/usr/bin/env bash
# Police export (issue 4): N events (default 1,000) with real JPEG snapshots (ffmpeg's testsrc2,
# 1920x1080) in a temporary SQLite store; `retina export` and `retina verify` under
# /usr/bin/time -v (wall time, max RSS), against a reference in the same run on the same files:
# `cp -r` of the snapshots then `sha256sum` and `md5sum` of the copies (what a careful manual
# export does at the least), and `sha256sum -c` + `md5sum -c` for verify.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
# SCRATCH=.build-bench shares the release build of the other benchmarks.
flags=(-c release ${SCRATCH:+--scratch-path "$SCRATCH"})
swift build "${flags[@]}" --product retina >&2
swift build "${flags[@]}" --product ExportBench >&2
bin=$(swift build "${flags[@]}" --show-bin-path)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/media"
ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=1920x1080:rate=25" -frames:v "$N" -q:v 3 "$work/media/snap-%05d.jpg"
"$bin/ExportBench" "$work/events.db" "$work/media"
"$bin/retina" keys init --out "$work/site-key.pem" >/dev/null 2>&1
bytes=$(du -sb "$work/media" | cut -f1)

# /usr/bin/time -v → "wall_s max_rss_kib"
measure() {
  local log=$1; shift
  /usr/bin/time -v "$@" >"$log.out" 2>"$log"
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  echo "$wall $rss"
}

sync
read -r ref_wall ref_rss < <(measure "$work/ref.time" sh -c "cp -r '$work/media' '$work/ref' && cd '$work/ref' && sha256sum *.jpg > ../ref.sha256 && md5sum *.jpg > ../ref.md5")
read -r exp_wall exp_rss < <(measure "$work/export.time" "$bin/retina" export --from 2026-11-23T00:00:00Z --to 2026-11-24T00:00:00Z --group bench \
  --out "$work/bag" --store "sqlite:$work/events.db" --key "$work/site-key.pem" --as bench --iva-device-id 31011500005030000001 --reason benchmark)
read -r refv_wall refv_rss < <(measure "$work/refv.time" sh -c "cd '$work/ref' && sha256sum -c --quiet ../ref.sha256 && md5sum -c --quiet ../ref.md5")
read -r ver_wall ver_rss < <(measure "$work/verify.time" "$bin/retina" verify "$work/bag")
grep -q '^OK' "$work/verify.time.out" || { cat "$work/verify.time.out"; exit 1; }
files=$(find "$work/bag" -type f | wc -l)

printf '%s events, %s MiB of JPEG snapshots; bag: %s files, %s MiB\n' "$N" "$((bytes / 1048576))" "$files" "$(( $(du -sb "$work/bag" | cut -f1) / 1048576 ))"
printf '| step | wall s | max RSS MiB | reference | ref wall s | ref max RSS MiB | ratio (retina / reference) |\n|---|---|---|---|---|---|---|\n'
awk -v a="$exp_wall" -v b="$exp_rss" -v c="$ref_wall" -v d="$ref_rss" 'BEGIN { printf "| retina export | %.2f | %.1f | cp -r + sha256sum + md5sum | %.2f | %.1f | %.2f |\n", a, b/1024, c, d/1024, a/c }'
awk -v a="$ver_wall" -v b="$ver_rss" -v c="$refv_wall" -v d="$refv_rss" 'BEGIN { printf "| retina verify | %.2f | %.1f | sha256sum -c + md5sum -c | %.2f | %.1f | %.2f |\n", a, b/1024, c, d/1024, a/c }'
