"""Linear in layers: the JSON report (`-q`) of generated configs of 100 to 20,000 rows, in CPU time
against `python -c "import torch"` (target at 20,000 rows: at most 2), with the log-log slope of
cost against rows from 5,000 to 20,000 (target: at most 1.05).
Run from the repository root: python bench/layers.py [--runs N]
"""
from __future__ import annotations

import argparse
import math
import tempfile
from pathlib import Path

from cpu import chain_config, cpu_time, torch_time, yanalyze

SIZES = (100, 1000, 5000, 20000)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    runs = ap.parse_args().runs
    torch = torch_time(runs)
    print(f"python -c \"import torch\"  {torch:7.3f} s CPU")
    seen = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rows in SIZES:
            cfg = chain_config(rows, Path(tmp) / f"chain{rows}.yaml")
            t, rss = cpu_time(yanalyze(str(cfg), "--imgsz", "64", "--json", str(Path(tmp) / "o.json"), "-q"), runs)
            seen[rows] = t
            print(f"{rows:>6} rows   {t:7.3f} s CPU   ratio {t / torch:6.3f}   peak RSS {rss / 1024:6.0f} MB")
    slope = math.log(seen[20000] / seen[5000]) / math.log(20000 / 5000)
    print(f"slope 5,000 -> 20,000 rows: {slope:.3f}")


if __name__ == "__main__":
    main()
