"""YOLOX-Nano's feature graph (export.backbone_graph) as a PyTorch module whose convolution weights
train, so that the density model can fine-tune the backbone and still be written back into the
very same ONNX graph (export.write(..., backbone=weights())): no second definition of the network
to keep in step with the shipped one.

Only the operators that graph uses are known (Conv, Sigmoid, Mul, Add, Concat, Slice, MaxPool,
nearest Resize); any other is refused by name."""
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F
from onnx import numpy_helper, helper


class OnnxGraph(nn.Module):
    def __init__(self, model):
        super().__init__()
        g = model.graph
        self.input = g.input[0].name
        self.outputs = [o.name for o in g.output]
        inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
        conv_params = {n.input[k] for n in g.node if n.op_type == 'Conv' for k in (1, 2) if len(n.input) > k}
        # Convolution weights train; every other initializer (slice bounds, resize scales) is a constant.
        self.names = sorted(conv_params)
        self.params = nn.ParameterList([nn.Parameter(torch.from_numpy(inits[n].astype(np.float32).copy())) for n in self.names])
        self.index = {n: i for i, n in enumerate(self.names)}
        self.constants = {n: v for n, v in inits.items() if n not in conv_params}
        self.nodes = []
        for n in g.node:
            attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
            if n.op_type not in ('Conv', 'Sigmoid', 'Mul', 'Add', 'Concat', 'Slice', 'MaxPool', 'Resize'):
                raise ValueError(f'graph.py does not know the ONNX operator {n.op_type} (node {n.name})')
            if n.op_type == 'Resize' and attrs.get('mode', b'nearest') != b'nearest':
                raise ValueError(f'only nearest Resize is known, not {attrs["mode"]}')
            self.nodes.append((n.op_type, list(n.input), list(n.output), attrs))

    def weights(self):
        """The trained convolution weights by their ONNX initializer names."""
        return {n: p.detach().float().cpu().numpy() for n, p in zip(self.names, self.params)}

    def forward(self, x):
        v = {self.input: x}

        def get(name):
            if name in v:
                return v[name]
            if name in self.index:
                return self.params[self.index[name]]
            return self.constants[name]

        for op, ins, outs, a in self.nodes:
            if op == 'Conv':
                p = a['pads']
                assert p[0] == p[2] and p[1] == p[3], 'asymmetric padding'
                y = F.conv2d(get(ins[0]), get(ins[1]), get(ins[2]) if len(ins) > 2 else None,
                             stride=a['strides'], padding=(p[0], p[1]), dilation=a['dilations'], groups=a['group'])
            elif op == 'Sigmoid':
                y = torch.sigmoid(get(ins[0]))
            elif op == 'Mul':
                y = get(ins[0]) * get(ins[1])
            elif op == 'Add':
                y = get(ins[0]) + get(ins[1])
            elif op == 'Concat':
                y = torch.cat([get(i) for i in ins], a['axis'])
            elif op == 'Slice':
                x0 = get(ins[0])
                starts, ends, axes, steps = (np.asarray(self.constants[i]).reshape(-1) for i in ins[1:5])
                index = [slice(None)] * x0.dim()
                for s, e, ax, st in zip(starts, ends, axes, steps):
                    index[int(ax)] = slice(int(s), int(min(e, 2 ** 31)), int(st))
                y = x0[tuple(index)]
            elif op == 'MaxPool':
                p = a['pads']
                y = F.max_pool2d(get(ins[0]), a['kernel_shape'], a['strides'], (p[0], p[1]))
            elif op == 'Resize':
                scales = np.asarray(self.constants[ins[2]]).reshape(-1)
                y = F.interpolate(get(ins[0]), scale_factor=(float(scales[2]), float(scales[3])), mode='nearest')
            v[outs[0]] = y
        return [v[o] for o in self.outputs]
