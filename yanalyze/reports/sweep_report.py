"""Sweep views: the JSON of every point, the terminal table of the Pareto front, and the HTML
scatter (GFLOPs against params, the front highlighted and connected; a click shows a point's
numbers and the YAML lines that give it). With a device each point also shows its estimated
latency, and the latency front's scatter puts latency on the x axis instead of GFLOPs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional

from ..analyzer.serialize import dumps
from ..analyzer.sweep import FRONTS, Point, Sweep
from . import fmt
from .charts import Chart, Line, Scale

if TYPE_CHECKING:
    from rich.console import Console

SCHEMA = "yanalyze-sweep/1"
W, H = 760, 440
ZONES = 4  # colours for the image sizes (a fifth size takes the first colour again)
LEFT, RIGHT, TOP, BOTTOM = 70, 16, 16, 40


def point_dict(p: Point) -> dict:
    out = {"depth_multiple": p.depth_multiple, "width_multiple": p.width_multiple, "imgsz": list(p.imgsz),
           "params": p.params, "gflops": p.gflops, "gflops_fused": p.gflops_fused, "mem_bytes": p.mem_bytes,
           "peak_activation_bytes": p.peak_activation_bytes, "pareto": p.pareto}
    if p.latency_ms is not None:
        out["latency_ms"] = p.latency_ms
    return out


def to_json(s: Sweep) -> str:
    """Every point, sorted (depth, width, image size); byte-identical for the same input. With a
    device, only additions: "device" (the profile's summary) and each point's "latency_ms"."""
    out: dict[str, Any] = {"schema": SCHEMA, "model": s.name, "path": s.path, "nc": s.nc,
                           "batch": s.batch, "dtype": s.dtype, "gflops_as": s.gflops_as,
                           "front": s.front_kind, "pareto_count": sum(p.pareto for p in s.points),
                           "points": [point_dict(p) for p in s.points]}
    if s.device is not None:
        out["device"] = s.device
    return dumps(out, indent=1)


def _row(p: Point) -> list[str]:
    return [f"{p.depth_multiple:g}", f"{p.width_multiple:g}", fmt.axes(p.imgsz), fmt.count(p.params),
            fmt.gflops(p.gflops), fmt.gflops(p.gflops_fused), fmt.nbytes(p.mem_bytes),
            fmt.nbytes(p.peak_activation_bytes), *(() if p.latency_ms is None else (_ms(p.latency_ms),))]


def _ms(v: float) -> str:
    return f"{v:.2f}"


HEADERS = ["depth", "width", "imgsz", "params", "GFLOPs", "fused", "memory", "peak act."]


def headers(s: Sweep) -> list[str]:
    """The table's columns: latency (ms) joins with a device."""
    return HEADERS + (["ms"] if s.device is not None else [])


def device_text(s: Sweep) -> str:
    """'latency in ms on NAME (measured profile)' for the views' notes ('' without a device)."""
    if s.device is None:
        return ""
    kind = "roofline lower bound" if s.device.get("kind") == "roofline" else "measured profile"
    return f"latency in ms on {s.device.get('name')} ({kind})"


WHAT = {"min": "params and GFLOPs", "capacity": "most params for the GFLOPs", "latency": "most params for the latency"}


def render_terminal(s: Sweep, console: "Console") -> None:
    """The front as a table, fewest params first (GFLOPs then fall)."""
    from rich.table import Table

    front = s.front
    t = Table(title=f"{fmt.visible(s.name)}: Pareto front of {WHAT[s.front_kind]}, {len(front):,} of "
                    f"{len(s.points):,} points", title_justify="left")
    for h in headers(s):
        t.add_column(h, justify="right")
    for p in front:
        t.add_row(*_row(p))
    console.print(t)
    timed = f"; {fmt.visible(device_text(s))}" if s.device is not None else ""
    console.print(f"batch {s.batch}, {s.dtype}; GFLOPs as {s.gflops_as}{timed}. Front ({s.front_kind}): "
                  f"{FRONTS[s.front_kind]}; tied points are all on it.", highlight=False)


@dataclass(frozen=True)
class Dot:
    """One point of the scatter: position, index into the page's data, front or not, hover text."""

    x: float
    y: float
    k: int
    css: str
    title: str


def scatter(s: Sweep) -> tuple[Chart, list[Dot], list[int]]:
    """GFLOPs (x, log) against params (y, log), or latency for the latency front; the front drawn
    last, on top, and joined. A dominated point on the pixel of one already drawn (same colour) is
    left out, so a sweep of a million points is still a page a browser opens; returns the drawn
    points' indices too."""
    cost = x_of(s)
    xs, ys = [cost(p) for p in s.points], [p.params for p in s.points]
    x = Scale(min(xs) / 1.15, max(xs) * 1.15, LEFT, W - RIGHT, log=True)
    y = Scale(min(ys) / 1.15, max(ys) * 1.15, H - BOTTOM, TOP, log=True)
    c = Chart("chart-sweep", f"Every point: {x_name(s)} against params", f"{x_name(s)} (log)", "params (log)",
              x_ticks=x.ticks(lambda v: f"{v:g}"), y_ticks=y.ticks(lambda v: fmt.si(v)), width=W, height=H,
              x0=LEFT, x1=W - RIGHT, y0=H - BOTTOM, y1=TOP)
    sizes = sorted({p.imgsz for p in s.points})
    zone = {size: f"z{k % ZONES}" for k, size in enumerate(sizes)}
    dots: list[Dot] = []
    shown: list[int] = []
    taken: set[tuple[int, int, str]] = set()
    for k in sorted(range(len(s.points)), key=lambda k: (s.points[k].pareto, k)):
        p = s.points[k]
        px, py, css = x(cost(p)), y(p.params), "pt front" if p.pareto else f"pt {zone[p.imgsz]}"
        pixel = (round(px), round(py), css)
        if pixel in taken and not p.pareto:
            continue
        taken.add(pixel)
        dots.append(Dot(px, py, len(shown), css, _title(p)))
        shown.append(k)
    front = sorted(s.front, key=lambda p: (cost(p), p.params))
    c.lines.append(Line("polyline", "front-line", " ".join(f"{x(cost(p))},{y(p.params)}" for p in front),
                        f"Pareto front: {len(front)} points"))
    c.legend = [("front", "on the Pareto front"),
                *((zone[size], f"imgsz {fmt.axes(size)}") for size in sizes[:ZONES])]
    return c, dots, shown


def x_of(s: Sweep) -> Callable[[Point], float]:
    """The scatter's x value: latency (ms) for the latency front, else GFLOPs."""
    if s.front_kind == "latency":
        return lambda p: p.latency_ms or 0.0
    return lambda p: p.gflops


def x_name(s: Sweep) -> str:
    return "latency, ms" if s.front_kind == "latency" else "GFLOPs"


def _title(p: Point) -> str:
    ms = f", {_ms(p.latency_ms)} ms" if p.latency_ms is not None else ""
    return (f"depth {p.depth_multiple:g}, width {p.width_multiple:g}, {fmt.axes(p.imgsz)}: "
            f"{fmt.count(p.params)} params, {fmt.gflops(p.gflops)} GFLOPs{ms}"
            + (" (Pareto front)" if p.pareto else ""))


def html(s: Sweep, cfg_shown: Optional[str] = None) -> str:
    """The self-contained page (deterministic: no timestamps; data escaped by tojson)."""
    from .. import __version__
    from .jinja import environment

    chart, dots, shown = scatter(s)
    data = [[p.depth_multiple, p.width_multiple, p.imgsz[0], p.imgsz[1], p.params, p.gflops, p.gflops_fused,
             p.mem_bytes, p.peak_activation_bytes, int(p.pareto), *(() if p.latency_ms is None else (p.latency_ms,))]
            for p in (s.points[k] for k in shown)]
    return environment().get_template("sweep.html.j2").render(
        version=__version__, s=s, cfg=cfg_shown or s.path or s.name, chart=chart, dots=dots, data=data,
        headers=headers(s), front=_front_rows(s, shown), total=len(s.points), rule=FRONTS[s.front_kind],
        what=WHAT[s.front_kind], x_name=x_name(s), device=device_text(s))


def _front_rows(s: Sweep, shown: list[int]) -> list[tuple[int, list[str]]]:
    """The front's table rows, each with its point's index into the page data (every front
    point is drawn, so each has one)."""
    where = {id(s.points[k]): j for j, k in enumerate(shown)}
    return [(where[id(p)], _row(p)) for p in s.front]
