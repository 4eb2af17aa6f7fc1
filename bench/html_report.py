"""Time the HTML report for yolov5x6 at 1280: analysis plus rendering, and dot separately.

Prints the median of several runs for each part and the report size (target: under a
second plus the time `dot` takes, and under 2 MB). Run from the repository root.
"""
from __future__ import annotations

import statistics
import time
from pathlib import Path

import yanalyze
from yanalyze.reports import graph_dot, html

CFG = Path(__file__).resolve().parent.parent / "tests/configs/yolov5x6.yaml"


def median(fn, runs: int = 5) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    t_an, a = median(lambda: yanalyze.analyze(CFG, imgsz=1280))
    t_dot, graph = median(lambda: graph_dot.render_svg(a))
    t_html, page = median(lambda: html.render(a, html.Options(graph=graph)))
    print(f"analyze yolov5x6 @1280   {t_an * 1000:7.1f} ms")
    print(f"dot -Tsvg                {t_dot * 1000:7.1f} ms")
    print(f"render HTML (no dot)     {t_html * 1000:7.1f} ms")
    print(f"analysis + render        {(t_an + t_html) * 1000:7.1f} ms   (target < 1000 ms plus dot)")
    print(f"report size              {len(page.encode()) / 1e6:7.2f} MB   (target < 2 MB)")


if __name__ == "__main__":
    main()
