"""The HTML page of an architecture diff: the causes first, then totals and output levels side
by side, both graphs with the changed nodes marked, and the per-layer table with A's and B's
values (same templates, styles and table tools as the report)."""
from __future__ import annotations

from typing import Optional

from markupsafe import Markup

from ..analyzer.diff import LATENCY, ArchDiff, LayerDiff
from .diff_report import (LEVEL_HEADER, cause_header, counts, headline, index, layer_delta, level_rows,
                          module, share_text, side_value, signed, totals_rows, value, what)
from .graph_dot import MARK_COLORS, render_svg
from .html import graph_legend, layer_info
from .jinja import environment


def marks(d: ArchDiff) -> tuple[dict[int, str], dict[int, str]]:
    """Statuses to draw on A's graph (removed, changed, moved) and on B's (added, changed, moved)."""
    on_a = {ld.a.index: ld.status for ld in d.layers if ld.a and ld.status in ("removed", "changed", "moved")}
    on_b = {ld.b.index: ld.status for ld in d.layers if ld.b and ld.status in ("added", "changed", "moved")}
    return on_a, on_b


def _bar(share: Optional[float], delta: float) -> dict:
    """A cause's share of one total's change as a bar: width in % of the cell (capped); orange
    when the cause adds to the total, blue when it takes away."""
    if share is None or not delta:
        return {"width": 0, "css": ""}
    return {"width": round(min(abs(share), 1.0) * 100, 1), "css": "up" if delta > 0 else "down"}


def causes(d: ArchDiff) -> list[dict]:
    return [{"kind": c.kind, "label": c.label, "note": c.note, "a": c.a, "b": c.b,
             "cells": [{"text": share_text(c, m), "bar": _bar(c.share[m], c.delta[m])} for m in d.metrics]}
            for c in d.causes]


def _num(ld: LayerDiff, side: str, key: str) -> dict:
    v = side_value(ld, side, key)
    return {"text": "-" if v is None else value(key, v), "key": "" if v is None else repr(v)}


def rows(d: ArchDiff) -> list[dict]:
    out = []
    trade = {i for t in d.tradeoffs for i in t.layers}
    for ld in d.layers:
        cells = []
        for key in d.metrics:
            cells += [_num(ld, "a", key), _num(ld, "b", key),
                      {"text": layer_delta(ld, key), "key": repr(float(ld.delta(key)))}]
        out.append({"status": ld.status, "a": index(ld)[0], "b": index(ld)[1], "module": module(ld), "what": what(ld),
                    "cells": cells, "trade": bool(ld.b and ld.b.index in trade),
                    "order": (ld.b or ld.a).index})  # type: ignore[union-attr]
    return out


FORMATS = {"params": "count", "gflops": "gflops", "mem_bytes": "bytes", LATENCY: "ms"}
METRIC_LABELS = {"params": ("params", "params"), "gflops": ("GFLOPs", "GFLOPs"), "mem_bytes": ("mem", "memory access"),
                 LATENCY: ("ms", "latency")}


def footer(d: ArchDiff) -> list[tuple[str, str]]:
    """The table's totals row: A's and B's totals and the change per metric, as (text, format of
    the shown-rows sum); changes get no shown sum."""
    t = {x.key: x for x in d.totals}
    cells = [("total", ""), ("", ""), ("", ""), ("", ""), ("", "")]
    for m in d.metrics:
        cells += [(value(m, t[m].a), FORMATS[m]), (value(m, t[m].b), FORMATS[m]), (signed(m, t[m].delta), "")]
    return cells


def render(d: ArchDiff) -> str:
    from .. import __version__

    on_a, on_b = marks(d)
    graphs = []
    for side, analysis, m in (("A", d.a, on_a), ("B", d.b, on_b)):
        g = render_svg(analysis, m, prefix=side)
        graphs.append({"side": side, "name": analysis.path or analysis.name, "svg": Markup(g.svg) if g.svg else None,
                       "dot": g.dot, "note": g.note})
    size = {f"{x.input.ch}x{x.input.imgsz[0]}x{x.input.imgsz[1]}" for x in (d.a, d.b)}
    return environment().get_template("diff.html.j2").render(
        version=__version__, device=d.device, a=d.a.path or d.a.name, b=d.b.path or d.b.name,
        headline=headline(d),
        input=" / ".join(sorted(size)) if len(size) > 1 else size.pop(), counts=counts(d),
        cause_header=cause_header(d), causes=causes(d), tradeoffs=[t.text for t in d.tradeoffs],
        trade_layers=[", ".join(map(str, t.layers)) for t in d.tradeoffs],
        totals=[tuple(row) for row in totals_rows(d)],
        level_header=LEVEL_HEADER, levels=level_rows(d), graphs=graphs, rows=rows(d), foot=footer(d), colors=MARK_COLORS,
        metrics=[METRIC_LABELS[m] for m in d.metrics],
        graph_key=graph_legend(MARK_COLORS), layers={**layer_info(d.a, "A"), **layer_info(d.b, "B")})
