"""Chart geometry for the HTML report: plain data the SVG template draws.

Only layout happens here (scales, ticks, positions); every value comes from the Analysis.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

from ..analyzer.devices import CPU_DEFAULT, Device
from ..analyzer.model import Analysis
from . import fmt

W, H = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 58, 12, 16, 30


@dataclass(frozen=True)
class Mark:
    """One bar (w, h > 0), point (r > 0) or label, with hover text."""

    x: float
    y: float
    w: float = 0.0
    h: float = 0.0
    r: float = 0.0
    title: str = ""
    css: str = ""


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True)
class Line:
    """A polyline, or a filled polygon (a band), with hover text."""

    kind: str
    css: str
    points: str
    title: str


@dataclass(frozen=True)
class Label:
    """Text placed in the chart (a reference line's name, a bar's value)."""

    x: float
    y: float
    text: str
    anchor: str = "start"
    css: str = "note"


@dataclass
class Chart:
    """An SVG chart: marks, polylines, axis ticks and reference lines, in pixel coordinates."""

    id: str
    title: str
    x_label: str
    y_label: str
    marks: list[Mark] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css, text)
    labels: list[Label] = field(default_factory=list)
    caption: str = ""  # one sentence under the chart: what to read from it
    width: int = W
    height: int = H
    x0: int = LEFT
    x1: int = W - RIGHT
    y0: int = H - BOTTOM
    y1: int = TOP


class Scale:
    """Linear or log10 mapping of a data range onto a pixel range."""

    def __init__(self, lo: float, hi: float, p0: float, p1: float, log: bool = False):
        self.log = log
        f = (lambda v: math.log10(max(v, 1e-30))) if log else (lambda v: v)
        self.f: Callable[[float], float] = f
        self.lo, self.hi = f(lo), f(hi if hi > lo else lo + 1)
        self.p0, self.p1 = p0, p1

    def __call__(self, v: float) -> float:
        return round(self.p0 + (self.f(v) - self.lo) / (self.hi - self.lo) * (self.p1 - self.p0), 2)

    def ticks(self, fmt_fn: Callable[[float], str], n: int = 4) -> list[Tick]:
        if self.log:
            # 1-2-5 steps over up to three decades, so the axis reads 20, 50, 100, 200, 500, 1k...
            steps = (1, 2, 5) if self.hi - self.lo <= 3.5 else (1,)
            vals = [m * 10.0 ** e for e in range(math.floor(self.lo), math.ceil(self.hi) + 1) for m in steps]
        else:
            step = _nice((self.hi - self.lo) / n)
            vals = [step * i for i in range(int(self.lo // step), int(self.hi // step) + 1)]
        lo, hi = sorted((self.p0, self.p1))
        return [Tick(self(v), fmt_fn(v)) for v in vals if lo - 0.5 <= self(v) <= hi + 0.5]


def _nice(raw: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) at least `raw`."""
    if raw <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)


def layer_axis(n: int) -> Scale:
    return Scale(-0.5, n - 0.5, LEFT, W - RIGHT)


def index_ticks(x: Scale, n: int) -> list[Tick]:
    step = max(1, math.ceil(n / 16))
    return [Tick(x(i), str(i)) for i in range(0, n, step)]


def bars(a: Analysis, id: str, title: str, values: Sequence[float], unit: str,
         fmt_fn: Callable[[float], str]) -> Chart:
    """One bar per layer."""
    n = len(values)
    x, y = layer_axis(n), Scale(0, max(values) or 1, H - BOTTOM, TOP)
    width = max(1.0, (x(1) - x(0)) * 0.8)
    marks = [Mark(x(i) - width / 2, y(v), width, y(0) - y(v), title=f"{i} {a.layers[i].module}: {fmt_fn(v)} {unit}",
                  css="bar head" if a.layers[i].is_head else "bar")
             for i, v in enumerate(values)]
    return Chart(id, title, "layer", unit, marks, x_ticks=index_ticks(x, n), y_ticks=y.ticks(fmt_fn))


def flops_chart(a: Analysis) -> Chart:
    return bars(a, "chart-flops", "GFLOPs per layer (ultralytics)", [r.gflops for r in a.layers],
                "GFLOPs", lambda v: f"{v:.2f}")


def params_chart(a: Analysis) -> Chart:
    return bars(a, "chart-params", "Parameters per layer", [float(r.params) for r in a.layers],
                "params", lambda v: fmt.si(v))


