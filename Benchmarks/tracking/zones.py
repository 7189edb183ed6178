"""Score intrusion and loitering events against hand-labelled people.

    zones.py --gt LABELS.csv [--gt ...] --zones zones.yaml --tracks TRACKS.csv --events EVENTS.csv [--json]

The labelled boxes (frame,id,x,y,w,h,visible; every 4th frame) say where each person's feet are
(the bottom centre of the box). A case is a person whose feet stay in a forbidden zone for 1 s
(intrusion) or in a zone with loiterSeconds for that long (loitering), over consecutive labelled
frames; it is due at the first labelled frame that long after he came in. A person already in
the zone on a segment's first labelled frame is left out (his time in it is unknown), and so are
Retina's events on him. An event (`retina track --events`: frame,kind,zone,id,seconds) belongs
to the labelled person whose box overlaps its track's box most (IoU ≥ 0.3) on the nearest
labelled frame; it detects that person's case of its kind and zone if it comes while he is in
the zone or within 1 s before or after (feet seen a step apart); any other event is false. A
person's second stay in the same zone is no second case (Retina reports a person once per zone).
"""
import argparse, csv, json, sys
from collections import defaultdict

import yaml

FPS = 10.0


def inside(poly, x, y):
    n, c = len(poly), False
    for i in range(n):
        (x1, y1), (x2, y2) = poly[i], poly[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            c = not c
    return c


def iou(a, b):
    iw = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    u = a[2] * a[3] + b[2] * b[3] - iw * ih
    return iw * ih / u if u > 0 else 0.0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--gt", action="append", required=True)
    p.add_argument("--zones", required=True)
    p.add_argument("--tracks", required=True)
    p.add_argument("--events", required=True)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()

    zones = []
    for z in yaml.safe_load(open(a.zones))["zones"]:
        if z.get("kind") == "forbidden":
            zones.append((z["id"], "intrusion", 1.0, z["polygon"]))
        if z.get("loiterSeconds"):
            zones.append((z["id"], "loitering", float(z["loiterSeconds"]), z["polygon"]))

    cases, repeats, censored, segments, gt_boxes = [], [], set(), [], defaultdict(list)
    for seg, path in enumerate(a.gt):
        rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(open(path))]
        frames = sorted({int(r["frame"]) for r in rows})
        segments.append((frames[0], frames[-1]))
        people = defaultdict(dict)
        for r in rows:
            f, pid = int(r["frame"]), (seg, int(r["id"]))
            people[pid][f] = (r["x"], r["y"], r["w"], r["h"])
            gt_boxes[f].append((pid, (r["x"], r["y"], r["w"], r["h"])))
        for zone, kind, seconds, poly in zones:
            for pid, seen in people.items():
                run = []
                for f in frames + [None]:
                    box = seen.get(f) if f is not None else None
                    if box is not None and inside(poly, box[0] + box[2] / 2, box[1] + box[3]):
                        run.append(f)
                        continue
                    if run:
                        key = (pid, zone, kind)
                        if run[0] == frames[0]:
                            censored.add(key)
                        elif (run[-1] - run[0]) / FPS >= seconds - 1e-9:
                            due = next(x for x in run if (x - run[0]) / FPS >= seconds - 1e-9)
                            case = {"person": pid, "zone": zone, "kind": kind, "in": run[0], "out": run[-1], "due": due}
                            # Retina reports a person once per zone: a second stay is no second case.
                            if key in censored or any((c["person"], c["zone"], c["kind"]) == key for c in cases):
                                repeats.append(case)
                            else:
                                cases.append(case)
                    run = []

    tracks = defaultdict(dict)
    for r in csv.DictReader(open(a.tracks)):
        tracks[int(r["frame"])][int(r["id"])] = tuple(float(r[k]) for k in ("x", "y", "w", "h"))
    labelled = sorted(gt_boxes)
    found, false, ignored = defaultdict(list), [], 0
    for e in csv.DictReader(open(a.events)):
        f, kind, zone, tid = int(e["frame"]), e["kind"], e["zone"], int(e["id"])
        if not any(s - 2 <= f <= t + 2 for s, t in segments):
            continue
        # The track's box on the event's frame, or where it was last written before (a person the
        # detector missed for a moment is still in the zone).
        seen = [g for g in range(f, f - 2 * int(FPS), -1) if tid in tracks.get(g, {})]
        box = tracks[seen[0]][tid] if seen else None
        near = min(labelled, key=lambda x: abs(x - (seen[0] if seen else f)))
        person = None
        if box is not None and abs(near - seen[0]) <= 2:
            best = max(gt_boxes[near], key=lambda g: iou(g[1], box), default=None)
            if best is not None and iou(best[1], box) >= 0.3:
                person = best[0]
        if person is not None and (person, zone, kind) in censored:
            ignored += 1
            continue
        def during(c):
            return c["person"] == person and c["zone"] == zone and c["kind"] == kind and c["in"] - FPS <= f <= c["out"] + FPS
        match = next((c for c in cases if during(c)), None)
        if match is None and any(during(c) for c in repeats):
            ignored += 1
            continue
        if match is None:
            false.append({"frame": f, "kind": kind, "zone": zone, "track": tid, "person": person})
        else:
            found[id(match)].append(f)

    result = {}
    for kind in ("intrusion", "loitering"):
        mine = [c for c in cases if c["kind"] == kind]
        delays = [round((min(found[id(c)]) - c["due"]) / FPS, 1) for c in mine if found[id(c)]]
        result[kind] = {"cases": len(mine), "detected": len(delays), "missed": [
            {"person": list(c["person"]), "zone": c["zone"], "in": c["in"], "out": c["out"]} for c in mine if not found[id(c)]],
            "falseEvents": [x for x in false if x["kind"] == kind], "delaysSeconds": delays,
            "byZone": {z: sum(1 for c in mine if c["zone"] == z) for z in sorted({c["zone"] for c in mine})}}
    result["leftOut"] = {"peopleInAZoneAtTheStart": len(censored), "theirEvents": ignored}
    if a.json:
        json.dump(result, sys.stdout, indent=1, default=str)
        print()
        return
    print("| kind | cases (by zone) | detected | missed | false events | delay after due (s) |")
    print("|---|---|---|---|---|---|")
    for kind in ("intrusion", "loitering"):
        r = result[kind]
        print(f"| {kind} | {r['cases']} ({', '.join(f'{z} {n}' for z, n in r['byZone'].items())}) | {r['detected']} | {len(r['missed'])} | "
              f"{len(r['falseEvents'])} | {', '.join(str(d) for d in r['delaysSeconds'])} |")
    print(f"left out: {len(censored)} people already in a zone on a segment's first labelled frame, {ignored} events on them")
    for kind in ("intrusion", "loitering"):
        for m in result[kind]["missed"]:
            print(f"missed {kind}: {m}")
        for x in result[kind]["falseEvents"]:
            print(f"false {kind}: {x}")


if __name__ == "__main__":
    main()
