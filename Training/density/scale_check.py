"""Held-out ShanghaiTech pictures through each fold's density model at several scales: does a
smaller picture of a scene count better at its own size or at the scene's (1024)? Benchmarks/README
(counting on a substream) has what it printed.

    .venv-train/bin/python Training/density/scale_check.py ../shared/data/shanghaitech .build/density

Needs the fold models and held-out lists of scripts/train-density.sh. B pictures are made 640x480
and fed at 640x480 and at 1024x768; A pictures natively under 1024 px are fed at their own size
and scaled up to 1024. Prints one markdown row per case: n, MAE, MAPE, mean counted / true."""
import sys, numpy as np, onnxruntime as ort
from PIL import Image
data, dens = sys.argv[1], sys.argv[2]
def sides(w, h, longer):
    s = longer / max(w, h); return max(32, round(w * s / 32) * 32), max(32, round(h * s / 32) * 32)
def run(sess, img, W, H):
    x = np.asarray(img.resize((W, H), Image.BILINEAR), np.float32)[:, :, ::-1].transpose(2, 0, 1)[None].copy()
    return float(sess.run(None, {"images": x})[0].sum())
so = ort.SessionOptions(); so.intra_op_num_threads = 2
rows = {}
for part in ["part_B_train", "part_A_test"]:
    truth = dict(l.split(",") for l in open(f"{data}/{part}/counts.csv").read().split()[1:])
    for k in range(5):
        sess = ort.InferenceSession(f"{dens}/density-{k}.onnx", so)
        for name in open(f"{dens}/fold-{k}-{part}.txt").read().split():
            img = Image.open(f"{data}/{part}/images/{name}").convert("RGB"); w, h = img.size; t = float(truth[name])
            if part == "part_B_train":
                small = img.resize((640, 480), Image.BILINEAR)
                r = {"B at 1024x768 (its own size)": run(sess, img, 1024, 768),
                     "B made 640x480, fed at 640x480": run(sess, small, 640, 480),
                     "B made 640x480, fed at 1024x768": run(sess, small, 1024, 768)}
            elif max(w, h) < 1024:
                r = {"A under 1024, fed at its own size": run(sess, img, *sides(w, h, max(w, h))),
                     "A under 1024, fed at 1024": run(sess, img, *sides(w, h, 1024))}
            else:
                continue
            for key, e in r.items(): rows.setdefault(key, []).append((e, t))
    print(part, "done", file=sys.stderr)
for key, v in rows.items():
    e, t = np.array(v).T
    print(f"| {key} | {len(e)} | {np.abs(e-t).mean():.2f} | {100*np.mean(np.abs(e-t)/t):.1f} % | {e.mean():.1f} / {t.mean():.1f} |")
