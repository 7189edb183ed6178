#!/usr/bin/env bash
# Makes BlazePose's pose detector and full landmark model (Google's, Apache-2.0, shipped in the
# PyPI wheel mediapipe==0.10.21) ONNX models for onnxruntime, and checks each against the TFLite
# original run by ai-edge-litert on a real frame of ../shared/data/falls-gmdcsa24 (issue 19's
# groundwork: the fall detector's pose runs through Retina's one inference runtime).
#
#   Training/pose/convert.sh          # → .build/pose/{pose_detection,pose_landmark_full,pose_landmark}.onnx
#   INSTALL=1 Training/pose/convert.sh   # also copy pose_landmark.onnx to Models/pose/ (then update its sha256)
#
# PyPI only (a venv in .venv-pose/). tflite2onnx 0.4.1 needs two fixes made at run time
# (tflite_to_onnx.py), and the detector's 38 DENSIFY ops replaced by their dense weights first
# (densify_tflite.py). The ONNX bytes differ from run to run: pin the produced files, not the recipe.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-.build/pose}
venv=${VENV:-.venv-pose}
clip=${CLIP:-$(cd .. && pwd)/shared/data/falls-gmdcsa24/Subject_1/Fall/13.mp4}
whl=mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl
mkdir -p "$out/wheel"
if [ ! -x "$venv/bin/python" ]; then
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet onnxruntime==1.31.1 tflite2onnx==0.4.1 tflite==2.18.0 ai-edge-litert==2.3.0 \
    flatbuffers==25.12.19 onnx==1.23.2 numpy==2.4.6
fi
[ -f "$out/wheel/$whl" ] || "$venv/bin/pip" download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
  --platform manylinux_2_28_x86_64 mediapipe==0.10.21 -d "$out/wheel"
(cd "$out" && unzip -o -q -j "wheel/$whl" mediapipe/modules/pose_detection/pose_detection.tflite \
  mediapipe/modules/pose_landmark/pose_landmark_full.tflite mediapipe/tasks/metadata/schema_py_generated.py \
  mediapipe-0.10.21.dist-info/LICENSE)
py=$venv/bin/python
echo "pose: densifying the detector" >&2
$py Training/pose/densify_tflite.py "$out/pose_detection.tflite" "$out/pose_detection_dense.tflite" "$out"
echo "pose: converting" >&2
$py Training/pose/tflite_to_onnx.py "$out/pose_landmark_full.tflite" "$out/pose_landmark_full.onnx"
$py Training/pose/tflite_to_onnx.py "$out/pose_detection_dense.tflite" "$out/pose_detection.onnx"
$py Training/pose/prune.py "$out/pose_landmark_full.onnx" "$out/pose_landmark.onnx"
if [ -f "$clip" ]; then
  echo "pose: checking against TFLite on a frame of $clip" >&2
  ffmpeg -v error -y -ss 1 -i "$clip" -frames:v 1 -vf "crop=250:250:195:230,scale=256:256" -f rawvideo -pix_fmt rgb24 "$out/crop256.rgb"
  ffmpeg -v error -y -ss 1 -i "$clip" -frames:v 1 -vf "scale=224:168,pad=224:224:0:28" -f rawvideo -pix_fmt rgb24 "$out/det224.rgb"
  $py Training/pose/compare.py "$out/pose_landmark_full.tflite" "$out/pose_landmark_full.onnx" "$out/crop256.rgb" 256 0 1
  $py Training/pose/compare.py "$out/pose_detection.tflite" "$out/pose_detection.onnx" "$out/det224.rgb" 224 -1 1
else
  echo "pose: $clip missing: not checked against TFLite" >&2
fi
sha256sum "$out"/*.onnx
if [ "${INSTALL:-0}" = 1 ]; then
  mkdir -p Models/pose
  cp "$out/pose_landmark.onnx" Models/pose/pose_landmark.onnx
  cp "$out/LICENSE" Models/pose/LICENSE
  echo "pose: Models/pose/pose_landmark.onnx sha256 $(sha256sum Models/pose/pose_landmark.onnx | cut -d' ' -f1)"
fi
