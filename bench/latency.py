"""Predicted against measured latency: official configs built in torch and timed on this machine
(batch 1, fp32, eval, inference_mode, default threads, median of 10 runs on a random image, the
middle of three rounds), beside yanalyze's
estimate on a calibrated profile. Prints per model and per layer type, with the error and the
rank correlation.

Run from the repository root, on a quiet machine (other processes on the cores stall torch's
threads and inflate both the calibration and the measurement):
    python bench/latency.py [--device PROFILE.json] [--runs 10]
Without --device it calibrates first (about a minute) and says so.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODELS = [("yolov5n", "examples/yolov5n.yaml", 640), ("yolov5s", "examples/yolov5s.yaml", 640),
          ("yolov5m", "examples/yolov5m.yaml", 640), ("yolov5l", "examples/yolov5l.yaml", 640),
          ("yolov5s", "examples/yolov5s.yaml", 320), ("yolov5s", "examples/yolov5s.yaml", 1280),
          ("yolov5s-ghost", "tests/configs/yolov5s-ghost.yaml", 640),
          ("yolov5s-transformer", "tests/configs/yolov5s-transformer.yaml", 640),
          ("yolov5s-seg", "tests/configs/yolov5s-seg.yaml", 640)]
TOLERANCE = 0.25


def ranks(values: list[float]) -> list[float]:
    """Ranks from 1, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=values.__getitem__)
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(x: list[float], y: list[float]) -> float:
    """Spearman's rank correlation: Pearson's on the ranks."""
    rx, ry = ranks(x), ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    var = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return cov / var if var else 0.0


def profile(path: str | None) -> str:
    if path:
        return path
    from yanalyze.analyzer import devices
    from yanalyze.analyzer.serialize import dumps
    from yanalyze.verify import calibrate

    print("no --device: calibrating this machine first", file=sys.stderr)
    t0 = time.perf_counter()
    device, rows = calibrate.calibrate("bench", lambda steps: (fn() for _, fn in steps), 0.15)
    out = ROOT / "bench" / ".latency-profile.json"
    out.write_text(dumps(devices.to_dict(device, rows)) + "\n")
    print(f"calibrated in {time.perf_counter() - t0:.0f} s: {out}", file=sys.stderr)
    return str(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default=None, help="a profile from `yanalyze calibrate` (default: calibrate now)")
    ap.add_argument("--runs", type=int, default=10, help="timed forward passes per measurement (default 10)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="measure every model this many times in turn and keep each model's middle figure, so "
                         "that a slow spell of a shared machine does not fall on one model alone (default 3)")
    args = ap.parse_args()
    from yanalyze.analyzer import devices
    from yanalyze.analyzer.analyze import analyze
    from yanalyze.analyzer.load import load_model
    from yanalyze.verify.timing import measure

    device = devices.load(profile(args.device))
    print(f"device: {device.name} ({device.kind}); {device.source}\n")
    print("| model | imgsz | GFLOPs | predicted ms | measured ms (each round) | error |")
    print("|---|---:|---:|---:|---:|---:|")
    models = [load_model(str(ROOT / cfg)) for _, cfg, _ in MODELS]
    analyses = [analyze(m, size, rewrites=False, device=device) for m, (_, _, size) in zip(models, MODELS)]
    rounds: list[list] = [[] for _ in MODELS]
    for _ in range(args.rounds):
        for k, (model, a) in enumerate(zip(models, analyses)):
            rounds[k].append(measure(model, a.input.imgsz, runs=args.runs))
    predicted, measured = [], []
    by_type: dict[str, list[float]] = {}
    for (name, _, size), a, ms in zip(MODELS, analyses, rounds):
        assert a.latency is not None
        m = sorted(ms, key=lambda x: x.total_ms)[len(ms) // 2]  # the middle round
        predicted.append(a.latency.total_ms)
        measured.append(m.total_ms)
        err = a.latency.total_ms / m.total_ms - 1
        spread = ", ".join(f"{x.total_ms:.0f}" for x in ms)
        print(f"| {name} | {size} | {a.totals.gflops:.1f} | {a.latency.total_ms:.1f} | {m.total_ms:.1f} ({spread}) | "
              f"{err:+.0%}{'' if abs(err) <= TOLERANCE else ' (outside 25%)'} |", flush=True)
        for r, lat, t in zip(a.layers, a.latency.layers, m.layers_ms):
            acc = by_type.setdefault(r.module, [0.0, 0.0])
            acc[0] += lat.ms
            acc[1] += t
    rho = spearman(predicted, measured)
    within = sum(abs(p / m - 1) <= TOLERANCE for p, m in zip(predicted, measured))
    print(f"\n{within}/{len(MODELS)} within ±25%; Spearman rank correlation {rho:.3f}\n")
    print("| layer type | predicted ms | measured ms | error |")
    print("|---|---:|---:|---:|")
    for module, (p, t) in sorted(by_type.items(), key=lambda kv: -kv[1][1]):
        print(f"| {module} | {p:.1f} | {t:.1f} | {p / t - 1:+.0%} |")
    return 0 if within == len(MODELS) and rho >= 0.95 else 1


if __name__ == "__main__":
    raise SystemExit(main())
