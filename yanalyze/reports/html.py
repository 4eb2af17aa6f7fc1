"""The HTML report: one self-contained file rendered from jinja2 templates.

This module prepares display values from the Analysis (strings, sort keys, chart
geometry, the Graphviz drawing); the templates only lay them out. Autoescaping is on and
undefined names are errors, so text from a YAML can never become markup.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import jinja2
from markupsafe import Markup

from ..analyzer.budget import BudgetCheck
from ..analyzer.model import Analysis
from . import fmt
from . import summary as S
from .budget_html import groups
from .budget_report import verdict
from .charts import all_charts
from .cost_charts import cost_charts
from .columns import COLUMNS
from .drawings import drawing
from .graph_dot import GraphSVG, node_id, render_svg


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


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("yanalyze", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def table(a: Analysis) -> dict:
    """Header (title, numeric?) and rows of (text, sort key) cells."""
    numeric = [not isinstance(c.sort(a.layers[0]), str) for c in COLUMNS]
    rows = [{"index": r.index, "module": r.module, "id": f"row-{node_id(r.index)}", "head": r.is_head,
             "cells": [(c.cell(r), c.sort(r)) for c in COLUMNS]} for r in a.layers]
    return {"columns": [(c.title, num) for c, num in zip(COLUMNS, numeric)], "rows": rows}


def render(a: Analysis, options: Optional[Options] = None) -> str:
    """The whole report as one HTML string (deterministic: no timestamps)."""
    from .. import __version__

    options = options or Options()
    graph = options.graph or render_svg(a)
    return _env().get_template("report.html.j2").render(
        name=a.name, path=a.path or "", version=__version__,
        input=S.input_text(a), headline=S.headline(a),
        summary=[(i.label, i.value, i.detail) for i in S.totals(a)], level_header=S.LEVEL_HEADER, levels=S.levels(a),
        table=table(a), charts=all_charts(a), cost_charts=cost_charts(a), cost_tables=S.cost_tables(a),
        share_header=S.SHARE_HEADER, top_layers=S.top_layers(a),
        graph_svg=Markup(graph.svg) if graph.svg else None, graph_dot=graph.dot, graph_note=graph.note,
        budget=budget_view(options.budget), rewrites=rewrite_views(a),
        diagnostics=[(f.severity, f.code, f.where, f.message) for f in S.findings(a)])
