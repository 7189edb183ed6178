"""What a worker did between two `sample` calls (Benchmarks/lib/worker-bench.sh)."""
import os
import re


def _read(path, tck):
    series = {}
    for line in open(path):
        m = re.match(r'(retina_camera_\w+)\{[^}]*camera="([^"]+)"[^}]*\} (\S+)', line)
        if m:
            series.setdefault(m.group(2), {})[m.group(1)] = float(m.group(3))
    machine = [int(x) for x in open(path + ".stat").read().split()[1:]]
    return (series, float(open(path + ".t").read()), int(open(path + ".cpu").read()) / tck,
            int(open(path + ".rss").read()), machine)


def _threads(a, b, tck, seconds):
    """Cores each thread role used over the window (empty when a sample has no thread file)."""
    def read(path):
        try:
            return {k: int(v) for k, v in (line.rstrip("\n").split("\t") for line in open(path + ".threads"))}
        except OSError:
            return {}
    x, y = read(a), read(b)
    used = {k: (v - x.get(k, 0)) / tck / seconds for k, v in y.items()}
    return dict(sorted(((k, v) for k, v in used.items() if v >= 0.005), key=lambda kv: -kv[1]))


def window(a, b, tck=os.sysconf("SC_CLK_TCK")):
    """Rates are frame totals over the window, not the 2-s fps gauges (which decode bursts quantise)."""
    (first, t0, c0, _, m0), (last, t1, c1, rss, m1) = _read(a, tck), _read(b, tck)
    seconds = t1 - t0
    rate = lambda k, name: (last[k].get(name, 0) - first.get(k, {}).get(name, 0)) / seconds
    dm = [y - x for x, y in zip(m0, m1)]
    return {
        "seconds": seconds,
        "cameras": len(last),
        "decoded": [rate(k, "retina_camera_frames_decoded_total") for k in last],
        "analysed": [rate(k, "retina_camera_frames_analysed_total") for k in last],
        "dropped": sum(rate(k, "retina_camera_dropped_frames_total") * seconds for k in last),
        "undeblocked": sum(rate(k, "retina_camera_frames_undeblocked_total") * seconds for k in last),
        "drops_grew": [k for k in last if rate(k, "retina_camera_dropped_frames_total") > 0],
        "passes": [rate(k, "retina_camera_inferences_total") for k in last],
        "density": [rate(k, "retina_camera_density_passes_total") for k in last],
        "pass_density": [rate(k, "retina_camera_pass_densities_total") for k in last],
        "skipped": [rate(k, "retina_camera_inferences_skipped_total") for k in last],
        "closer": [rate(k, "retina_camera_closer_looks_total") for k in last],
        "follow_ups": [rate(k, "retina_camera_follow_up_passes_total") for k in last],
        "spares": [rate(k, "retina_camera_spare_passes_total") for k in last],
        "main": [rate(k, "retina_camera_main_frames_total") for k in last],
        "wait": [rate(k, "retina_camera_inference_wait_seconds_total") for k in last],
        "cpu": (c1 - c0) / seconds,  # cores
        "idle": (dm[3] + dm[4]) / sum(dm),
        "stolen": (dm[7] if len(dm) > 7 else 0) / sum(dm),
        "rss_mib": rss / 1024,
        "threads": _threads(a, b, tck, seconds),
    }
