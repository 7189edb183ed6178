#!/usr/bin/env bash
# OpenCV peer baseline: HOG people counting + Farneback motion anomaly on one dataset folder.
#
#   Benchmarks/baseline/run.sh DATASET [--json] [--analysis-width 384] [--threads N]
#   Benchmarks/baseline/run.sh --clips DATASET [--threads N]   # Farneback on a clip dataset (JSON)
#
# Creates .build/baseline-venv once (reinstalling when requirements.txt changes), then runs
# opencv_baseline.py with the arguments. Progress goes to stderr; the result to stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${BASELINE_VENV:-$root/.build/baseline-venv}
stamp=$venv/.requirements-installed

if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$(dirname "$venv")"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    /usr/bin/python3 -m venv "$venv"
  fi
fi
if [ ! -f "$stamp" ] || [ "$here/requirements.txt" -nt "$stamp" ]; then
  echo "baseline: installing $(basename "$here")/requirements.txt into $venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
  touch "$stamp"
fi
if [ "${1:-}" = --clips ]; then shift; exec "$venv/bin/python" "$here/farneback_clips.py" "$@"; fi
exec "$venv/bin/python" "$here/opencv_baseline.py" "$@"
