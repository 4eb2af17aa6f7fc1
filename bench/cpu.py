"""What every benchmark here shares: the CPU time of a whole process (user + system, children's
rusage), paired with `python -c "import torch"` measured in the same run, and generated configs."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_time(cmd: list[str], runs: int = 5) -> tuple[float, int]:
    """Median CPU seconds of a command and its largest peak RSS (kB) over the runs."""
    times, peak = [], 0
    for _ in range(runs):
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        if status:
            raise SystemExit(f"{' '.join(cmd)} failed ({status})")
        times.append(usage.ru_utime + usage.ru_stime)
        peak = max(peak, usage.ru_maxrss)
    return statistics.median(times), peak


def torch_time(runs: int = 5) -> float:
    """The yardstick: CPU seconds of importing torch."""
    return cpu_time([sys.executable, "-c", "import torch"], runs)[0]


def yanalyze(*args: str) -> list[str]:
    return [sys.executable, "-m", "yanalyze", *args]


def chain_config(rows: int, path: Path, changed_at: int = -1) -> Path:
    """A config of `rows` layers: yolov5s's stem, then C3 and 3x3 Conv rows in turn (the row at
    `changed_at` a GhostConv instead, for diffs)."""
    lines = ["nc: 80", "depth_multiple: 0.33", "width_multiple: 0.50", "backbone:",
             "  - [-1, 1, Conv, [64, 6, 2, 2]]", "  - [-1, 1, Conv, [128, 3, 2]]", "  - [-1, 3, C3, [128]]",
             "  - [-1, 1, Conv, [256, 3, 2]]"]
    for i in range(rows):
        module = "GhostConv, [128, 3, 1]" if i == changed_at else "Conv, [128, 3, 1]" if i % 2 else "C3, [128, False]"
        lines.append(f"  - [-1, 1, {module}]")
    lines += ["head:", "  - [-1, 1, Conv, [256, 3, 2]]"]
    path.write_text("\n".join(lines) + "\n")
    return path
