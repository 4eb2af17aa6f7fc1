"""Diff at scale: two 3000-row configs that differ in one module, as a process (JSON to a file),
in CPU time against `python -c "import torch"` (target: at most 1) and peak RSS (target: under
150 MB). Run from the repository root: python bench/diff_scale.py [--runs N]
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from cpu import chain_config, cpu_time, torch_time, yanalyze


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    runs = ap.parse_args().runs
    torch = torch_time(runs)
    with tempfile.TemporaryDirectory() as tmp:
        a = chain_config(3000, Path(tmp) / "a.yaml")
        b = chain_config(3000, Path(tmp) / "b.yaml", changed_at=1500)
        t, rss = cpu_time(yanalyze("diff", str(a), str(b), "--imgsz", "64", "--json", str(Path(tmp) / "d.json")), runs)
    print(f"python -c \"import torch\"      {torch:7.3f} s CPU")
    print(f"yanalyze diff, 3000 rows     {t:7.3f} s CPU   ratio {t / torch:.3f}   peak RSS {rss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
