"""Budgets in HTML: the `check --html` page and the report's Budgets section.

Display strings, sort keys and bar geometry are prepared here from the budget outcomes; the
templates (budget.html.j2, budget_table.html.j2) only lay them out, autoescaped, so a config
path from the command line or a budget file never becomes markup.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from ..analyzer.budget import Outcome
from . import budget_report as R
from .jinja import environment

BAR_WIDTH = 120  # px of the value-against-limit bar


@dataclass(frozen=True)
class Bar:
    """One row's bar: the value's length and the limit's mark, in px of BAR_WIDTH."""

    value: float
    limit: float
    ratio: float  # value / limit, the bar column's sort key
    width: int = BAR_WIDTH


@dataclass(frozen=True)
class Row:
    """One limit as the table shows it: cell text and the sort key of each numeric cell."""

    label: str
    layer: str
    value: str
    value_key: float
    limit: str
    limit_key: float
    margin: str
    margin_pct: str
    margin_key: float
    ok: bool
    result: str
    bar: Bar
    baseline: str
    baseline_key: float
    growth: str
    growth_key: float


@dataclass(frozen=True)
class Group:
    """The limits of one config at one image size: one table."""

    id: str
    config: str
    size: str
    verdict: str
    ok: bool
    rows: tuple[Row, ...]
    has_baseline: bool


def _bar(o: Outcome) -> Bar:
    scale = max(o.value, o.limit, o.baseline_value or 0) or 1
    return Bar(value=round(BAR_WIDTH * o.value / scale, 1), limit=round(BAR_WIDTH * o.limit / scale, 1),
               ratio=round(o.value / o.limit, 6) if o.limit else 0)


def _layer(o: Outcome) -> str:
    if o.layer is None:
        return ""
    return f"layer {o.layer}" + (f", YAML line {o.line}" if o.line else "")


def row(o: Outcome) -> Row:
    """The cells of one limit (margin: headroom, negative when exceeded)."""
    return Row(label=o.label, layer=_layer(o), value=R.show(o, o.value), value_key=o.value,
               limit=("min " if o.kind == "min" else "max ") + R.show(o, o.limit), limit_key=o.limit,
               margin=R.margin(o), margin_pct=R.margin_pct(o), margin_key=o.headroom / o.limit if o.limit else 0,
               ok=o.ok, result="pass" if o.ok else ("FAIL: under" if o.kind == "min" else "FAIL: over"),
               bar=_bar(o), baseline=R.show(o, o.baseline_value) if o.baseline_value is not None else "",
               baseline_key=o.baseline_value or 0,
               growth=R.growth(o), growth_key=o.growth if o.growth is not None else 0)


def groups(outcomes: Sequence[Outcome], prefix: str = "budget") -> list[Group]:
    """One group per config and image size, in the order they were checked."""
    order: dict[str, list[Outcome]] = {}
    for o in outcomes:
        order.setdefault(R.where(o), []).append(o)
    out = []
    for k, items in enumerate(order.values()):
        o = items[0]
        size = f"{o.imgsz[0]}" if o.imgsz[0] == o.imgsz[1] else f"{o.imgsz[0]}x{o.imgsz[1]}"
        out.append(Group(id=f"{prefix}-{k}", config=o.config, size=size, verdict=R.verdict(items),
                         ok=all(i.ok for i in items), rows=tuple(row(i) for i in items),
                         has_baseline=any(i.baseline_value is not None for i in items)))
    return out


def page(outcomes: Sequence[Outcome], budget: Optional[str] = None) -> str:
    """The `check --html` page (deterministic: no timestamps)."""
    from .. import __version__

    found = groups(outcomes)
    return environment().get_template("budget.html.j2").render(
        version=__version__, budget=budget or "", verdict=R.verdict(outcomes),
        ok=all(o.ok for o in outcomes), total=len(outcomes), failed=sum(not o.ok for o in outcomes),
        configs=len({o.config for o in outcomes}), groups=found)
