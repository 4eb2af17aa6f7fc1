"""Chart geometry for "where the cost goes": stacked bars of each total's shares by section, by
module type and by the output levels a layer feeds, and the top layers by GFLOPs."""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

from ..analyzer.breakdown import LABELS, METRICS, of
from ..analyzer.model import Group
from ..analyzer.model import Analysis
from . import fmt
from .charts import Chart, Label, Mark, Tick
from .summary import TOP_MODULES

W = 640
LEFT, RIGHT, TOP, ROW, GAP = 120, 24, 10, 22, 8
PALETTE = 8  # css classes seg0..seg7; further groups reuse them in order


def _shown(groups: Sequence[Group], limit: int, metrics: Sequence[str] = METRICS) -> list[Group]:
    """The first `limit` groups, the rest summed as one 'other' group (so shares still sum to 1)."""
    if not limit or len(groups) <= limit + 1:
        return list(groups)
    rest = groups[limit:]
    other = Group(key=f"other ({len(rest)} types)", layers=tuple(i for g in rest for i in g.layers),
                  values={m: sum(g.values[m] for g in rest) for m in metrics},
                  shares={m: sum(g.shares[m] for g in rest) for m in metrics})
    return [*groups[:limit], other]


def _value(metric: str, v: float) -> str:
    if metric == "gflops":
        return f"{v:.2f} GFLOPs"
    if metric == "params":
        return f"{fmt.count(round(v))} params"
    return fmt.nbytes(round(v))


def stacked(id: str, title: str, groups: Sequence[Group], limit: int = 0, metrics: Sequence[str] = METRICS,
            labels: Mapping[str, str] = LABELS, value: Callable[[str, float], str] = _value) -> Chart:
    """One bar per total (params, GFLOPs, memory access, activations, or the given metrics), split
    into the groups."""
    shown = _shown(groups, limit, metrics)
    height = TOP + len(metrics) * (ROW + GAP) + 32
    y0 = height - 34
    c = Chart(id, title, "share of the total", "", width=W, height=height, x0=LEFT, x1=W - RIGHT, y0=y0, y1=TOP)
    span = W - RIGHT - LEFT
    c.x_ticks = [Tick(round(LEFT + span * f, 2), f"{f:.0%}") for f in (0, 0.25, 0.5, 0.75, 1)]
    for k, metric in enumerate(metrics):
        top = TOP + k * (ROW + GAP)
        c.labels.append(Label(LEFT - 6, top + ROW / 2 + 4, labels[metric], "end", "tick"))
        at = 0.0
        for j, g in enumerate(shown):
            share = g.shares[metric]
            if share <= 0:
                continue
            c.marks.append(Mark(round(LEFT + span * at, 2), top, round(span * share, 2), ROW,
                                title=f"{g.key}: {share:.1%} of {labels[metric]} ({value(metric, g.values[metric])})",
                                css=f"seg seg{j % PALETTE}"))
            if share >= 0.08:
                c.labels.append(Label(round(LEFT + span * (at + share / 2), 2), top + ROW / 2 + 4,
                                      f"{share:.0%}", "middle", "seg-label"))
            at += share
    c.legend = [(f"seg{j % PALETTE}", g.key) for j, g in enumerate(shown)]
    return c


def top_layers(a: Analysis, metric: str = "gflops", n: int = 10) -> Chart:
    """The n layers with the largest share of one total, as labelled horizontal bars."""
    groups = [g for g in of(a).top[metric][:n] if g.values[metric]]
    height = TOP + len(groups) * ROW + 36
    y0 = height - 34
    c = Chart(f"chart-top-{metric}", f"Top {len(groups)} layers by {LABELS[metric]}", f"share of {LABELS[metric]}",
              "", width=W, height=height, x0=LEFT, x1=W - RIGHT, y0=y0, y1=TOP)
    most = max((g.shares[metric] for g in groups), default=1) or 1
    span = W - RIGHT - LEFT - 50
    c.x_ticks = [Tick(round(LEFT + span * f / most, 2), f"{f:.0%}") for f in _share_ticks(most)]
    for k, g in enumerate(groups):
        top = TOP + k * ROW
        width = round(span * g.shares[metric] / most, 2)
        c.labels.append(Label(LEFT - 6, top + 12, g.key, "end", "tick"))
        c.marks.append(Mark(LEFT, top, max(width, 1.0), ROW - 6, title=f"layer {g.key}: {g.shares[metric]:.1%} of "
                            f"{LABELS[metric]} ({_value(metric, g.values[metric])})", css="bar"))
        c.labels.append(Label(LEFT + width + 4, top + 12, f"{g.shares[metric]:.1%}", "start", "tick"))
    return c


def _share_ticks(most: float) -> list[float]:
    step = next(s for s in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25) if most / s <= 6)
    return [step * i for i in range(int(most / step) + 1)]


def cost_charts(a: Analysis) -> list[Chart]:
    b = of(a)
    return [stacked("chart-by-section", "By section: backbone, neck (FPN/PAN), head", b.by_section),
            stacked("chart-by-module", "By module type", b.by_module, TOP_MODULES),
            stacked("chart-by-level", "By the output levels a layer feeds", b.by_level, TOP_MODULES),
            top_layers(a, "gflops"), top_layers(a, "mem_bytes")]
