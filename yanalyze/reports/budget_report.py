"""Views of budget outcomes: terminal table, Markdown, JSON, JUnit XML, GitHub annotations."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Sequence

from rich import box
from rich.table import Table
from rich.text import Text

from ..analyzer.budget import Outcome
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
    return fmt.count(round(v))


def headroom(o: Outcome) -> str:
    pct = f" ({o.headroom / o.limit:+.1%})" if o.limit else ""
    return (show(o, o.headroom) if o.headroom >= 0 else "-" + show(o, -o.headroom)) + pct


def where(o: Outcome) -> str:
    size = f"{o.imgsz[0]}" if o.imgsz[0] == o.imgsz[1] else f"{o.imgsz[0]}x{o.imgsz[1]}"
    return f"{o.config} @{size}"


def message(o: Outcome) -> str:
    """One sentence for an annotation or a failure message."""
    rel = {"max": "exceeds the limit", "min": "is below the minimum", "increase": "grows past the allowed"}[o.kind]
    verdict = "within budget" if o.ok else rel
    layer = f" at layer {o.layer}" if o.layer is not None and o.metric.startswith("layer_") else ""
    extra = f"; {o.detail}" if o.detail else ""
    return f"{o.label}{layer}: {show(o, o.value)} {verdict} {show(o, o.limit)}{extra}"


def table(outcomes: Sequence[Outcome]) -> Table:
    """A bold row per config and image size, then one row per limit."""
    t = Table(title="Budget", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("limit on", "value", "limit", "headroom", ""):
        t.add_column(col, justify="left" if col in ("limit on", "") else "right", overflow="fold",
                     no_wrap=col != "limit on")
    current = None
    for o in outcomes:
        if where(o) != current:
            current = where(o)
            t.add_row(Text(fmt.visible(current), style="bold"), "", "", "", "")
        label = o.label + (f" (layer {o.layer})" if o.layer is not None and o.metric.startswith("layer_") else "")
        verdict = "[green]ok[/]" if o.ok else "[bold red]UNDER[/]" if o.kind == "min" else "[bold red]OVER[/]"
        t.add_row(Text("  " + fmt.visible(label)), show(o, o.value),
                  ("min " if o.kind == "min" else "") + show(o, o.limit),
                  headroom(o), verdict)
    return t


def markdown(outcomes: Sequence[Outcome]) -> str:
    from .markdown import cell, code
    failed = sum(not o.ok for o in outcomes)
    lines = [f"### yanalyze budget: {'all limits hold' if not failed else f'{failed} limit(s) exceeded'}", "",
             "| | config | limit on | value | limit | headroom |", "|---|---|---|---:|---:|---:|"]
    for o in outcomes:
        lines.append(f"| {'✅' if o.ok else '❌'} | {code(where(o))} | {cell(o.label)} | {show(o, o.value)} | "
                     f"{show(o, o.limit)} | {headroom(o)} |")
    return "\n".join(lines) + "\n"


def to_json(outcomes: Sequence[Outcome]) -> str:
    rows = [{"config": o.config, "imgsz": list(o.imgsz), "metric": o.metric, "label": o.label,
             "value": o.value, "limit": o.limit, "headroom": o.headroom, "ok": o.ok, "kind": o.kind,
             "layer": o.layer, "line": o.line, "detail": o.detail} for o in outcomes]
    return dumps({"schema": "yanalyze-check/1", "ok": all(o.ok for o in outcomes), "results": rows},
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
