"""Fine-tunes the whole crowd-density model end to end: YOLOX-Nano's backbone and feature pyramid
(from its COCO weights) together with the density head, on ShanghaiTech's pictures, and writes it
as the same ONNX graph train.py writes (export.write with the fine-tuned weights).

    python3 finetune.py --data DIR --yolox Models/yolox-nano/yolox_nano.onnx --out OUT --run 0|1|…|final [--device cuda]

train.py trains the head on frozen, cached features (2 CPU cores); this trains every weight on
random crops of the pictures themselves, which needs a GPU for the epochs it takes (about 5 minutes a
run on one H200, six runs at once). Same folds (train.folds_of), same head, same loss, same floor rule, same export, so the
two recipes' models are scored the same way (Benchmarks/detectors.sh).

Every random choice is seeded; GPU kernels are not bit-reproducible, so reruns agree to rounding."""
import argparse, csv, math, os, random, sys, time
from collections import defaultdict
import numpy as np
import onnx
import torch, torch.nn.functional as F
from PIL import Image
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export
from export import backbone_graph
from features import PARTS, input_size, picture_order
from graph import OnnxGraph
from train import DensityHead, folds_of, gaussian, score_fold


class Model(torch.nn.Module):
    def __init__(self, yolox, width):
        super().__init__()
        self.backbone = OnnxGraph(backbone_graph(yolox))
        self.head = DensityHead(width)

    def forward(self, x):
        pan8, pan16, reg8, cls8 = self.backbone(x)
        return self.head(torch.cat([pan8, reg8, cls8], 1), pan16)


