"""Start-up: the whole JSON report of yolov5s at 640 and yolov5x6 at 1280 (`-q`), as a process,
in CPU time against `python -c "import torch"` in the same run (target for yolov5x6: at most
0.10). Run from the repository root: python bench/startup.py [--runs N]
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from cpu import ROOT, cpu_time, torch_time, yanalyze

CASES = [("yolov5s", ROOT / "tests/configs/yolov5s.yaml", "640"),
         ("yolov5x6", ROOT / "tests/configs/yolov5x6.yaml", "1280")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=7)
    runs = ap.parse_args().runs
    torch = torch_time(runs)
    label = 'python -c "import torch"'
    print(f"{label:<44} {torch:7.3f} s CPU")
    with tempfile.TemporaryDirectory() as tmp:
        for name, cfg, imgsz in CASES:
            t, _ = cpu_time(yanalyze(str(cfg), "--imgsz", imgsz, "--json", str(Path(tmp) / "o.json"), "-q"), runs)
            print(f"{'yanalyze ' + name + ' @' + imgsz + ' --json PATH -q':<44} {t:7.3f} s CPU   ratio {t / torch:.3f}")


if __name__ == "__main__":
    main()
