"""Trains Retina's crowd-density model and writes it as ONNX, with its k-fold scores.

    python3 train.py --data ../shared/data/shanghaitech --yolox Models/yolox-nano/yolox_nano.onnx --out OUT

YOLOX-Nano (COCO-pretrained, frozen) gives the features; a small head learns people per stride-8
cell from ShanghaiTech's head points (part B train: Shanghai streets; part A test: very dense
crowds). Runs: one per fold (k-fold by picture, each part split on its own; the held-out pictures'
names go to fold-K.txt for `retina eval --images`), then `final` on every picture: the shipped
model. Every random choice is seeded."""
import argparse, glob, json, os, random, sys, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export
from features import PARTS, cache, picture_order


class DensityHead(nn.Module):
    """Stride-8 features (192) + stride-16 features (128) upsampled → people per stride-8 cell."""
    def __init__(self, width=32):
        super().__init__()
        c = 192 + 128
        self.norm = nn.BatchNorm2d(c)
        self.a = nn.Conv2d(c, width, 1)
        self.b = nn.Conv2d(width, width, 3, padding=2, dilation=2)
        self.c = nn.Conv2d(width, width, 3, padding=1)
        self.d = nn.Conv2d(width, 1, 1)
        # People per cell below this are dropped: a small floor summed over empty walls and sky adds
        # up to many people. Chosen on the training pictures after training.
        self.register_buffer('floor', torch.zeros(()))

    def forward(self, s8, s16):
        x = torch.cat([s8, F.interpolate(s16, scale_factor=2.0, mode='nearest')], 1)
        x = F.relu(self.a(self.norm(x))); x = F.relu(self.b(x)); x = F.relu(self.c(x))
        x = self.d(x)
        return x if self.training else F.relu(x - self.floor)


def gaussian(sigma=1.0, r=3):
    x = torch.arange(-r, r + 1, dtype=torch.float32)
    g = torch.exp(-x ** 2 / (2 * sigma ** 2)); g = g / g.sum()
    return (g[:, None] * g[None, :])[None, None]


def load(cache_dir):
    pictures = {}
    for part in PARTS:
        for f in sorted(glob.glob(f'{cache_dir}/{part}/*.npz')):
            name, flip = os.path.basename(f)[:-4].rsplit('.', 1)
            z = np.load(f)
            pictures.setdefault((part, name), {})[int(flip)] = (torch.from_numpy(z['s8']), torch.from_numpy(z['s16']),
                                                                torch.from_numpy(z['cells']), int(z['count']))
    return pictures


def folds_of(pictures, k, seed=1):
    fold = {}
    for part in PARTS:
        names = sorted((n for p, n in pictures if p == part), key=picture_order)
        random.Random(seed).shuffle(names)
        fold.update({(part, n): j % k for j, n in enumerate(names)})
    return fold


def crop(s8, s16, cells, rng, size):
    H, W = cells.shape
    h, w = min(size, H - H % 2), min(size, W - W % 2)
    y = rng.randrange(0, H - h + 1) // 2 * 2; x = rng.randrange(0, W - w + 1) // 2 * 2
    return s8[:, y:y + h, x:x + w], s16[:, y // 2:(y + h) // 2, x // 2:(x + w) // 2], cells[y:y + h, x:x + w]


def train(pictures, args, log):
    """`pictures`: for each training picture, its features as seen and mirrored; each epoch takes one of the two."""
    rng = random.Random(args.seed); torch.manual_seed(args.seed)
    net = DensityHead(args.width)
    opt = torch.optim.Adam(net.parameters(), 1e-3, weight_decay=1e-5)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.epochs)
    K = gaussian()
    for epoch in range(args.epochs):
        net.train(); rng.shuffle(pictures); t, total = time.time(), 0.0
        samples = [flips[rng.randrange(len(flips))] for flips in pictures]
        for i in range(0, len(samples), args.batch):
            batch = [crop(*s[:3], rng, args.crop) for s in samples[i:i + args.batch]]
            batch = [b for b in batch if b[2].shape == batch[0][2].shape]  # small pictures: one size a batch
            s8 = torch.stack([b[0] for b in batch]).float(); s16 = torch.stack([b[1] for b in batch]).float()
            density = F.conv2d(torch.stack([b[2] for b in batch])[:, None], K, padding=3) * args.scale
            p = net(s8, s16) * args.scale
            loss = F.mse_loss(p, density) + args.count_weight * (p.sum((1, 2, 3)) - density.sum((1, 2, 3))).abs().mean()
            opt.zero_grad(); loss.backward(); opt.step(); total += loss.item()
        sched.step()
        print(f'{log} epoch {epoch + 1}/{args.epochs} loss {total:.1f} ({time.time() - t:.0f} s)', flush=True)
    net.eval()
    with torch.no_grad():
        maps = [(net(flips[0][0][None].float(), flips[0][1][None].float())[0, 0], flips[0][3]) for flips in pictures]
        floors = [0, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03]
        err, floor = min((np.mean([abs(float(F.relu(m - f).sum()) - c) for m, c in maps]), f) for f in floors)
    net.floor.fill_(floor)
    print(f'{log} floor {floor} (training MAE {err:.2f})', flush=True)
    return net


