"""Score people tracks against hand-labelled identities with py-motmetrics (CLEAR MOT and IDF1).

    score.py --gt LABELS.csv [--gt ...] --tracks NAME=FILE [--tracks ...] --detections FILE --every N [--json]

LABELS.csv: frame,id,x,y,w,h,visible (Benchmarks/datasets/pets2009-s2l1/tracks-*.csv); each file is
one sequence with its own identities. Tracks: frame,id,x,y,w,h[,score] (`retina track`).
Detections: frame,class,x,y,w,h,score, the same ones Retina's tracker was given; a plain IoU
tracker (Bochinski et al., AVSS 2017) is run on them here as the reference. A labelled person
less than half visible (visible 0) is a "don't care": a track on him is neither right nor wrong.
Only labelled frames the tracker looked at (multiples of --every) are scored.
"""
import argparse, csv, json, sys
from collections import defaultdict

import motmetrics as mm
import numpy as np
from scipy.optimize import linear_sum_assignment


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def boxes_by_frame(rows, key="id"):
    out = defaultdict(list)
    for r in rows:
        out[int(r["frame"])].append((int(float(r[key])), float(r["x"]), float(r["y"]), float(r["w"]), float(r["h"]),
                                     float(r.get("score", r.get("visible", 1)) or 1)))
    return out


def iou(a, b):
    ax1, ay1, bx1, by1 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw, ih = max(0.0, min(ax1, bx1) - max(a[0], b[0])), max(0.0, min(ay1, by1) - max(a[1], b[1]))
    inter = iw * ih
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def iou_tracker(detections, frames, sigma_l=0.1, sigma_h=0.5, sigma_iou=0.5, t_min=2):
    """Bochinski, Eiselein, Sikora: each track takes the best-overlapping detection of the next
    frame (IoU ≥ sigma_iou) or ends; a finished track is kept if it lasted t_min frames and its
    best score reached sigma_h. People only (COCO class 0), detections from sigma_l."""
    active, finished, next_id = [], [], 1
    for f in frames:
        dets = [d for d in detections.get(f, []) if d[0] == 0 and d[5] >= sigma_l]
        updated = []
        for t in active:
            if dets:
                best = max(dets, key=lambda d: iou(t["boxes"][-1][1], d[1:5]))
                if iou(t["boxes"][-1][1], best[1:5]) >= sigma_iou:
                    t["boxes"].append((f, best[1:5]))
                    t["best"] = max(t["best"], best[5])
                    updated.append(t)
                    dets.remove(best)
                    continue
            if t["best"] >= sigma_h and len(t["boxes"]) >= t_min:
                finished.append(t)
        active = updated + [{"id": None, "boxes": [(f, d[1:5])], "best": d[5]} for d in dets]
    finished += [t for t in active if t["best"] >= sigma_h and len(t["boxes"]) >= t_min]
    out = defaultdict(list)
    for t in finished:
        t["id"], next_id = next_id, next_id + 1
        for f, b in t["boxes"]:
            out[f].append((t["id"],) + tuple(b) + (t["best"],))
    return out


def accumulate(gt, hyp, frames, min_iou):
    acc = mm.MOTAccumulator(auto_id=True)
    for f in frames:
        g = gt.get(f, [])
        h = list(hyp.get(f, []))
        ignored = [x for x in g if x[5] < 0.5]
        # Tracks on a don't-care person are dropped, matched by the same Hungarian rule.
        if ignored and h:
            cost = np.array([[1 - iou(a[1:5], b[1:5]) for b in h] for a in g])
            rows, cols = linear_sum_assignment(cost)
            drop = {c for r, c in zip(rows, cols) if g[r][5] < 0.5 and cost[r, c] <= 1 - min_iou}
            h = [x for i, x in enumerate(h) if i not in drop]
        g = [x for x in g if x[5] >= 0.5]
        d = mm.distances.iou_matrix([x[1:5] for x in g], [x[1:5] for x in h], max_iou=1 - min_iou)
        acc.update([x[0] for x in g], [x[0] for x in h], d)
    return acc


METRICS = ["num_frames", "num_objects", "mota", "idf1", "num_switches", "num_false_positives", "num_misses",
           "recall", "precision", "motp", "mostly_tracked", "mostly_lost", "num_unique_objects"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--gt", action="append", required=True)
    p.add_argument("--tracks", action="append", default=[], help="NAME=FILE")
    p.add_argument("--detections", required=True)
    p.add_argument("--every", type=int, default=1)
    p.add_argument("--iou", type=float, default=0.5, help="least IoU of a match (default 0.5, as MOTChallenge)")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()

    detections = boxes_by_frame(read_rows(a.detections), key="class")
    looked = sorted(detections)  # every looked-at frame had a row only if something was found
    last = max([int(r["frame"]) for g in a.gt for r in read_rows(g)] + looked)
    looked = list(range(0, last + 1, a.every))
    hyps = {name: boxes_by_frame(read_rows(path)) for name, path in (t.split("=", 1) for t in a.tracks)}
    # The paper's overlap (0.5, tuned at 25 fps) and a looser one for lower frame rates.
    for sigma in (0.5, 0.3):
        hyps[f"IoU tracker σ_IoU {sigma} (reference)"] = iou_tracker(detections, looked, sigma_iou=sigma)

    mh = mm.metrics.create()
    results = []
    for name, hyp in hyps.items():
        accs, names = [], []
        for g in a.gt:
            gt = boxes_by_frame(read_rows(g))
            frames = [f for f in sorted(gt) if f % a.every == 0]
            accs.append(accumulate(gt, hyp, frames, a.iou))
            names.append(g.rsplit("/", 1)[-1].removesuffix(".csv"))
        summary = mh.compute_many(accs, metrics=METRICS, names=names, generate_overall=True)
        for seq, row in summary.iterrows():
            results.append({"tracker": name, "sequence": seq, "every": a.every, "minIoU": a.iou,
                            **{k: (float(row[k]) if isinstance(row[k], (float, np.floating)) else int(row[k])) for k in METRICS}})
    if a.json:
        json.dump(results, sys.stdout, indent=1)
        print()
        return
    print("| tracker | sequence | every | frames | labelled boxes | MOTA | IDF1 | ID switches | FP | FN | recall | precision | mean IoU of matches | MT / ML of people |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['tracker']} | {r['sequence']} | {r['every']} | {r['num_frames']} | {r['num_objects']} | {r['mota']:.3f} | {r['idf1']:.3f} | "
              f"{r['num_switches']} | {r['num_false_positives']} | {r['num_misses']} | {r['recall']:.3f} | {r['precision']:.3f} | "
              f"{1 - r['motp']:.3f} | {r['mostly_tracked']} / {r['mostly_lost']} of {r['num_unique_objects']} |")


if __name__ == "__main__":
    main()
