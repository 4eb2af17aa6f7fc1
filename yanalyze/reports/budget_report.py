"""Views of budget outcomes: terminal table, Markdown, JSON, JUnit XML, GitHub annotations."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Sequence

from rich import box
from rich.table import Table
from rich.text import Text

from ..analyzer.budget import BudgetCheck, Outcome
from ..analyzer.serialize import dumps
from . import fmt


def show(o: Outcome, v: float) -> str:
    """A value in the unit its metric is budgeted in."""
    if o.unit == "px":
        return f"{v:,.0f} px"
    if o.unit == "bytes":
        return fmt.nbytes(round(v))
    if o.unit == "gflops":
        return f"{v:.2f}"
    if o.unit == "ms":
        return f"{v:.2f} ms"
    return fmt.count(round(v))


def margin(o: Outcome) -> str:
    """The headroom in the metric's unit, negative when exceeded."""
    return show(o, o.headroom) if o.headroom >= 0 else "-" + show(o, -o.headroom)


def margin_pct(o: Outcome) -> str:
    """The headroom as a share of the limit ('' for a zero limit)."""
    return f"{o.headroom / o.limit:+.1%}" if o.limit else ""


def headroom(o: Outcome) -> str:
    return margin(o) + (f" ({margin_pct(o)})" if o.limit else "")


def growth(o: Outcome) -> str:
    """'+3.2% of +5% allowed' for an increase limit; '' otherwise."""
    if o.growth is None or o.max_increase is None:
        return ""
    return f"{o.growth:+.1%} of {o.max_increase:+.0%} allowed"


def label(o: Outcome) -> str:
    """What the limit is on, with the layer at fault for per-layer limits."""
    return o.label + (f" (layer {o.layer})" if o.layer is not None and o.metric.startswith("layer_") else "")


def where(o: Outcome) -> str:
    size = f"{o.imgsz[0]}" if o.imgsz[0] == o.imgsz[1] else f"{o.imgsz[0]}x{o.imgsz[1]}"
    return f"{o.config} @{size}"


def message(o: Outcome) -> str:
    """One sentence for an annotation or a failure message."""
    rel = {"max": "exceeds the limit", "min": "is below the minimum", "increase": "grows past the allowed"}[o.kind]
    verdict = "within budget" if o.ok else rel
    layer = f" at layer {o.layer}" if o.layer is not None and o.metric.startswith("layer_") else ""
    extra = f"; {o.detail}" if o.detail else ""
    if o.baseline_value is not None and growth(o):
        extra += f" ({show(o, o.baseline_value)}, growth {growth(o)})"
    return f"{o.label}{layer}: {show(o, o.value)} {verdict} {show(o, o.limit)}{extra}"


