"""Many configs: every official config in tests/configs in one call against one process each, in
CPU time against `python -c "import torch"`. Run from the repository root: python bench/many.py
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from cpu import ROOT, cpu_time, torch_time, yanalyze


def main() -> None:
    torch = torch_time(3)
    configs = sorted(str(p) for p in (ROOT / "tests/configs").glob("yolov5*.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "o.json")
        together, _ = cpu_time(yanalyze(*configs, "--json", out, "-q"), 3)
        apart = sum(cpu_time(yanalyze(c, "--json", out, "-q"), 1)[0] for c in configs)
    print(f"python -c \"import torch\"               {torch:7.3f} s CPU")
    print(f"{len(configs)} configs in one call            {together:7.3f} s CPU   ratio {together / torch:.3f}")
    print(f"{len(configs)} configs, one process each      {apart:7.3f} s CPU   ratio {apart / torch:.3f}")


if __name__ == "__main__":
    main()
