import sys, numpy as np, onnxruntime as ort
from ai_edge_litert.interpreter import Interpreter
tfl, onx, raw, size, lo, hi = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
img = np.fromfile(raw, np.uint8).reshape(1, size, size, 3).astype(np.float32)
x = lo + img / 255.0 * (hi - lo)          # RGB, NHWC
it = Interpreter(model_path=tfl); it.allocate_tensors()
it.set_tensor(it.get_input_details()[0]['index'], x); it.invoke()
ref = {d['name']: it.get_tensor(d['index']) for d in it.get_output_details()}
s = ort.InferenceSession(onx, providers=['CPUExecutionProvider'])
inp = s.get_inputs()[0]
xo = x if inp.shape[-1] == 3 else x.transpose(0, 3, 1, 2)
outs = s.run(None, {inp.name: xo})
for o, v in zip(s.get_outputs(), outs):
    r = ref[o.name]
    if v.ndim == 4 and v.shape != r.shape: v = v.transpose(0, 2, 3, 1)
    print(f"{o.name:12s} shape={r.shape} maxabs={np.abs(v - r).max():.3e} ref_range=[{r.min():.3f},{r.max():.3f}]")
np.save(raw + '.ref.npy', ref['Identity']) if 'Identity' in ref else None
if ref['Identity'].shape[-1] == 195:
    lm = ref['Identity'].reshape(39, 5); sig = lambda t: 1/(1+np.exp(-t))
    print('pose flag (Identity_1):', ref['Identity_1'].ravel())
    for i in [0, 11, 12, 15, 16, 23, 24, 27, 28, 33, 34]:
        print(i, 'x,y,z=%.1f %.1f %.1f vis=%.3f pres=%.3f' % (lm[i,0], lm[i,1], lm[i,2], sig(lm[i,3]), sig(lm[i,4])))
