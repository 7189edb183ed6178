#!/usr/bin/env bash
# Trains Retina's crowd-density model from ../shared/data/shanghaitech and scores it, in one command:
#
#   scripts/train-density.sh            # k-fold runs + the final model → .build/density/
#   RUN=final scripts/train-density.sh  # only the shipped model
#   INSTALL=1 scripts/train-density.sh  # also copy it to Models/crowd-density/ (then update its sha256)
#
# CPU only (Debian's python3-torch; onnx, onnxruntime and pillow from PyPI in .venv-train/).
# Takes about 10 minutes for the features, then a few minutes a run on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${DATA:-$(cd .. && pwd)/shared/data/shanghaitech}
out=${OUT:-.build/density}
[ -f "$data/part_B_train/counts.csv" ] && [ -f "$data/part_A_test/counts.csv" ] || {
  echo "train-density: ShanghaiTech is missing: expected $data/part_B_train and part_A_test (../shared/data)" >&2; exit 3; }
venv=${VENV:-.venv-train}
if [ ! -x "$venv/bin/python" ]; then
  dpkg-query -W -f='${Status}' python3-torch 2>/dev/null | grep -q "install ok installed" || {
    echo "train-density: installing Debian's python3-torch" >&2; apt-get install -y --no-install-recommends python3-torch python3-venv >&2; }
  /usr/bin/python3 -m venv --system-site-packages "$venv"
  "$venv/bin/pip" install --quiet onnx==1.17.0 onnxruntime==1.31.1 pillow==11.0.0
fi
mkdir -p "$out"
PYTHONUNBUFFERED=1 "$venv/bin/python" Training/density/train.py --data "$data" --yolox Models/yolox-nano/yolox_nano.onnx \
  --out "$out" --run "${RUN:-all}" --threads "$(nproc)" 2>&1 | tee "$out/train.log"
if [ "${INSTALL:-0}" = 1 ]; then
  mkdir -p Models/crowd-density
  cp "$out/density-final.onnx" Models/crowd-density/crowd_density.onnx
  echo "train-density: Models/crowd-density/crowd_density.onnx sha256 $(sha256sum Models/crowd-density/crowd_density.onnx | cut -d' ' -f1)"
fi
