"""Sweep speed: in-process throughput, and a 10,000-point sweep of yolov5s as a whole process
against `python -c "import torch"`, both in CPU time (user + system).

Target: >= 1000 points/s in-process; the whole 10,000-point process at most 8 x import torch.
Run from the repository root: python bench/sweep.py [--runs N]
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CFG = ROOT / "examples/yolov5s.yaml"
GRID = ["--depth", "0.01:1.0:0.01", "--width", "0.01:1.0:0.01"]


def child_cpu(cmd: list[str]) -> float:
    """CPU seconds (user + system) one child process spends."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def in_process() -> tuple[int, float]:
    """Points and CPU seconds of the whole 100 x 100 grid on a fresh sweeper (after the config is read)."""
    from yanalyze.analyzer import config
    from yanalyze.analyzer.sweep import Sweeper, combinations, evaluate

    sweeper = Sweeper(config.load(str(CFG)))
    combos = combinations([k / 100 for k in range(1, 101)], [k / 100 for k in range(1, 101)], [(640, 640)])
    start = time.process_time()
    evaluate(sweeper, combos)
    return len(combos), time.process_time() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    runs = ap.parse_args().runs
    n, cpu = in_process()
    print(f"in-process: {n:,} points in {cpu:.2f} s CPU = {n / cpu:,.0f} points/s")
    torch_t = statistics.median(child_cpu([sys.executable, "-c", "import torch"]) for _ in range(runs))
    sweep_t = statistics.median(child_cpu([sys.executable, "-m", "yanalyze", "sweep", str(CFG), *GRID, "--json"])
                                for _ in range(runs))
    label = 'python -c "import torch"'
    print(f"{label:<52} {torch_t:6.2f} s CPU")
    print(f"{'yanalyze sweep yolov5s (10,000 points) --json':<52} {sweep_t:6.2f} s CPU   ratio {sweep_t / torch_t:.2f}"
          " (target <= 8)")


if __name__ == "__main__":
    main()
