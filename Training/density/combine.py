"""Writes YOLOX-Nano with the crowd-density head on its own features: one graph, one pass, two
outputs, `output` (the detector's, unchanged) and `density` (people per stride-8 cell of the input).

The density head reads only tensors the detector computes anyway (export.FEATURES), so a camera's
people pass yields a density map for the price of the head (a few 1×1 and 3×3 convolutions at
stride 8). Its backbone must be the detector's own, unchanged: the frozen recipe's (checked here,
weight by weight). Deterministic: the same two files give the same bytes.

    python3 Training/density/combine.py Models/yolox-nano/yolox_nano.onnx \
        Models/crowd-density/crowd_density.onnx Models/crowd-density/people_density.onnx
"""
import sys
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
from export import FEATURES


def combine(yolox_path, density_path, out_path):
    yolox, density = onnx.load(yolox_path), onnx.load(density_path)
    weights = {i.name: i for i in yolox.graph.initializer}
    head_nodes = [n for n in density.graph.node if all(o.startswith('density') for o in n.output)]
    head_inputs = {i for n in head_nodes for i in n.input} - {o for n in head_nodes for o in n.output}
    head_inits = [i for i in density.graph.initializer if i.name in head_inputs]
    # Every tensor the head reads is a feature of the detector or one of its own weights.
    missing = head_inputs - set(FEATURES.values()) - {i.name for i in head_inits}
    if missing:
        sys.exit(f'combine: the density head reads {sorted(missing)}, which the detector does not compute')
    # The backbone under the head must be the detector's own weights, unchanged (a fine-tuned one is not).
    for init in density.graph.initializer:
        if init.name in head_inputs:
            continue
        mine = weights.get(init.name)
        if mine is None or not np.array_equal(numpy_helper.to_array(mine), numpy_helper.to_array(init)):
            sys.exit(f'combine: {density_path} has weight {init.name} unlike {yolox_path}: its backbone is not the detector\'s')
    g = yolox.graph
    g.node.extend(head_nodes)
    g.initializer.extend(head_inits)
    # Not `rows`: the detector's output already names its box count so.
    g.output.append(helper.make_tensor_value_info('density', TensorProto.FLOAT, [1, 1, 'density_rows', 'density_columns']))
    model = helper.make_model(g, opset_imports=yolox.opset_import, producer_name='retina Training/density/combine.py')
    model.ir_version = yolox.ir_version
    onnx.checker.check_model(model)
    onnx.save(model, out_path)


if __name__ == '__main__':
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    combine(*sys.argv[1:])