@torch.no_grad()
def count(net, s):
    return float(net(s[0][None].float(), s[1][None].float()).sum())


def score_fold(out, r, parts, fold, score):
    """Writes fold r's held-out picture lists (fold-r-PART.txt, for `retina eval --images`) and their
    counts and estimates (fold-r.json); `score(part, name)` gives (count, estimate)."""
    rows = []
    for part in parts:
        held = sorted((n for (p, n), f in fold.items() if p == part and f == r), key=picture_order)
        with open(f'{out}/fold-{r}-{part}.txt', 'w') as f:
            f.write(''.join(n + '\n' for n in held))
        rows += [dict(part=part, image=n, **dict(zip(('count', 'estimate'), score(part, n)))) for n in held]
        e = [(x['estimate'], x['count']) for x in rows if x['part'] == part]
        print(f'fold {r} {part}: MAE {np.mean([abs(p - c) for p, c in e]):.2f} '
              f'MAPE {100 * np.mean([abs(p - c) / c for p, c in e]):.1f}% over {len(e)} pictures', flush=True)
    json.dump(rows, open(f'{out}/fold-{r}.json', 'w'), indent=0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', required=True, help='folder holding part_B_train/ and part_A_test/ (images/, counts.csv, head_points.csv)')
    ap.add_argument('--yolox', required=True, help='yolox_nano.onnx')
    ap.add_argument('--out', required=True, help='where the models, fold lists and scores go')
    ap.add_argument('--cache', help='feature cache (default OUT/features)')
    ap.add_argument('--folds', type=int, default=5)
    ap.add_argument('--run', default='all', help="'all' (every fold, then final), 'final', or one fold number")
    ap.add_argument('--epochs', type=int, default=20)
    ap.add_argument('--width', type=int, default=32, help="the head's channels")
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--crop', type=int, default=48, help='training crop, in stride-8 cells')
    ap.add_argument('--count-weight', type=float, default=0.1)
    ap.add_argument('--scale', type=float, default=100.0, help='density multiplier inside the loss')
    ap.add_argument('--threads', type=int, default=os.cpu_count() or 1)
    ap.add_argument('--seed', type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    cache_dir = args.cache or f'{args.out}/features'
    cache(args.data, args.yolox, cache_dir, args.threads)
    pictures = load(cache_dir)
    fold = folds_of(pictures, args.folds)
    runs = list(range(args.folds)) + ['final'] if args.run == 'all' else ['final' if args.run == 'final' else int(args.run)]
    for r in runs:
        chosen = [[flips[f] for f in sorted(flips)] for key, flips in pictures.items() if r == 'final' or fold[key] != r]
        net = train(chosen, args, f'[{r}]')
        export.write(net, args.yolox, f'{args.out}/density-{r}.onnx')
        if r == 'final':
            continue
        score_fold(args.out, r, PARTS, fold, lambda part, n: (pictures[(part, n)][0][3], count(net, pictures[(part, n)][0])))


if __name__ == '__main__':
    main()
