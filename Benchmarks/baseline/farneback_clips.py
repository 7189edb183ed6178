"""OpenCV's mean Farneback flow magnitude on a clip dataset (clips/*.mp4 + anomalies.csv with
clip,start_frame,end_frame,kind), scored as `retina eval` scores one: every clip's frames pooled
for the frame AUC, events found per clip (the baseline's rule: 4 sigmas over its first 50 frames)
and summed. normal/ is not read: this baseline learns nothing.

    Benchmarks/baseline/run.sh --clips DATASET [--threads N]    # prints one JSON object
"""
import argparse
import glob
import json
import os
import sys

import cv2
import numpy as np

from opencv_baseline import DatasetError, anomaly_pass, anomaly_result, load_intervals, log, rank_auc, rounded


def main(argv=None):
    ap = argparse.ArgumentParser(description="Mean Farneback magnitude on a clip dataset.")
    ap.add_argument("dataset", help="folder with clips/*.mp4 and anomalies.csv (clip,start_frame,end_frame,kind)")
    ap.add_argument("--analysis-width", type=int, default=384)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args(argv)
    if args.threads is not None:
        cv2.setNumThreads(args.threads)
    clips = sorted(glob.glob(os.path.join(args.dataset, "clips", "*.mp4")))
    if not clips:
        raise DatasetError(f"{args.dataset}/clips has no .mp4 clip")
    labels_csv = os.path.join(args.dataset, "anomalies.csv")
    if not os.path.isfile(labels_csv):
        raise DatasetError(f"{labels_csv} is missing: a clip dataset's labels (clip,start_frame,end_frame,kind)")
    intervals = load_intervals(labels_csv, by_clip=True)
    scores, labels = [], []
    detected = missed = false_alarms = 0
    ms, frames = [], 0
    for path in clips:
        name = os.path.splitext(os.path.basename(path))[0]
        log(f"farneback: {name}")
        s, flow_ms, _, fps, _ = anomaly_pass(path, args.analysis_width)
        ivs = intervals.get(name, [])
        result, _, _ = anomaly_result(s, ivs, fps)
        detected += result["detected"]; missed += result["missed"]; false_alarms += result["falseAlarms"]
        scores.extend(s.tolist())
        labels.extend(any(a <= i <= b for a, b, _ in ivs) for i in range(len(s)))
        if flow_ms is not None:
            ms.append(flow_ms * (len(s) - 1)); frames += len(s) - 1
    print(json.dumps({"anomaly": {"auc": rounded(rank_auc(scores, labels), 4), "detected": detected, "missed": missed,
                                  "falseAlarms": false_alarms, "msPerFrame": rounded(sum(ms) / frames if frames else None, 2)}}))


if __name__ == "__main__":
    try:
        main()
    except DatasetError as e:
        print(f"farneback_clips: {e}", file=sys.stderr)
        sys.exit(2)
