"""The Markdown view: totals, output levels, the per-layer table and diagnostics, for PR comments."""
from __future__ import annotations

from typing import Optional

from ..analyzer.budget import BudgetCheck
from ..analyzer.model import Analysis
from . import fmt
from . import summary as S
from . import time_summary as T
from .columns import markdown_columns
from .md_text import cell, code


def _table(header: list[str], rows: list[list[str]], right: set[int], literal: frozenset = frozenset()) -> list[str]:
    lines = ["| " + " | ".join(cell(h) for h in header) + " |",
             "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(code(c) if k in literal else cell(c) for k, c in enumerate(row)) + " |"
              for row in rows]
    return lines


def latency_section(a: Analysis) -> list[str]:
    """With a device: the profile, the totals, where the time goes beside the FLOPs, and the advice."""
    lt = a.latency
    if lt is None:
        return []
    name = str(lt.device.get("name", "?"))
    out = [f"**Latency** on {cell(name)} ({fmt.kind(lt.kind)})", ""]
    rows = [["device", name], ["kind", fmt.kind(lt.kind)], ["source", T.source_text(lt)],
            ["total", f"{fmt.ms(lt.total_ms)} ms" + (" (PARTIAL: unknown layers not counted)" if lt.partial else "")],
            ["fused total", f"{fmt.ms(lt.total_ms_fused)} ms (Conv+BN folded)"]]
    out += _table(["latency", "value"], rows, set()) + [""]
    out += _table(["bound", *T.TIME_HEADER], T.share_rows(T.by_bound(a)), {1, 2, 3}) + [""]
    out += _table(["op class", *T.TIME_HEADER], T.share_rows(T.by_class(a)), {1, 2, 3}) + [""]
    if a.advice:
        out += [f"**Advice** on {cell(name)} (largest estimated saving first)", ""]
        out += _table(list(T.ADVICE_HEADER), T.advice_rows(a), {1, 3}, frozenset({0})) + [""]
    return out


def render(a: Analysis, budget: Optional[BudgetCheck] = None) -> str:
    out = [f"### yanalyze: {cell(a.name)}", "", f"Input {S.input_text(a)}. {cell(S.headline(a))}.", ""]
    out += _table(["metric", "value", "detail"], [[i.label, i.value, i.detail] for i in S.totals(a)], {1}) + [""]
    out += _table(list(S.LEVEL_HEADER), S.levels(a), {2, 3, 4, 5, 6}) + [""]
    if budget is not None:
        from .budget_report import markdown
        out += [markdown(budget.outcomes, f"**Budgets** ({code(budget.file)})")]
    out += ["**Where the cost goes** (share of each total)", ""]
    for _, first, rows in S.cost_tables(a):
        out += _table([first, *S.SHARE_HEADER], rows, {1, 2, 3, 4}) + [""]
    out += [f"Top GFLOPs layers: {cell(S.top_layers(a, n=10))}.", ""]
    out += latency_section(a)
    cols = markdown_columns(a)
    out += ["<details><summary>Per-layer table</summary>", ""]
    out += _table([c.title for c in cols], [[c.cell(r) for c in cols] for r in a.layers],
                  {k for k, c in enumerate(cols) if c.justify == "right"},
                  frozenset(k for k, c in enumerate(cols) if c.title in ("from", "arguments")))
    out += ["", "</details>", ""]
    if a.rewrites:
        out += ["**Equivalence rewrites**", ""]
        out += _table(list(S.REWRITE_HEADER), S.rewrites(a), {0}) + [""]
    if a.diagnostics:
        out += ["**Diagnostics**", ""]
        out += [f"- {f.severity} `{f.code}`" + (f" {f.where}" if f.where else "") + f": {cell(f.message)}"
                for f in S.findings(a)]
        out.append("")
    return "\n".join(out)
