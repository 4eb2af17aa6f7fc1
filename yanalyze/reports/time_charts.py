"""Chart geometry for "where the time goes" (with --device): each layer's estimated ms split into
overhead, compute and memory; the time beside the FLOPs by bound and by op class; and the roofline
of the chosen device with each layer at the GFLOP/s its estimate implies.

Every number is read from `Analysis.latency`; only layout happens here.
"""
from __future__ import annotations

from ..analyzer.devices import Device
from ..analyzer.latency import of
from ..analyzer.model import Analysis, Group, Latency
from . import fmt
from . import time_summary as T
from .charts import BOTTOM, RIGHT, TOP, H, LEFT, W, Chart, Label, Mark, Scale, index_ticks, layer_axis, roof_line
from .cost_charts import stacked

PARTS = ("overhead", "compute", "memory")  # stacked bottom to top
SHARE_METRICS = ("flops", "ms")
SHARE_LABELS = {"flops": "FLOPs", "ms": "time"}
TOP_CLASSES = 7  # op classes shown before the rest are summed as "other"


def profile(lt: Latency) -> Device:
    """The roof of the profile the estimate used (its peaks, from the summary every view reads)."""
    d = lt.device
    return Device(name=str(d.get("name", "?")), peak_gflops=float(d["peak_gflops"]),
                  bandwidth_gbs=float(d["bandwidth_gbs"]), source=str(d.get("source", "")), kind=lt.kind)


def layer_time_chart(a: Analysis) -> Chart:
    """One bar per layer, its estimated ms stacked as per-call overhead, arithmetic and memory traffic."""
    lt = a.latency
    assert lt is not None
    n = len(a.layers)
    lats = [of(lt.layers, r.index) for r in a.layers]
    x, y = layer_axis(n), Scale(0, max((t.ms for t in lats if t), default=0.0) or 1.0, H - BOTTOM, TOP)
    c = Chart("chart-time", f"Estimated ms per layer on {profile(lt).name} ({fmt.kind(lt.kind)})", "layer", "ms",
              x_ticks=index_ticks(x, n), y_ticks=y.ticks(lambda v: f"{v:g}"))
    width = max(1.0, (x(1) - x(0)) * 0.8)
    for r, lat in zip(a.layers, lats):
        at = 0.0
        if lat is None:
            continue
        for part in PARTS:
            v = getattr(lat, f"{part}_ms")
            if v <= 0:
                continue
            title = f"{r.index} {r.module}: {fmt.ms(lat.ms)} ms, {lat.bound}-bound; {part} {fmt.ms(v)} ms"
            c.marks.append(Mark(round(x(r.index) - width / 2, 2), y(at + v), round(width, 2),
                                round(y(at) - y(at + v), 2), title=title, css=f"bar t-{part}"))
            at += v
    c.legend = [(f"t-{p}", p) for p in PARTS]
    c.caption = ("Overhead: the fixed cost of each kernel call; compute: its FLOPs at the class's throughput; "
                 "memory: its bytes at the class's bandwidth. A layer's bound is its largest part."
                 if lt.kind == "measured" else
                 "Roofline lower bound: each kernel counts the larger of its FLOPs at the peak and its bytes at "
                 "the bandwidth, so a bar is compute or memory, and no call overhead is counted.")
    return c


def _groups(shares: list[T.TimeShare], suffix: str = "") -> list[Group]:
    return [Group(key=s.key + suffix, layers=(), values={"flops": float(s.flop_count), "ms": s.ms},
                  shares={"flops": s.flops, "ms": s.time}) for s in shares]


def _value(metric: str, v: float) -> str:
    return f"{fmt.si(v)} FLOPs" if metric == "flops" else f"{fmt.ms(v)} ms"


