#!/usr/bin/env python3
"""OpenCV peer baseline for the crowd-counting / motion-anomaly evaluation.

    Benchmarks/baseline/run.sh DATASET [--json] [--analysis-width 384] [--threads N]

DATASET is a folder with video.mp4, scene.yaml and optionally counts.csv, anomalies.csv and
calibration.csv (see the evaluation's dataset format). Frames are numbered 0, 1, 2, ... in the
order cv2.VideoCapture returns them.

Counting (counts.csv): OpenCV's default HOG people detector on the full-resolution grayscale
frame, detectMultiScale(winStride=(8,8), padding=(8,8), scale=1.05); the count is the number of
detections whose box centre lies inside (or on the edge of) the polygon of zone "all". HOG only
runs on the frames of counts.csv that are not also in calibration.csv. The baseline fits nothing,
so calibration.csv only removes frames from the score.

Anomaly (anomalies.csv): every frame is converted to grayscale, resized to --analysis-width
(aspect kept), and dense Farneback flow (0.5, 3, 15, 3, 5, 1.2, 0) against the previous frame
gives the frame's score: the mean flow magnitude in analysis pixels per frame (frame 0: 0).
  auc          frame-level ROC AUC of the score against "frame lies in a labelled interval",
               Mann-Whitney rank formula with average ranks for ties (null with one class only).
  events       threshold = mean + 4 * std (population) of the scores of frames 1..50, the first
               50 frames that have a flow score (frame 0's fixed 0 is left out of the warm-up).
               An event opens when the score is above the threshold for 3 consecutive frames
               (startFrame = the first of them) and closes after 5 consecutive frames not above
               it (endFrame = the last frame above it); one still open at the end closes there.
  detected     labelled intervals overlapped by an event that starts no later than
               interval start + round(video fps) frames; missed = the other intervals.
  falseAlarms  events that overlap no labelled interval.

fps in the output is frames processed per second of wall time (decode included) of the anomaly
pass: every frame of the video. Without anomalies.csv it is that of the counting pass: frames HOG
ran on per second of that pass's wall time (which also decodes the frames in between).
msPerFrame is the mean time of the detectMultiScale / calcOpticalFlowFarneback call alone.

--json prints one JSON object on stdout; progress goes to stderr.
"""

import argparse
import csv
import json
import math
import os
import sys
import time

import cv2
import numpy as np
import yaml

PROGRESS_EVERY = 100
WARMUP_FRAMES = 50
THRESHOLD_SIGMAS = 4.0
OPEN_AFTER = 3
CLOSE_AFTER = 5


def log(msg):
    print(f"baseline: {msg}", file=sys.stderr, flush=True)


class DatasetError(Exception):
    pass


# ---------------------------------------------------------------- dataset files


