"""The HTML report: one self-contained file rendered from jinja2 templates.

This module prepares display values from the Analysis (strings, sort keys, chart
geometry, the Graphviz drawing); the templates only lay them out. Autoescaping is on and
undefined names are errors, so text from a YAML can never become markup.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from markupsafe import Markup

from ..analyzer.breakdown import section
from ..analyzer.budget import BudgetCheck
from ..analyzer.latency import of
from ..analyzer.model import Analysis, LayerLatency, LayerResult, Part, Totals
from . import fmt
from . import summary as S
from . import time_summary as T
from .budget_html import groups
from .budget_report import verdict
from .charts import all_charts
from .cost_charts import cost_charts
from .columns import html_columns
from .drawings import drawing
from .jinja import environment
from .graph_dot import GraphSVG, legend, node_id, render_svg
from .time_charts import roofline_chart, time_charts


@dataclass
class Options:
    """What goes beyond the analysis into one report."""

    graph: Optional[GraphSVG] = None
    budget: Optional[BudgetCheck] = None  # a budget file's limits, shown in a Budgets section


def budget_view(check: Optional[BudgetCheck]) -> Optional[dict]:
    """The Budgets section: the verdict and one table per config and image size (None: no section)."""
    if check is None:
        return None
    return {"file": check.file, "ok": check.ok, "verdict": verdict(check.outcomes),
            "groups": groups(check.outcomes)}


def rewrite_views(a: Analysis) -> list[dict]:
    """Each rewrite finding with its verdict, effect, reasoning and weight-mapping drawing."""
    return [{
        "id": f"rewrite-{r.layer}", "title": f"layer {r.layer}: {fmt.rewrite_title(r.before.module, r.target)}",
        "verdict": S.verdict(r), "ok": r.applicable, "before": f"{r.before.module} {fmt.args(r.before.args)}",
        "after": f"{r.after.module} {fmt.args(r.after.args)}" if r.after else "",
        "yaml": r.yaml_after or "", "change": fmt.changes(r.before, r.after) if r.after else "",
        "reason": r.reason, "mapping": r.mapping, "counterexample": r.counterexample or "",
        "drawing": drawing(r)} for r in a.rewrites]


# Columns that add up over layers: the footer shows the model's total (from Analysis.totals,
# exact) and, when the table is filtered, the page sums the shown rows in the same format.
SUMMABLE: dict[str, tuple[str, Callable[[Totals], str]]] = {
    "params": ("count", lambda t: fmt.count(t.params)),
    "GFLOPs": ("gflops", lambda t: fmt.gflops(t.gflops)),
    "fused GFLOPs": ("gflops", lambda t: fmt.gflops(t.gflops_fused)),
    "FLOPs": ("si", lambda t: fmt.si(t.flops)),
    "mem": ("bytes", lambda t: fmt.nbytes(t.mem_bytes)),
    "fused mem": ("bytes", lambda t: fmt.nbytes(t.mem_bytes_fused)),
}


def _total(a: Analysis, title: str) -> tuple[str, str]:
    """A column's footer: the model's total and the format the page sums shown rows in."""
    if title == "ms" and a.latency is not None:
        return fmt.ms(a.latency.total_ms), "ms"
    if title in SUMMABLE:
        return SUMMABLE[title][1](a.totals), SUMMABLE[title][0]
    return "", ""


def table(a: Analysis) -> dict:
    """Header (title, numeric?), rows of (text, sort key) cells, and the footer of totals:
    (text, format of the shown-rows sum or "") per column."""
    cols = html_columns(a)
    numeric = [not isinstance(c.sort(a.layers[0]), str) for c in cols]
    rows = [{"index": r.index, "module": r.module, "id": f"row-{node_id(r.index)}", "node": node_id(r.index),
             "head": r.is_head, "cells": [(c.cell(r), c.sort(r)) for c in cols]} for r in a.layers]
    totals = [_total(a, c.title) for c in cols]
    totals[0] = ("total", "")
    return {"columns": [(c.title, num) for c, num in zip(cols, numeric)], "rows": rows, "totals": totals}


def _outs(r: LayerResult, fn: Callable[[Any], str]) -> str:
    return "\n".join(fn(o) for o in r.outputs)


def latency_row(t: Optional[LayerLatency]) -> list[list[str]]:
    """The panel's latency line: total, bound, and its three parts (nothing without a device)."""
    if t is None:
        return []
    return [["latency", f"{fmt.ms(t.ms)} ms, {t.bound}-bound (overhead {fmt.ms(t.overhead_ms)}, compute "
                        f"{fmt.ms(t.compute_ms)}, memory {fmt.ms(t.memory_ms)} ms; {t.calls} kernels; "
                        f"{fmt.ms(t.ms_fused)} ms fused)"]]


