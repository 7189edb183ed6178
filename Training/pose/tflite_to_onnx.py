# tflite2onnx 0.4.1 plus two monkeypatches (no edits in site-packages):
#  1. a PAD "paddings" constant shared by several PAD ops is transformed once per op
#     (crash: "IndexError: too many indices for array") -> make the transform idempotent;
#  2. DEPTH_TO_SPACE is not supported -> map to ONNX DepthToSpace (mode DCR = TF semantics, NCHW).
import sys, logging, tflite
import tflite2onnx
from tflite2onnx.op import padding
from tflite2onnx.op.common import Operator, OpFactory
from tflite2onnx.layout import Layout

_orig = padding.Padding.transform
def _pad_transform(self):
    pt = self.inputs[1]
    if getattr(pt, "_pads_done", False):
        return
    _orig(self)
    pt._pads_done = True
padding.Padding.transform = _pad_transform

class DepthToSpace(Operator):
    TypeMapping = {tflite.BuiltinOperator.DEPTH_TO_SPACE: 'DepthToSpace'}
    def __init__(self, TFactory, index):
        super().__init__(TFactory, index)
        self.attrs['mode'] = 'DCR'
        self.setInited()
    @property
    def type(self):
        return 'DepthToSpace'
    def parse(self):
        op = self.tflite
        self.parseInput(0, Layout('NHWC', 'NCHW'))
        self.parseOutput(0, Layout('NHWC', 'NCHW'))
        opt = tflite.DepthToSpaceOptions()
        o = op.BuiltinOptions(); opt.Init(o.Bytes, o.Pos)
        self.attrs['blocksize'] = opt.BlockSize()
        self.setParsed()
    def propagatableTensors(self):
        return list()
    def transform(self):
        pass
OpFactory.register(DepthToSpace)

tflite2onnx.convert(sys.argv[1], sys.argv[2])
