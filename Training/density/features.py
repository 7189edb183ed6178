"""Caches the frozen YOLOX-Nano features the density head reads, for every training picture and its
mirror image: stride 8 (PAN output + the detection head's box and class features, 192 channels)
and stride 16 (PAN output, 128 channels), float16, with the head points binned into stride-8 cells.

The picture is resized so that each side is a multiple of 32, at its own scale (as Retina feeds
the model: Sources/Perception/CrowdDensityEstimator.swift), BGR 0–255 as YOLOX expects."""
import csv, os
from collections import defaultdict
import numpy as np
import onnxruntime as ort
from PIL import Image
from export import backbone_graph

PARTS = ('part_B_train', 'part_A_test')


def picture_order(name):
    return int(''.join(c for c in name if c.isdigit()) or 0), name


def input_size(w, h, max_side=1024):
    scale = min(1.0, max_side / max(w, h))
    return max(32, round(w * scale / 32) * 32), max(32, round(h * scale / 32) * 32)


def cache(data, yolox, out, threads):
    opts = ort.SessionOptions(); opts.intra_op_num_threads = threads
    session = ort.InferenceSession(backbone_graph(yolox).SerializeToString(), opts, providers=['CPUExecutionProvider'])
    for part in PARTS:
        os.makedirs(f'{out}/{part}', exist_ok=True)
        points = defaultdict(list)
        for r in csv.DictReader(open(f'{data}/{part}/head_points.csv')):
            points[r['image']].append((float(r['x']), float(r['y'])))
        counts = {r['image']: int(r['count']) for r in csv.DictReader(open(f'{data}/{part}/counts.csv'))}
        names = sorted(counts, key=picture_order)
        for i, name in enumerate(names):
            if os.path.exists(f'{out}/{part}/{name}.1.npz'):
                continue
            img = Image.open(f'{data}/{part}/images/{name}').convert('RGB')
            W, H = input_size(*img.size)
            sx, sy = W / img.size[0], H / img.size[1]
            for flip in (0, 1):
                im = img.transpose(Image.FLIP_LEFT_RIGHT) if flip else img
                x = np.asarray(im.resize((W, H), Image.BILINEAR), np.float32)[:, :, ::-1].transpose(2, 0, 1)[None].copy()
                pan8, pan16, reg8, cls8 = session.run(None, {'images': x})
                cells = np.zeros((H // 8, W // 8), np.float32)
                for px, py in points[name]:
                    if flip:
                        px = img.size[0] - px
                    cells[min(max(int(py * sy / 8), 0), H // 8 - 1), min(max(int(px * sx / 8), 0), W // 8 - 1)] += 1
                np.savez(f'{out}/{part}/{name}.{flip}.npz', s8=np.concatenate([pan8, reg8, cls8], 1)[0].astype(np.float16),
                         s16=pan16[0].astype(np.float16), cells=cells, count=counts[name])
            if (i + 1) % 25 == 0 or i + 1 == len(names):
                print(f'features: {part} {i + 1}/{len(names)}', flush=True)
