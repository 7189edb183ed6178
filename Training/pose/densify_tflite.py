# python3 densify_tflite.py IN.tflite OUT.tflite SCHEMA_DIR
# Replace DENSIFY ops (sparse fp16 weights) by constant dense tensors, so tflite2onnx can parse the model.
import sys, numpy as np, flatbuffers
sys.path.insert(0, sys.argv[3])  # the folder holding schema_py_generated.py (in mediapipe's wheel: mediapipe/tasks/metadata/)
import schema_py_generated as S
from ai_edge_litert.interpreter import Interpreter, OpResolverType
src, dst = sys.argv[1], sys.argv[2]
buf = open(src, 'rb').read()
m = S.ModelT.InitFromPackedBuf(buf, 0)
it = Interpreter(model_path=src, experimental_preserve_all_tensors=True,
                 experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)  # XNNPACK would swallow DENSIFY outputs
it.allocate_tensors()
inp = it.get_input_details()[0]
it.set_tensor(inp['index'], np.zeros(inp['shape'], inp['dtype'])); it.invoke()
g = m.subgraphs[0]
code = lambda op: max(m.operatorCodes[op.opcodeIndex].builtinCode, m.operatorCodes[op.opcodeIndex].deprecatedBuiltinCode)
keep = []
for op in g.operators:
    if code(op) == S.BuiltinOperator.DENSIFY:
        o = op.outputs[0]
        dense = it.get_tensor(o)
        assert list(dense.shape) == list(g.tensors[o].shape), (dense.shape, g.tensors[o].shape)
        b = S.BufferT(); b.data = np.frombuffer(dense.tobytes(), np.uint8)
        m.buffers.append(b); g.tensors[o].buffer = len(m.buffers) - 1
    else:
        keep.append(op)
print('removed', len(g.operators) - len(keep), 'DENSIFY ops')
g.operators = keep
b = flatbuffers.Builder(0); b.Finish(m.Pack(b), file_identifier=b"TFL3")
open(dst, 'wb').write(b.Output())
