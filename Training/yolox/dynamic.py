"""YOLOX-Nano with any input size that is a multiple of 32: the YOLOX project's ONNX export
(../shared/models/yolox-nano/yolox_nano.onnx, fixed at 1x3x416x416) with its input's height and
width and its output's row count made symbolic, and the inferred shapes of its intermediate
tensors (all for 416x416) dropped. Nothing else changes (the graph's reshapes are
already [1, 85, -1]): at 416x416 it gives the same outputs bit for bit, checked here.

    python3 Training/yolox/dynamic.py ../shared/models/yolox-nano/yolox_nano.onnx Models/yolox-nano/yolox_nano.onnx

Needs the PyPI packages onnx and onnxruntime.
"""
import sys

import numpy as np
import onnx
import onnxruntime as ort


def main(source, target):
    model = onnx.load(source)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    dims[2].dim_param, dims[3].dim_param = "height", "width"
    model.graph.output[0].type.tensor_type.shape.dim[1].dim_param = "rows"
    # The export's inferred shapes of every intermediate tensor are for 416x416 only.
    del model.graph.value_info[:]
    onnx.checker.check_model(model)
    onnx.save(model, target)
    rng = np.random.default_rng(0)
    picture = (rng.random((1, 3, 416, 416)) * 255).astype(np.float32)
    before = ort.InferenceSession(source, providers=["CPUExecutionProvider"]).run(None, {"images": picture})[0]
    after = ort.InferenceSession(target, providers=["CPUExecutionProvider"])
    same = after.run(None, {"images": picture})[0]
    assert np.array_equal(before, same), "outputs differ at 416x416"
    wide = after.run(None, {"images": picture[:, :, :256, :]})[0]
    assert wide.shape == (1, 52 * 32 + 26 * 16 + 13 * 8, 85), wide.shape
    print(f"{target}: 416x416 outputs identical to the original; 416x256 gives {wide.shape[1]} rows")


if __name__ == "__main__":
    main(*sys.argv[1:3])