def layer_row(r: LayerResult) -> list[list[str]]:
    """Every figure of one layer as [label, text] pairs, for the graph's info panel."""
    row = [["index", f"{r.index} ({section(r)})"], ["from", fmt.from_(r.src_from)], ["n", str(r.n)],
           ["module", fmt.module(r)], ["arguments", fmt.args(r.args)],
           ["output C×H×W", _outs(r, fmt.shape)], ["stride", _outs(r, lambda o: fmt.axes(o.stride, fmt.frac))],
           ["RF textbook", _outs(r, lambda o: fmt.axes(o.rf, fmt.frac))], ["RF exact", _outs(r, fmt.rf_cell)],
           ["params", f"{fmt.count(r.params)} ({fmt.count(r.params_fused)} fused)"],
           ["GFLOPs", f"{fmt.gflops(r.gflops)} ({fmt.gflops(r.gflops_fused)} fused)"],
           ["FLOPs", f"{fmt.si(r.flops)} ({fmt.si(r.macs)} MACs)"],
           ["memory", f"{fmt.nbytes(r.mem_bytes)} ({fmt.nbytes(r.mem_bytes_fused)} fused)"],
           ["FLOPs/byte", f"{r.intensity:.1f}"], ["origin", fmt.visible(r.origin)]]
    if r.definition:
        row.append(["definition", fmt.visible(r.definition)])
    if r.line:
        row.append(["YAML line", str(r.line)])
    return row


def _part(p: Part) -> dict:
    return {"name": p.name, "detail": p.detail, "count": f"x{p.count}" if p.count > 1 else "",
            "params": fmt.count(p.params), "gflops": fmt.gflops(p.gflops, 3), "mem": fmt.nbytes(p.mem_bytes)}


def layer_info(a: Analysis, prefix: str = "") -> dict[str, dict]:
    """Graph node id -> what the info panel shows: title, the full row, the block's internals.

    "parts" lists the block's internal steps (LayerResult.parts: name, detail, repeat count,
    params, GFLOPs, memory); an unknown layer has none and the panel omits them.
    The page embeds this with jinja2's tojson (keys sorted, <, >, & escaped).
    """
    lats = a.latency.layers if a.latency is not None else []
    return {prefix + node_id(r.index): {"title": f"{r.index} {fmt.module(r)}",
                                        "row": layer_row(r) + latency_row(of(lats, r.index)),
                                        "parts": [_part(p) for p in r.parts]}
            for r in a.layers}


def graph_legend(marks: Optional[dict[str, str]] = None) -> dict:
    """The key under a graph: the shading stops, and the mark colours on a diff page."""
    return {"stops": legend(), "marks": list((marks or {}).items())}


def time_view(a: Analysis) -> Optional[dict]:
    """Where the time goes: the profile, the totals, the charts and the same as tables (None: no device)."""
    lt = a.latency
    if lt is None:
        return None
    return {"device": str(lt.device.get("name", "?")), "kind": fmt.kind(lt.kind), "source": T.source_text(lt),
            "total": fmt.ms(lt.total_ms), "fused": fmt.ms(lt.total_ms_fused), "partial": lt.partial,
            "measured": lt.kind == "measured", "charts": time_charts(a), "header": T.TIME_HEADER,
            "tables": [("by what bounds each layer", "bound", T.share_rows(T.by_bound(a))),
                       ("by op class", "op class", T.share_rows(T.by_class(a)))],
            "advice": T.advice_rows(a), "advice_header": T.ADVICE_HEADER}


def render(a: Analysis, options: Optional[Options] = None) -> str:
    """The whole report as one HTML string (deterministic: no timestamps)."""
    from .. import __version__

    options = options or Options()
    graph = options.graph or render_svg(a)
    return environment().get_template("report.html.j2").render(
        name=a.name, path=a.path or "", version=__version__,
        input=S.input_text(a), headline=S.headline(a),
        summary=[(i.label, i.value, i.detail) for i in S.totals(a)], level_header=S.LEVEL_HEADER, levels=S.levels(a),
        table=table(a), charts=all_charts(a, roofline_chart(a) if a.latency else None),
        cost_charts=cost_charts(a), cost_tables=S.cost_tables(a),
        share_header=S.SHARE_HEADER, top_layers=S.top_layers(a),
        graph_svg=Markup(graph.svg) if graph.svg else None, graph_dot=graph.dot, graph_note=graph.note,
        graph_legend=graph_legend(), layers=layer_info(a),
        budget=budget_view(options.budget), rewrites=rewrite_views(a), time=time_view(a),
        diagnostics=[(f.severity, f.code, f.where, f.message) for f in S.findings(a)])