def load_pictures(data, parts, device):
    """(part, name) → (BGR uint8 3×H×W at the model's input size, people per stride-8 cell, count)."""
    pictures = {}
    for part in parts:
        points = defaultdict(list)
        for r in csv.DictReader(open(f'{data}/{part}/head_points.csv')):
            points[r['image']].append((float(r['x']), float(r['y'])))
        counts = {r['image']: int(r['count']) for r in csv.DictReader(open(f'{data}/{part}/counts.csv'))}
        for name in sorted(counts, key=picture_order):
            img = Image.open(f'{data}/{part}/images/{name}').convert('RGB')
            W, H = input_size(*img.size)
            sx, sy = W / img.size[0], H / img.size[1]
            bgr = np.asarray(img.resize((W, H), Image.BILINEAR), np.uint8)[:, :, ::-1].transpose(2, 0, 1).copy()
            cells = np.zeros((H // 8, W // 8), np.float32)
            for px, py in points[name]:
                cells[min(max(int(py * sy / 8), 0), H // 8 - 1), min(max(int(px * sx / 8), 0), W // 8 - 1)] += 1
            pictures[(part, name)] = (torch.from_numpy(bgr).to(device), torch.from_numpy(cells).to(device), counts[name])
        print(f'pictures: {part} {len(counts)}', flush=True)
    return pictures


def batches(chosen, targets, rng, batch, crop):
    """One epoch: each picture once, a random crop (corner on the 32-pixel grid, so that the crop's
    features are the whole picture's), mirrored half the time; pictures smaller than the crop are
    padded with black and no people."""
    order = list(range(len(chosen))); rng.shuffle(order)
    c = crop // 8
    for i in range(0, len(order), batch):
        xs, ys = [], []
        for j in order[i:i + batch]:
            img, density = chosen[j][0], targets[j]
            H, W = img.shape[1:]
            h, w = min(crop, H), min(crop, W)
            y = rng.randrange(0, (H - h) // 32 + 1) * 32; x = rng.randrange(0, (W - w) // 32 + 1) * 32
            xi = img[:, y:y + h, x:x + w]; di = density[y // 8:(y + h) // 8, x // 8:(x + w) // 8]
            if rng.random() < 0.5:
                xi = xi.flip(2); di = di.flip(1)
            xs.append(F.pad(xi, (0, crop - w, 0, crop - h))); ys.append(F.pad(di, (0, c - w // 8, 0, c - h // 8)))
        yield torch.stack(xs).float(), torch.stack(ys)[:, None]


def make_optimiser(model, args, steps):
    opt = torch.optim.Adam([{'params': model.backbone.parameters(), 'lr': args.backbone_lr},
                            {'params': model.head.parameters(), 'lr': args.lr}], weight_decay=1e-5)
    warm = max(1, steps // 50)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warm) * 0.5 * (1 + math.cos(math.pi * min(s, steps) / steps)))
    return opt, sched


def step(model, opt, sched, x, density, args, device):
    with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=device.type == 'cuda'):
        p = model(x)
    p = p.float() * args.scale
    loss = F.mse_loss(p, density) + args.count_weight * (p.sum((1, 2, 3)) - density.sum((1, 2, 3))).abs().mean()
    opt.zero_grad(set_to_none=True); loss.backward(); opt.step(); sched.step()
    return loss


def session(path, threads):
    import onnxruntime as ort
    opts = ort.SessionOptions(); opts.intra_op_num_threads = threads
    return ort.InferenceSession(path, opts, providers=['CPUExecutionProvider'])


def run_onnx(sess, img):
    """The ONNX model's density map of a picture, in float32 on the CPU: the numbers Retina gets."""
    return sess.run(None, {'images': img.cpu().numpy()[None].astype(np.float32)})[0][0, 0]


def calibrate(model, backbone, chosen, args, log):
    """Chooses the floor and a count scale on the training pictures from the exported model run by
    onnxruntime in float32. Trained under bfloat16, the network's small per-cell values read lower
    in float32 (by about a tenth on ShanghaiTech B: the rounding noise that ReLU turned into counts
    is gone), so they are fitted where the product runs them, not on the GPU."""
    model.head.floor.fill_(0)
    path = f'{args.out}/.calibrating-{args.run}.onnx'
    export.write(model.head, args.yolox, path, backbone=backbone)
    sess = session(path, args.threads)
    maps = []
    for i, c in enumerate(chosen):
        maps.append((run_onnx(sess, c[0]), c[2]))
        if (i + 1) % 100 == 0:
            print(f'{log} calibrating {i + 1}/{len(chosen)}', flush=True)
    os.remove(path)
    best = None
    for f in [0, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03]:
        sums = np.array([np.maximum(m - f, 0).sum() for m, _ in maps]); counts = np.array([n for _, n in maps], float)
        # The scale minimising the mean |s·sum − count|: the median of count/sum weighted by sum.
        ok = sums > 0; ratio = counts[ok] / sums[ok]; w = sums[ok]; o = np.argsort(ratio)
        scale = float(ratio[o][np.searchsorted(np.cumsum(w[o]), w.sum() / 2)]) if ok.any() else 1.0
        err = float(np.mean(np.abs(scale * sums - counts)))
        if best is None or err < best[0]:
            best = (err, f, scale)
    err, floor, scale = best
    model.head.floor.fill_(floor)
    print(f'{log} floor {floor}, count scale {scale:.3f} (training MAE {err:.2f}, onnxruntime float32)', flush=True)
    return scale


def train(model, chosen, args, device, log):
    K = gaussian().to(device)
    targets = [F.conv2d(c[1][None, None], K, padding=3)[0, 0] * args.scale for c in chosen]
    epochs = args.epochs
    rng = random.Random(args.seed); torch.manual_seed(args.seed)
    steps = epochs * math.ceil(len(chosen) / args.batch)
    opt, sched = make_optimiser(model, args, steps)
    for epoch in range(epochs):
        model.train(); t, total = time.time(), 0.0
        for x, d in batches(chosen, targets, rng, args.batch, args.crop):
            total += step(model, opt, sched, x, d, args, device).detach()  # no float(): it would wait for the GPU every step
        if (epoch + 1) % max(1, epochs // 20) == 0 or epoch + 1 == epochs:
            print(f'{log} epoch {epoch + 1}/{epochs} loss {float(total):.1f} ({time.time() - t:.1f} s)', flush=True)
    return epochs


def save(model, args, epochs, scale, path):
    torch.save({'backbone': {k: torch.from_numpy(v) for k, v in model.backbone.weights().items()}, 'head': {k: v.cpu() for k, v in model.head.state_dict().items()},
                'width': args.width, 'epochs': epochs, 'scale': scale}, path)


def export_saved(pt, yolox, out):
    """Writes the ONNX model of a run saved by `save` (also on a machine without a GPU)."""
    state = torch.load(pt, map_location='cpu')
    head = DensityHead(state['width']); head.load_state_dict(state['head'])
    export.write(head, yolox, out, backbone={k: v.numpy() for k, v in state['backbone'].items()}, scale=state.get('scale', 1.0))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', required=True, help='folder holding part_B_train/ and part_A_test/ (images/, counts.csv, head_points.csv)')
    ap.add_argument('--yolox', required=True, help='yolox_nano.onnx')
    ap.add_argument('--out', required=True)
    ap.add_argument('--run', help="a fold number or 'final'")
    ap.add_argument('--folds', type=int, default=5)
    ap.add_argument('--epochs', type=int, default=250)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--crop', type=int, default=384, help='training crop in pixels (a multiple of 32)')
    ap.add_argument('--lr', type=float, default=1e-3, help="the head's learning rate")
    ap.add_argument('--backbone-lr', type=float, default=1e-4)
    ap.add_argument('--width', type=int, default=32)
    ap.add_argument('--count-weight', type=float, default=0.1)
    ap.add_argument('--scale', type=float, default=100.0)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--threads', type=int, default=2, help="onnxruntime's threads for calibrating and scoring")
    ap.add_argument('--export', metavar='RUN.pt', help='only write OUT/density-RUN.onnx from a saved run')
    ap.add_argument('--calibrate', metavar='RUN.pt', help='only choose the floor and count scale of a saved run again, then score and export it')
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.export:
        run = os.path.basename(args.export)[len('finetuned-'):-3]
        export_saved(args.export, args.yolox, f'{args.out}/density-{run}.onnx'); return
    if args.calibrate:
        args.run = os.path.basename(args.calibrate)[len('finetuned-'):-3]
    if args.run is None:
        ap.error('--run is required (a fold number or final)')
    device = torch.device(args.device)
    torch.backends.cudnn.benchmark = False  # held-out pictures come in many sizes: autotuning each took longer than the run
    parts = [p for p in PARTS if os.path.exists(f'{args.data}/{p}/counts.csv')]
    if parts != list(PARTS):
        print(f'finetune: only {parts} found under {args.data}: training without the others', file=sys.stderr, flush=True)
    pictures = load_pictures(args.data, parts, device)
    fold = folds_of(pictures, args.folds)
    r = 'final' if args.run == 'final' else int(args.run)
    chosen = [v for k, v in pictures.items() if r == 'final' or fold[k] != r]
    torch.manual_seed(args.seed)
    model = Model(args.yolox, args.width)
    if args.calibrate:
        state = torch.load(args.calibrate, map_location='cpu')
        model.head.load_state_dict(state['head']); epochs = state['epochs']
        for n, p in zip(model.backbone.names, model.backbone.params):
            p.data = state['backbone'][n].float()
    else:
        model = model.to(device)
        t = time.time()
        epochs = train(model, chosen, args, device, f'[{r}]')
        print(f'[{r}] trained in {time.time() - t:.0f} s', flush=True)
    model = model.cpu().float().eval()
    backbone = model.backbone.weights()
    scale = calibrate(model, backbone, chosen, args, f'[{r}]')
    save(model, args, epochs, scale, f'{args.out}/finetuned-{r}.pt')
    export.write(model.head, args.yolox, f'{args.out}/density-{r}.onnx', backbone=backbone, scale=scale)
    if r == 'final':
        return
    sess = session(f'{args.out}/density-{r}.onnx', args.threads)
    score_fold(args.out, r, parts, fold, lambda part, n: (pictures[(part, n)][2], float(run_onnx(sess, pictures[(part, n)][0]).sum())))

if __name__ == '__main__':
    main()
