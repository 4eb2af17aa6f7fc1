"""Time `yanalyze CFG --json` as a whole process against `python -c "import torch"`.

Prints the median wall time of each over several runs and their ratio (target < 0.3).
Run from the repository root: python bench/startup.py [--runs N]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = [("yolov5s", ROOT / "tests/configs/yolov5s.yaml", "640"),
         ("yolov5x6", ROOT / "tests/configs/yolov5x6.yaml", "1280")]


def median_time(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=7)
    runs = ap.parse_args().runs
    torch_t = median_time([sys.executable, "-c", "import torch"], runs)
    label = 'python -c "import torch"'
    print(f"{label:<36} {torch_t * 1000:8.1f} ms")
    for name, cfg, imgsz in CASES:
        t = median_time([sys.executable, "-m", "yanalyze", str(cfg), "--imgsz", imgsz, "--json"], runs)
        print(f"{'yanalyze ' + name + ' --imgsz ' + imgsz + ' --json':<36} {t * 1000:8.1f} ms"
              f"   ratio {t / torch_t:.2f}")


if __name__ == "__main__":
    main()