def read_csv(path, required):
    """Rows of a CSV file with a header, as dicts keyed by lower-cased, stripped column names.
    Blank lines and lines starting with '#' are skipped."""
    with open(path, newline="") as f:
        lines = [ln for ln in f if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return []
    reader = csv.DictReader(lines)
    fields = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [c for c in required if c not in fields]
    if missing:
        raise DatasetError(f"{path}: missing column(s) {', '.join(missing)} (header: {','.join(fields)})")
    rows = []
    for raw in reader:
        rows.append({(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()})
    return rows


def load_counts(path):
    counts = {}
    for row in read_csv(path, ["frame", "count"]):
        counts[int(row["frame"])] = float(row["count"])
    return counts


def load_intervals(path, by_clip=False):
    """(start, end, kind) of anomalies.csv; by_clip: a clip dataset's (clip,start_frame,end_frame,kind), by clip."""
    grouped = {}
    for row in read_csv(path, ["start_frame", "end_frame"] + (["clip"] if by_clip else [])):
        try:
            start, end = int(row["start_frame"]), int(row["end_frame"])
        except ValueError:
            raise DatasetError(f"{path}: start_frame and end_frame must be whole frame numbers, not {row['start_frame']},{row['end_frame']}")
        if end < start:
            raise DatasetError(f"{path}: interval {start},{end} ends before it starts")
        grouped.setdefault(row["clip"] if by_clip else None, []).append((start, end, row.get("kind") or "anomaly"))
    return grouped if by_clip else grouped.get(None, [])


def load_zone(path, zone_id="all"):
    with open(path) as f:
        scene = yaml.safe_load(f) or {}
    for zone in scene.get("zones") or []:
        if str(zone.get("id")) == zone_id:
            poly = np.asarray(zone.get("polygon") or [], dtype=np.float32)
            if poly.ndim != 2 or poly.shape[0] < 3 or poly.shape[1] != 2:
                raise DatasetError(f"{path}: zone {zone_id!r} needs a polygon of at least 3 [x,y] points")
            return poly.reshape(-1, 1, 2)
    raise DatasetError(f"{path}: no zone with id {zone_id!r}")


def open_video(path):
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        raise DatasetError(f"cannot open {path}")
    return cap


# ---------------------------------------------------------------- counting


def counting_pass(video, polygon, truth):
    """HOG on the frames in `truth` (frame -> count); frames in between are only grabbed."""
    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
    last = max(truth)
    predicted = {}
    hog_s = 0.0
    cap = open_video(video)
    started = time.perf_counter()
    index = -1
    try:
        while index < last:
            if not cap.grab():
                break
            index += 1
            if index in truth:
                ok, frame = cap.retrieve()
                if not ok:
                    break
                gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
                t0 = time.perf_counter()
                rects, _ = hog.detectMultiScale(gray, winStride=(8, 8), padding=(8, 8), scale=1.05)
                hog_s += time.perf_counter() - t0
                n = 0
                for (x, y, w, h) in np.asarray(rects).reshape(-1, 4):
                    centre = (float(x + w / 2.0), float(y + h / 2.0))
                    if cv2.pointPolygonTest(polygon, centre, False) >= 0:
                        n += 1
                predicted[index] = n
            if (index + 1) % PROGRESS_EVERY == 0:
                log(f"counting: frame {index + 1}/{last + 1}, HOG on {len(predicted)}/{len(truth)} frames, "
                    f"{1000.0 * hog_s / max(len(predicted), 1):.0f} ms/frame")
    finally:
        cap.release()
    wall = time.perf_counter() - started
    missing = sorted(set(truth) - set(predicted))
    if missing:
        log(f"counting: {len(missing)} labelled frame(s) not in the video (decoded {index + 1} frames), "
            f"e.g. {missing[:5]}; they are left out")
    frames = sorted(predicted)
    errors = np.array([predicted[f] - truth[f] for f in frames], dtype=np.float64)
    truths = np.array([truth[f] for f in frames], dtype=np.float64)
    result = {
        "mae": float(np.mean(np.abs(errors))) if len(frames) else None,
        "rmse": float(np.sqrt(np.mean(errors ** 2))) if len(frames) else None,
        "mape": (float(np.mean(np.abs(errors[truths > 0]) / truths[truths > 0]) * 100.0)
                 if np.any(truths > 0) else None),
        "frames": len(frames),
        "msPerFrame": 1000.0 * hog_s / len(frames) if frames else None,
    }
    fps = len(frames) / wall if wall > 0 else None
    return result, fps, predicted


# ---------------------------------------------------------------- anomaly


def anomaly_pass(video, analysis_width):
    """Mean Farneback flow magnitude of every frame against the previous one (frame 0: 0)."""
    cap = open_video(video)
    video_fps = cap.get(cv2.CAP_PROP_FPS)
    scores = []
    flow_s = 0.0
    prev = None
    size = None
    started = time.perf_counter()
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
            if size is None:
                h, w = gray.shape[:2]
                aw = max(1, min(int(analysis_width), w)) if analysis_width > 0 else w
                size = (aw, max(1, int(round(h * aw / w))))
            small = gray if (gray.shape[1], gray.shape[0]) == size else \
                cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
            if prev is None:
                scores.append(0.0)
            else:
                t0 = time.perf_counter()
                flow = cv2.calcOpticalFlowFarneback(prev, small, None, 0.5, 3, 15, 3, 5, 1.2, 0)
                flow_s += time.perf_counter() - t0
                mag = np.sqrt(flow[..., 0] ** 2 + flow[..., 1] ** 2)
                scores.append(float(mag.mean()))
            prev = small
            if len(scores) % PROGRESS_EVERY == 0:
                log(f"anomaly: frame {len(scores)}, {1000.0 * flow_s / max(len(scores) - 1, 1):.1f} ms/frame Farneback")
    finally:
        cap.release()
    wall = time.perf_counter() - started
    flows = max(len(scores) - 1, 0)
    ms = 1000.0 * flow_s / flows if flows else None
    fps = len(scores) / wall if wall > 0 else None
    if not (video_fps and math.isfinite(video_fps) and video_fps > 0):
        video_fps = None
    return np.asarray(scores, dtype=np.float64), ms, fps, video_fps, size


def rank_auc(scores, labels):
    """ROC AUC by the Mann-Whitney U statistic, ties given their average rank."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=bool)
    n_pos = int(labels.sum())
    n_neg = int(labels.size - n_pos)
    if n_pos == 0 or n_neg == 0:
        return None
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)                       # 1-based rank of each tie group's last member
    average_rank = ends - (counts - 1) / 2.0
    ranks = average_rank[inverse]
    u = ranks[labels].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def find_events(scores, threshold):
    events = []
    above = below = 0
    start = last_above = None
    for i, s in enumerate(scores):
        if s > threshold:
            above += 1
            below = 0
            if start is not None:
                last_above = i
            elif above >= OPEN_AFTER:
                start, last_above = i - OPEN_AFTER + 1, i
        else:
            above = 0
            if start is not None:
                below += 1
                if below >= CLOSE_AFTER:
                    events.append((start, last_above))
                    start = None
                    below = 0
    if start is not None:
        events.append((start, last_above))
    return events


def score_events(events, intervals, tolerance):
    def overlaps(a, b):
        return a[0] <= b[1] and b[0] <= a[1]

    detected = sum(
        1 for iv in intervals
        if any(overlaps(ev, iv) and ev[0] <= iv[0] + tolerance for ev in events))
    false_alarms = sum(1 for ev in events if not any(overlaps(ev, iv) for iv in intervals))
    return detected, len(intervals) - detected, false_alarms


def anomaly_result(scores, intervals, video_fps):
    n = len(scores)
    labels = np.zeros(n, dtype=bool)
    for start, end, _ in intervals:
        if start < n:
            labels[max(start, 0):min(end, n - 1) + 1] = True
    warm = scores[1:1 + WARMUP_FRAMES]
    if warm.size == 0:
        raise DatasetError("the video has fewer than 2 frames")
    threshold = float(warm.mean() + THRESHOLD_SIGMAS * warm.std())
    events = find_events(scores, threshold)
    if video_fps is None:
        log("anomaly: the container reports no frame rate; assuming 25 fps for the 1 s detection window")
        video_fps = 25.0
    tolerance = int(round(video_fps))
    detected, missed, false_alarms = score_events(events, intervals, tolerance)
    beyond = [iv for iv in intervals if iv[0] >= n]
    if beyond:
        log(f"anomaly: {len(beyond)} labelled interval(s) start after the last frame ({n - 1}); they count as missed")
    return {
        "auc": rank_auc(scores, labels),
        "detected": detected,
        "missed": missed,
        "falseAlarms": false_alarms,
        "events": [{"startFrame": s, "endFrame": e, "kind": "running"} for s, e in events],
    }, threshold, int(labels.sum())


# ---------------------------------------------------------------- main


def rounded(value, digits):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return round(float(value), digits)


def main(argv=None):
    ap = argparse.ArgumentParser(description="OpenCV HOG counting + Farneback anomaly baseline.")
    ap.add_argument("dataset", help="dataset folder (video.mp4, scene.yaml, counts.csv?, anomalies.csv?, calibration.csv?)")
    ap.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    ap.add_argument("--analysis-width", type=int, default=384,
                    help="width the anomaly pass resizes frames to, aspect kept (default 384)")
    ap.add_argument("--threads", type=int, default=None,
                    help="cv2.setNumThreads(N) (default: OpenCV's own choice)")
    args = ap.parse_args(argv)

    if args.threads is not None:
        cv2.setNumThreads(args.threads)
    ds = args.dataset
    video = os.path.join(ds, "video.mp4")
    scene = os.path.join(ds, "scene.yaml")
    counts_csv = os.path.join(ds, "counts.csv")
    anomalies_csv = os.path.join(ds, "anomalies.csv")
    calibration_csv = os.path.join(ds, "calibration.csv")

    try:
        for path in (video, scene):
            if not os.path.exists(path):
                raise DatasetError(f"missing {path}")
        polygon = load_zone(scene)
        out = {}
        crowd_fps = anomaly_fps = None
        summary = []

        if os.path.exists(counts_csv):
            truth = load_counts(counts_csv)
            calibration = load_counts(calibration_csv) if os.path.exists(calibration_csv) else {}
            overlap = set(truth) & set(calibration)
            for f in overlap:
                del truth[f]
            if overlap:
                log(f"counting: {len(overlap)} frame(s) also in calibration.csv are not scored")
            if truth:
                log(f"counting: HOG on {len(truth)} labelled frame(s), full resolution")
                crowd, crowd_fps, predicted = counting_pass(video, polygon, truth)
                out["crowd"] = {
                    "mae": rounded(crowd["mae"], 4),
                    "rmse": rounded(crowd["rmse"], 4),
                    "mape": rounded(crowd["mape"], 4),
                    "frames": crowd["frames"],
                    "msPerFrame": rounded(crowd["msPerFrame"], 2),
                }
                summary.append(
                    f"crowd:   {crowd['frames']} frames  MAE {crowd['mae']:.2f}  RMSE {crowd['rmse']:.2f}  "
                    + (f"MAPE {crowd['mape']:.1f}%" if crowd["mape"] is not None else "MAPE n/a")
                    + f"  HOG {crowd['msPerFrame']:.0f} ms/frame")
                shown = sorted(predicted)[:10]
                summary.append("         predicted/truth: " + ", ".join(
                    f"{f}:{predicted[f]}/{truth[f]:g}" for f in shown) + (" ..." if len(predicted) > 10 else ""))
            else:
                log("counting: counts.csv has no frames to score; crowd part omitted")

        if os.path.exists(anomalies_csv):
            intervals = load_intervals(anomalies_csv)
            log(f"anomaly: Farneback on every frame at width {args.analysis_width}")
            scores, flow_ms, anomaly_fps, video_fps, size = anomaly_pass(video, args.analysis_width)
            anomaly, threshold, positives = anomaly_result(scores, intervals, video_fps)
            anomaly["msPerFrame"] = rounded(flow_ms, 2)
            anomaly["auc"] = rounded(anomaly["auc"], 4)
            out["anomaly"] = anomaly
            auc = "n/a (one class)" if anomaly["auc"] is None else f"{anomaly['auc']:.4f}"
            summary.append(
                f"anomaly: {len(scores)} frames at {size[0]}x{size[1]}  AUC {auc}  "
                f"detected {anomaly['detected']}/{len(intervals)}  missed {anomaly['missed']}  "
                f"false alarms {anomaly['falseAlarms']}  Farneback {flow_ms or 0:.1f} ms/frame")
            summary.append(
                f"         threshold {threshold:.4f} (warm-up mean+{THRESHOLD_SIGMAS:g}sd), "
                f"{positives} labelled frames, video {video_fps or 0:g} fps, events: "
                + (", ".join(f"{e['startFrame']}-{e['endFrame']}" for e in anomaly["events"]) or "none"))

        fps = anomaly_fps if "anomaly" in out else crowd_fps
        if out:
            out["fps"] = rounded(fps, 2)
            summary.append(f"fps:     {fps:.1f} frames/s wall ({'anomaly' if 'anomaly' in out else 'counting'} pass)")
        else:
            log("no counts.csv or anomalies.csv with labels: nothing to score")
    except DatasetError as e:
        print(f"opencv_baseline: {e}", file=sys.stderr)
        return 2

    if args.json:
        print(json.dumps(out))
    else:
        print(f"OpenCV baseline on {ds}")
        for line in summary:
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
