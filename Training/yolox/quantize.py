"""YOLOX-Nano with 8-bit weights and activations (ONNX Runtime's static QDQ quantisation), for
the people passes of many cameras on a small CPU.

    python3 Training/yolox/quantize.py Models/yolox-nano/yolox_nano.onnx OUT.onnx FRAME.png...

The activations' ranges are calibrated on the given pictures, fed as Retina feeds them (the longer
side 416, the shorter fitted to a multiple of 32, padded with 114 right and bottom, B, G, R planes
0-255). Pass pictures of no dataset the detector is scored on. Deterministic for the same inputs.
It prints the speed of both models (1 thread, 416x256, ONNX Runtime's own timing over 200 runs).
Measured 2026-12-05: 9.22 -> 7.37 ms (1.25x), too little to ship (Benchmarks/README, issue 20):
Retina does not load the result.
"""
import sys, time
import numpy as np
import onnxruntime as ort
from PIL import Image
from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                      quantize_static)
from onnxruntime.quantization.shape_inference import quant_pre_process


def letterbox(path, longer=416):
    img = Image.open(path).convert("RGB")
    w, h = img.size
    s = longer / max(w, h)
    sw, sh = max(1, round(w * s)), max(1, round(h * s))
    W, H = (longer, -(-sh // 32) * 32) if w >= h else (-(-sw // 32) * 32, longer)
    canvas = np.full((H, W, 3), 114, np.uint8)
    canvas[:sh, :sw] = np.asarray(img.resize((sw, sh), Image.BILINEAR))
    bgr = canvas[:, :, ::-1].astype(np.float32)
    return np.ascontiguousarray(bgr.transpose(2, 0, 1)[None])


class Frames(CalibrationDataReader):
    def __init__(self, paths):
        self.items = iter([{"images": letterbox(p)} for p in paths])

    def get_next(self):
        return next(self.items, None)


def speed(model, shape=(1, 3, 256, 416), runs=200):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    s = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).uniform(0, 255, shape).astype(np.float32)
    for _ in range(20):
        s.run(None, {"images": x})
    t = time.perf_counter()
    for _ in range(runs):
        s.run(None, {"images": x})
    return (time.perf_counter() - t) / runs * 1000


def main():
    src, out, frames = sys.argv[1], sys.argv[2], sorted(sys.argv[3:])
    if not frames:
        sys.exit("give calibration pictures")
    # Per-channel weights need DequantizeLinear's axis: opset 13 or later (the export is older).
    import onnx
    from onnx import version_converter
    model = onnx.load(src)
    if model.opset_import[0].version < 13:
        model = version_converter.convert_version(model, 13)
    up = out + ".opset13.onnx"
    onnx.save(model, up)
    pre = out + ".pre.onnx"
    quant_pre_process(up, pre, skip_symbolic_shape=True)
    quantize_static(pre, out, Frames(frames), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax)
    print(f"calibrated on {len(frames)} pictures -> {out}")
    print(f"ms per 416x256 pass, 1 thread: float {speed(src):.2f}, int8 {speed(out):.2f}")


if __name__ == "__main__":
    main()