def table(outcomes: Sequence[Outcome]) -> Table:
    """A bold row per config and image size, then one row per limit (growth: over a baseline)."""
    grows = any(o.growth is not None for o in outcomes)
    t = Table(title="Budget", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    cols = ("limit on", "value", "limit", "headroom") + (("growth",) if grows else ()) + ("",)
    for col in cols:
        t.add_column(col, justify="left" if col in ("limit on", "") else "right", overflow="fold",
                     no_wrap=col != "limit on")
    current = None
    for o in outcomes:
        if where(o) != current:
            current = where(o)
            t.add_row(Text(fmt.visible(current), style="bold"), *[""] * (len(cols) - 1))
        verdict = "[green]ok[/]" if o.ok else "[bold red]UNDER[/]" if o.kind == "min" else "[bold red]OVER[/]"
        extra = (f"{o.growth:+.1%}" if o.growth is not None else "",) if grows else ()
        t.add_row(Text("  " + fmt.visible(label(o))), show(o, o.value),
                  ("min " if o.kind == "min" else "") + show(o, o.limit), headroom(o), *extra, verdict)
    return t


def verdict(outcomes: Sequence[Outcome]) -> str:
    """'all N limits hold' or 'K of N limits exceeded', as `check` ends its output."""
    failed = sum(not o.ok for o in outcomes)
    if not outcomes:
        return "no limit applies"
    return f"{failed} of {len(outcomes)} limits exceeded" if failed else f"all {len(outcomes)} limits hold"


def markdown(outcomes: Sequence[Outcome], heading: str = "### yanalyze budget") -> str:
    from .md_text import cell, code
    failed = sum(not o.ok for o in outcomes)
    baselines = any(o.baseline_value is not None for o in outcomes)  # the column only when there is one
    lines = [f"{heading}: {'all limits hold' if not failed else f'{failed} limit(s) exceeded'}", "",
             "| | config | limit on | value | limit | headroom |" + (" baseline |" if baselines else ""),
             "|---|---|---|---:|---:|---:|" + ("---|" if baselines else "")]
    for o in outcomes:
        base = f"{show(o, o.baseline_value)} ({growth(o)})" if o.baseline_value is not None and growth(o) else ""
        lines.append(f"| {'✅' if o.ok else '❌'} | {code(where(o))} | {cell(label(o))} | {show(o, o.value)} | "
                     f"{show(o, o.limit)} | {headroom(o)} |" + (f" {base} |" if baselines else ""))
    return "\n".join(lines) + "\n"


def rows(outcomes: Sequence[Outcome]) -> list[dict]:
    """The JSON rows of `check --json`, also the report's "budgets" results; a latency limit's row
    also names its device (and its unit, ms)."""
    return [{"config": o.config, "imgsz": list(o.imgsz), "metric": o.metric, "label": o.label,
             "value": o.value, "limit": o.limit, "headroom": o.headroom, "ok": o.ok, "kind": o.kind,
             "layer": o.layer, "line": o.line, "detail": o.detail, "baseline": o.baseline or None,
             "baseline_value": o.baseline_value, "max_increase": o.max_increase, "growth": o.growth,
             **({"device": o.device, "unit": o.unit} if o.device else {})}
            for o in outcomes]


def report_json(check: BudgetCheck) -> dict:
    """The report's top-level "budgets" object (present only with --budget)."""
    return {"file": check.file, "ok": check.ok, "results": rows(check.outcomes)}


def to_json(outcomes: Sequence[Outcome]) -> str:
    return dumps({"schema": "yanalyze-check/1", "ok": all(o.ok for o in outcomes), "results": rows(outcomes)},
                 ensure_ascii=True)


def junit(outcomes: Sequence[Outcome]) -> str:
    """JUnit XML: one test case per limit, grouped by config and image size."""
    suites = ET.Element("testsuites", name="yanalyze budget", tests=str(len(outcomes)),
                        failures=str(sum(not o.ok for o in outcomes)))
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(where(o), []).append(o)
    for name, items in groups.items():
        suite = ET.SubElement(suites, "testsuite", name=name, tests=str(len(items)),
                              failures=str(sum(not o.ok for o in items)))
        for o in items:
            case = ET.SubElement(suite, "testcase", classname=name, name=o.metric, time="0")
            if not o.ok:
                fail = ET.SubElement(case, "failure", message=message(o), type="budget")
                fail.text = message(o)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


NEAR = 0.05  # within 5% of a limit: a warning annotation


def github_annotations(outcomes: Sequence[Outcome]) -> list[str]:
    """`::error file=...,line=...,title=...::message` for each exceeded limit, ::warning near one."""
    out = []
    for o in outcomes:
        near = o.ok and o.limit and o.headroom / o.limit < NEAR
        if o.ok and not near:
            continue
        props = [f"file={_escape_prop(o.config)}"] + ([f"line={o.line}"] if o.line else []) + \
            [f"title={_escape_prop('yanalyze budget: ' + o.label)}"]
        text = message(o) + (f" (less than {NEAR:.0%} headroom)" if near else "")
        out.append(f"::{'warning' if near else 'error'} {','.join(props)}::{_escape_data(text)}")
    return out
