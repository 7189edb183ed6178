"""Writes a trained density head as ONNX: YOLOX-Nano's own graph cut after the features the head
reads (its weights as trained: YOLOX's own when frozen, finetune.py's when fine-tuned), the head
appended as ONNX nodes, batch norm folded into the first convolution, the trained floor and count
scale into the last. The input size is left free (H, W multiples of 32)."""
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

# The feature maps the head reads, by their names in yolox_nano.onnx (sha256 e8af0749…).
FEATURES = {
    'pan8': 'input.471',    # PAN output, stride 8, 64 channels
    'pan16': 'input.531',   # PAN output, stride 16, 128 channels
    'reg8': 'input.663',    # detection head's box-regression features, stride 8, 64 channels
    'cls8': 'input.631',    # detection head's class features, stride 8, 64 channels
}


def backbone_graph(yolox_path):
    """yolox_nano.onnx up to FEATURES (outputs in the order pan8, pan16, reg8, cls8), any input size."""
    model = onnx.utils.Extractor(onnx.load(yolox_path)).extract_model(['images'], [FEATURES[k] for k in ('pan8', 'pan16', 'reg8', 'cls8')])
    dims = model.graph.input[0].type.tensor_type.shape.dim
    dims[2].dim_param, dims[3].dim_param = 'height', 'width'
    del model.graph.value_info[:]  # shapes inferred at 416×416 no longer hold
    for out in model.graph.output:
        for i, d in enumerate(out.type.tensor_type.shape.dim):
            if i >= 2:
                d.dim_param = f'{out.name}.{i}'
    return model


def _t(x):
    return x.detach().cpu().numpy().astype(np.float32)


def write(head, yolox_path, out_path, backbone=None, scale=1.0):
    """`backbone`: fine-tuned weights by initializer name (graph.OnnxGraph.weights()); None keeps
    YOLOX's own. `scale` multiplies the output: relu(s·(d − floor)) = s·relu(d − floor) for s > 0."""
    head.eval()
    base = onnx.load(yolox_path)
    model = backbone_graph(yolox_path)
    g = model.graph
    for init in g.initializer if backbone else []:
        if init.name in backbone:
            init.CopyFrom(numpy_helper.from_array(backbone[init.name].astype(np.float32), init.name))
    resize = next(n for n in base.graph.node if n.op_type == 'Resize')
    nodes, inits = [], []

    def const(name, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr, dtype=np.float32), name))
        return name

    def conv(name, x, m, w=None, b=None):
        w = _t(m.weight) if w is None else w
        b = _t(m.bias) if b is None else b
        nodes.append(helper.make_node('Conv', [x, const(f'{name}.w', w), const(f'{name}.b', b)], [name],
                                      kernel_shape=list(w.shape[2:]), pads=[m.padding[0], m.padding[1]] * 2,
                                      dilations=list(m.dilation), strides=[1, 1], group=1))
        return name

    def relu(x):
        nodes.append(helper.make_node('Relu', [x], [x + '.relu']))
        return x + '.relu'

    f = FEATURES
    nodes.append(helper.make_node('Resize', [f['pan16'], const('density.roi', []), const('density.up', [1, 1, 2, 2])], ['density.pan16x2'],
                                  **{a.name: helper.get_attribute_value(a) for a in resize.attribute}))
    nodes.append(helper.make_node('Concat', [f['pan8'], f['reg8'], f['cls8'], 'density.pan16x2'], ['density.in'], axis=1))
    bn = head.norm
    k = _t(bn.weight) / np.sqrt(_t(bn.running_var) + bn.eps)
    c = _t(bn.bias) - _t(bn.running_mean) * k
    wa = _t(head.a.weight)
    x = relu(conv('density.a', 'density.in', head.a, w=wa * k[None, :, None, None], b=_t(head.a.bias) + (wa[:, :, 0, 0] * c[None, :]).sum(1)))
    x = relu(conv('density.b', x, head.b))
    x = relu(conv('density.c', x, head.c))
    x = conv('density.d', x, head.d, w=_t(head.d.weight) * scale, b=(_t(head.d.bias) - float(head.floor)) * scale)
    nodes.append(helper.make_node('Relu', [x], ['density']))
    g.node.extend(nodes)
    g.initializer.extend(inits)
    del g.output[:]
    g.output.append(helper.make_tensor_value_info('density', TensorProto.FLOAT, [1, 1, 'rows', 'columns']))
    out = helper.make_model(g, opset_imports=base.opset_import, producer_name='retina Training/density')
    out.ir_version = base.ir_version
    onnx.checker.check_model(out)
    onnx.save(out, out_path)
