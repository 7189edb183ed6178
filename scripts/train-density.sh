#!/usr/bin/env bash
# Trains Retina's crowd-density model from ../shared/data/shanghaitech and scores it, in one command:
#
#   scripts/train-density.sh            # k-fold runs + the final model → .build/density/
#   RUN=final scripts/train-density.sh  # only the shipped model
#   INSTALL=1 scripts/train-density.sh  # also copy it to Models/crowd-density/ and remake the detector
#                                       # that carries its head (then update both sha256s)
#   RECIPE=finetune scripts/train-density.sh   # the shipped model's recipe: every weight trained (GPU)
#
# RECIPE=frozen (default): YOLOX-Nano's features frozen and cached, only the head trained; CPU only
# (Debian's python3-torch; onnx, onnxruntime and pillow from PyPI in .venv-train/), about 10
# minutes for the features, then a few minutes a run on 2 cores.
# RECIPE=finetune: the backbone fine-tuned with the head on crops of the pictures
# (Training/density/finetune.py); needs a CUDA GPU for its epochs (EPOCHS, default 250; PARALLEL
# runs at once on one GPU, default 1). PYTHON=python3 uses an interpreter that already has torch,
# onnx and pillow instead of making .venv-train/.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${DATA:-$(cd .. && pwd)/shared/data/shanghaitech}
out=${OUT:-.build/density}
[ -f "$data/part_B_train/counts.csv" ] || {
  echo "train-density: ShanghaiTech is missing: expected $data/part_B_train and part_A_test (../shared/data)" >&2; exit 3; }
[ -f "$data/part_A_test/counts.csv" ] || [ "${RECIPE:-frozen}" = finetune ] || {
  echo "train-density: ShanghaiTech part A is missing: expected $data/part_A_test (../shared/data)" >&2; exit 3; }
venv=${VENV:-.venv-train}
python=${PYTHON:-$venv/bin/python}
if [ -z "${PYTHON:-}" ] && [ ! -x "$venv/bin/python" ]; then
  dpkg-query -W -f='${Status}' python3-torch 2>/dev/null | grep -q "install ok installed" || {
    echo "train-density: installing Debian's python3-torch" >&2; apt-get install -y --no-install-recommends python3-torch python3-venv >&2; }
  /usr/bin/python3 -m venv --system-site-packages "$venv"
  "$venv/bin/pip" install --quiet onnx==1.17.0 onnxruntime==1.31.1 pillow==11.0.0
fi
mkdir -p "$out"
if [ "${RECIPE:-frozen}" = finetune ]; then
  runs=${RUN:-all}; [ "$runs" = all ] && runs="0 1 2 3 4 final"
  running=0
  for r in $runs; do
    PYTHONUNBUFFERED=1 "$python" Training/density/finetune.py --data "$data" --yolox Models/yolox-nano/yolox_nano.onnx \
      --out "$out" --run "$r" --epochs "${EPOCHS:-250}" >"$out/finetune-$r.log" 2>&1 &
    running=$((running + 1))
    if [ "$running" -ge "${PARALLEL:-1}" ]; then wait -n || echo "train-density: a run failed (see $out/finetune-*.log)" >&2; running=$((running - 1)); fi
  done
  while [ "$running" -gt 0 ]; do wait -n || echo "train-density: a run failed (see $out/finetune-*.log)" >&2; running=$((running - 1)); done
  grep -h "^fold\|epochs:\|trained in\|floor" "$out"/finetune-*.log | tee "$out/train.log" || true
else
PYTHONUNBUFFERED=1 "$python" Training/density/train.py --data "$data" --yolox Models/yolox-nano/yolox_nano.onnx \
  --out "$out" --run "${RUN:-all}" --threads "$(nproc)" 2>&1 | tee "$out/train.log"
fi
if [ "${INSTALL:-0}" = 1 ]; then
  mkdir -p Models/crowd-density
  cp "$out/density-final.onnx" Models/crowd-density/crowd_density.onnx
  echo "train-density: Models/crowd-density/crowd_density.onnx sha256 $(sha256sum Models/crowd-density/crowd_density.onnx | cut -d' ' -f1)"
  # The people passes' own density is this head on the detector: remade with it, or it would keep the
  # old head. A fine-tuned backbone is not the detector's, and combine.py refuses it: the old file
  # then stays, and LearnedModelFile.peopleDensity's digest still names it.
  if "$python" Training/density/combine.py Models/yolox-nano/yolox_nano.onnx Models/crowd-density/crowd_density.onnx Models/crowd-density/people_density.onnx; then
    echo "train-density: Models/crowd-density/people_density.onnx sha256 $(sha256sum Models/crowd-density/people_density.onnx | cut -d' ' -f1)"
  fi
  echo "train-density: put the new sha256(s) into Sources/ModelStore/LearnedModelFile.swift and Models/crowd-density/README.md"
fi