def rf_chart(a: Analysis) -> Chart:
    """Receptive field (exact min-max band, textbook line) and stride against depth, image size marked."""
    n = len(a.layers)
    outs = [r.out for r in a.layers]
    image = max(a.input.imgsz)
    top = max([image, *(max(o.rf_max) for o in outs), *(lv.largest_anchor for lv in a.levels)])
    x, y = layer_axis(n), Scale(1, top * 1.1, H - BOTTOM, TOP, log=True)
    c = Chart("chart-rf", "Receptive field and stride against depth", "layer", "pixels (log)",
              x_ticks=index_ticks(x, n), y_ticks=y.ticks(lambda v: fmt.si(v)))
    band_hi = [f"{x(i)},{y(o.rf_max[0])}" for i, o in enumerate(outs)]
    band_lo = [f"{x(i)},{y(o.rf_min[0])}" for i, o in reversed(list(enumerate(outs)))]
    c.lines.append(Line("polygon", "band", " ".join(band_hi + band_lo),
                        "exact receptive field (min to max over positions)"))
    c.lines.append(Line("polyline", "rf", " ".join(f"{x(i)},{y(float(o.rf[0]))}" for i, o in enumerate(outs)),
                        "textbook receptive field"))
    c.lines.append(Line("polyline", "stride",
                        " ".join(f"{x(i)},{y(float(o.stride[0]))}" for i, o in enumerate(outs)), "stride"))
    c.lines.append(Line("polyline", "image", f"{LEFT},{y(image)} {W - RIGHT},{y(image)}",
                        f"image size {image} px"))
    for i, (r, o) in enumerate(zip(a.layers, outs)):
        c.marks.append(Mark(x(i), y(o.rf_max[0]), r=2.5, css="pt-rf" + (" global" if o.global_context else ""),
                            title=f"{i} {r.module}: RF {fmt.rf_exact(o)} px (textbook {fmt.axes(o.rf, fmt.frac)}), "
                                  f"stride {fmt.axes(o.stride, fmt.frac)}"
                                  + (", global context" if o.global_context else "")))
    c.legend = [("band", "exact RF (min-max)"), ("rf", "textbook RF"), ("stride", "stride"),
                ("image", f"image {image} px")]
    anchored = [lv for lv in a.levels if lv.anchors]
    for lv in anchored:
        big = lv.largest_anchor
        if big >= 1:
            c.lines.append(Line("polyline", "anchor", f"{x(n - 1) - 60},{y(big)} {W - RIGHT},{y(big)}",
                                f"{lv.name}: largest anchor {big:g} px"))
            c.labels.append(Label(x(n - 1) - 62, y(big) + 3, f"{lv.name} anchor {big:g}", "end"))
    if anchored:
        c.legend.append(("anchor", "largest anchor per output level"))
    c.labels.append(Label(LEFT + 4, y(image) - 4, f"image {image} px"))
    c.caption = "Each output level should see at least its largest anchor; far beyond the image, the deepest " \
                "stages mostly see padding."
    return c


def roof_line(device: Device, x: Scale, y: Scale, lo: float, hi: float) -> Line:
    """The device's roof from intensity lo to hi: the bandwidth slope up to the ridge, then the peak."""
    return Line("polyline", "roof", f"{x(lo)},{y(device.attainable_gflops(lo))} {x(device.ridge)},"
                f"{y(device.peak_gflops)} {x(hi)},{y(device.peak_gflops)}",
                f"{device.name}: {device.peak_gflops:g} GFLOP/s peak, {device.bandwidth_gbs:g} GB/s")


def roofline_chart(a: Analysis, device: Device = CPU_DEFAULT) -> Chart:
    """Each layer on the device's roofline: FLOPs per byte against the GFLOP/s it can reach there
    (the lower of the peak and intensity x bandwidth); a dot's area is its share of the FLOPs."""
    pts = [(r, r.flops * a.input.batch, r.mem_bytes) for r in a.layers if r.flops and r.mem_bytes]
    xs = [r.intensity for r, _, _ in pts] or [1.0]
    lo, hi = min(min(xs), device.ridge) / 2, max(max(xs), device.ridge) * 2
    x = Scale(lo, hi, LEFT, W - RIGHT, log=True)
    y = Scale(device.attainable_gflops(lo) / 1.5, device.peak_gflops * 1.6, H - BOTTOM, TOP, log=True)
    c = Chart("chart-roofline", f"Roofline on {device.name}: arithmetic intensity against attainable GFLOP/s",
              "arithmetic intensity (FLOPs per byte of memory access, log)", "attainable GFLOP/s (log)",
              x_ticks=x.ticks(lambda v: f"{v:g}"), y_ticks=y.ticks(lambda v: f"{v:g}"))
    c.lines.append(roof_line(device, x, y, lo, hi))
    c.labels.append(Label(x(device.ridge) + 6, y(device.peak_gflops) + 16,
                          f"ridge {device.ridge:.3g} FLOPs/B: layers left of it are memory-bound"))
    total = sum(f for _, f, _ in pts) or 1
    memory = [(r, f, m) for r, f, m in pts if device.bound(f, m) == "memory"]
    for r, flops, mem in pts:
        kind = device.bound(flops, mem)
        c.marks.append(Mark(x(r.intensity), y(device.attainable_gflops(r.intensity)),
                            r=round(2 + 10 * (flops / total) ** 0.5, 2), css=f"pt {kind}",
                            title=f"{r.index} {r.module}: {r.intensity:.1f} FLOPs/byte, {kind}-bound; "
                                  f"{fmt.si(flops)} FLOPs, {fmt.nbytes(mem)}; at least "
                                  f"{device.bound_ms(flops, mem):.3g} ms on {device.name}"))
    c.legend = [("roof", f"roofline of {device.name}"), ("memory", "memory-bound layer"),
                ("compute", "compute-bound layer")]
    share = sum(f for _, f, _ in memory) / total
    ms = sum(device.bound_ms(f, m) for _, f, m in memory)
    whole = sum(device.bound_ms(f, m) for _, f, m in pts)
    c.caption = (f"{len(memory)} of {len(pts)} layers are memory-bound here: {share:.0%} of the FLOPs but "
                 f"{ms / whole:.0%} of the roofline time ({ms:.3g} of {whole:.3g} ms at least). A dot's area is "
                 f"its share of the FLOPs; hover for the layer. {device.name}: {device.source}.") if whole else ""
    return c


def all_charts(a: Analysis, roofline: Optional[Chart] = None) -> list[Chart]:
    """The report's charts; `roofline` replaces the default device's (with --device, the chosen one's)."""
    return [flops_chart(a), params_chart(a), rf_chart(a), roofline or roofline_chart(a)]