def share_charts(a: Analysis) -> list[Chart]:
    """FLOPs beside time, split by what bounds each layer and by op class: where the two part."""
    return [stacked("chart-time-by-bound", "FLOPs and time by what bounds each layer", _groups(T.by_bound(a), "-bound"),
                    0, SHARE_METRICS, SHARE_LABELS, _value),
            stacked("chart-time-by-class", "FLOPs and time by op class", _groups(T.by_class(a)), TOP_CLASSES,
                    SHARE_METRICS, SHARE_LABELS, _value)]


def time_charts(a: Analysis) -> list[Chart]:
    return [layer_time_chart(a), *share_charts(a)]


def roofline_chart(a: Analysis) -> Chart:
    """Each layer on the chosen device's roofline at the GFLOP/s its estimate implies (its FLOPs
    over its estimated time): below the roof by what the roofline alone does not explain."""
    lt = a.latency
    assert lt is not None
    device, measured = profile(lt), lt.kind == "measured"
    pts = [(r, t, r.flops * a.input.batch / (t.ms * 1e6)) for r in a.layers
           if (t := of(lt.layers, r.index)) is not None and r.flops and r.mem_bytes and t.ms > 0]
    xs = [r.intensity for r, _, _ in pts] or [1.0]
    lo, hi = min(min(xs), device.ridge) / 2, max(max(xs), device.ridge) * 2
    ys = [g for _, _, g in pts] or [device.peak_gflops]
    x = Scale(lo, hi, LEFT, W - RIGHT, log=True)
    y = Scale(min(min(ys), device.attainable_gflops(lo)) / 1.5, max(max(ys), device.peak_gflops) * 1.6,
              H - BOTTOM, TOP, log=True)
    how = "measured profile: FLOPs / estimated time" if measured else "datasheet roofline: FLOPs / lower-bound time"
    c = Chart("chart-roofline", f"Roofline on {device.name}: each layer at its estimated GFLOP/s ({how})",
              "arithmetic intensity (FLOPs per byte of memory access, log)", "GFLOP/s (log)",
              x_ticks=x.ticks(lambda v: f"{v:g}"), y_ticks=y.ticks(lambda v: f"{v:g}"))
    c.lines.append(roof_line(device, x, y, lo, hi))
    left = x(device.ridge) < (LEFT + W - RIGHT) / 2  # the label runs away from the nearer edge
    c.labels.append(Label(x(device.ridge) + (6 if left else -6), y(device.peak_gflops) + 16,
                          f"ridge {device.ridge:.3g} FLOPs/B: layers left of it are memory-bound",
                          "start" if left else "end"))
    for r, t, g in pts:
        c.marks.append(Mark(x(r.intensity), y(g), r=round(2 + 10 * (t.ms / lt.total_ms) ** 0.5, 2),
                            css=f"pt {t.bound}",
                            title=f"{r.index} {r.module}: {r.intensity:.1f} FLOPs/byte; {fmt.ms(t.ms)} ms "
                                  f"({'estimated' if measured else 'lower bound'}, {t.bound}-bound) = {g:.3g} GFLOP/s; "
                                  f"the roof allows {device.attainable_gflops(r.intensity):.3g}"))
    bounds = {t.bound for _, t, _ in pts}
    c.legend = [("roof", f"roofline of {device.name}"),
                *((b, f"{b}-bound layer") for b in ("compute", "memory", "overhead") if b in bounds)]
    memory = [t for _, t, _ in pts if t.bound == "memory"]
    c.caption = (f"{len(memory)} of {len(pts)} layers are memory-bound on this "
                 f"{'measured profile' if measured else 'roofline'}, {sum(t.ms for t in memory) / lt.total_ms:.0%} "
                 f"of the {fmt.ms(lt.total_ms)} ms. A dot's area is its share of the time; "
                 + ("its height is what the layer achieves in the estimate, below the roof by call overheads and "
                    "each op class's achieved rates. " if measured else
                    "on a roofline each kernel runs at its roof, so a layer sits below it only where its kernels "
                    "are bound differently. ") + f"{device.name}: {device.source}.") if pts and lt.total_ms else ""
    return c
