"""Views of an architecture diff: terminal, Markdown and JSON. They lead with the causes (the
settings that differ and the row changes, each with its part of the change), then the totals,
the output levels side by side and the per-layer table with A's and B's values."""
from __future__ import annotations

from typing import Any, Optional

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..analyzer.diff import LATENCY, ArchDiff, LayerDiff, TotalDiff
from ..analyzer.diff_causes import Cause
from ..analyzer.model import Level
from ..analyzer.serialize import dumps, num, plain
from . import fmt

STYLE = {"changed": "bold yellow", "moved": "bold magenta", "added": "bold green", "removed": "bold red",
         "affected": "dim", "same": "dim"}
LABELS = {"params": "params", "params_fused": "params (fused)", "gflops": "GFLOPs", "gflops_fused": "GFLOPs (fused)",
          "macs": "MACs", "flops": "FLOPs (complete)", "mem_bytes": "memory access",
          "mem_bytes_fused": "memory access (fused)", "peak_activation_bytes": "peak activations",
          LATENCY: "latency"}
SHORT = {"params": "params", "gflops": "GFLOPs", "mem_bytes": "mem", LATENCY: "ms"}
CAUSE_HEADER = ("cause", "what", "A", "B", "params", "GFLOPs", "mem")


def cause_header(d: ArchDiff) -> tuple[str, ...]:
    """The causes' columns: a latency column (ms) joins with a device."""
    return CAUSE_HEADER + (("ms",) if d.device is not None else ())


def total_label(d: ArchDiff, key: str) -> str:
    """A total's name; latency names its device, and a roofline's is a lower bound."""
    if key != LATENCY or d.device is None:
        return LABELS[key]
    bound = ", roofline lower bound" if d.device.get("kind") == "roofline" else ""
    return f"latency on {d.device.get('name')} (ms{bound})"
LEVEL_HEADER = ("output", "CxHxW A", "CxHxW B", "stride", "RF A", "RF B", "largest anchor")


def show_total(key: str, v: float) -> str:
    if key == LATENCY:
        return f"{v:.2f} ms"
    if key.startswith("gflops"):
        return f"{v:.2f}" if abs(v) < 100 else f"{v:.1f}"
    if "bytes" in key:
        return ("-" if v < 0 else "") + fmt.nbytes(abs(round(v)))
    return f"{round(v):,}" if key.startswith("params") else ("-" if v < 0 else "") + fmt.si(abs(v))


def delta_text(t: TotalDiff) -> str:
    if t.delta == 0:
        return "="
    sign = "+" if t.delta > 0 else ""
    pct = f" ({t.pct:+.1%})" if t.pct is not None else ""
    return f"{sign}{show_total(t.key, t.delta)}{pct}"


def value(key: str, v: float) -> str:
    """One layer's value of a metric."""
    if key in ("gflops", LATENCY):
        return f"{v:.3f}"
    if key == "mem_bytes":
        return fmt.nbytes(round(v))
    return f"{round(v):,}"


def signed(key: str, v: float) -> str:
    """A change in a metric ('' when none)."""
    if not v:
        return ""
    if key in ("gflops", LATENCY):
        return f"{v:+.3f}"
    if key == "mem_bytes":
        return fmt.signed_bytes(round(v))
    return f"{round(v):+,}"


def index(d: LayerDiff) -> tuple[str, str]:
    return (str(d.a.index) if d.a else "-", str(d.b.index) if d.b else "-")


def module(d: LayerDiff) -> str:
    if d.a and d.b and d.a.module != d.b.module:
        return f"{d.a.module} -> {d.b.module}"
    return (d.b or d.a).module  # type: ignore[union-attr]


def what(d: LayerDiff) -> str:
    if d.status == "added":
        return f"added: {d.b.module} {fmt.args(d.b.args)}"  # type: ignore[union-attr]
    if d.status == "removed":
        return f"removed: {d.a.module} {fmt.args(d.a.args)}"  # type: ignore[union-attr]
    text = "; ".join(c for c in d.changes if not c.startswith("module "))
    return f"[{d.explained_by}] {text}" if d.explained_by else text


def layer_delta(d: LayerDiff, key: str) -> str:
    return signed(key, d.delta(key))


def side_value(d: LayerDiff, side: str, key: str) -> Optional[float]:
    return d.value(side, key)


def a_to_b(d: LayerDiff, key: str) -> str:
    """'1.18M -> 2.66M' in the terminal's compact form ('-' for a missing side, '=' unchanged)."""
    va, vb = side_value(d, "a", key), side_value(d, "b", key)
    if va == vb:
        return "="

    def short(v: Optional[float]) -> str:
        if v is None:
            return "-"
        if key == LATENCY:
            return f"{v:.3f}"
        return f"{v:.2f}" if key == "gflops" else fmt.nbytes(round(v)) if key == "mem_bytes" else fmt.si(v)
    return f"{short(va)} -> {short(vb)}"


def share_text(c: Cause, key: str) -> str:
    """'+11,686,624 (84%)': the cause's part of the change and its share of the whole change."""
    part = signed(key, c.delta[key]) or "="
    s = c.share[key]
    return part + (f" ({s:.0%})" if s is not None and c.delta[key] else "")


def cause_rows(d: ArchDiff) -> list[list[str]]:
    return [[c.kind, c.label + (f"; {c.note}" if c.note else ""), c.a, c.b, *(share_text(c, m) for m in d.metrics)]
            for c in d.causes]


def _rf(lv: Optional[Level]) -> str:
    return fmt.rf_exact(lv.output) if lv else "-"


def _anchor(lv: Optional[Level]) -> str:
    return f"{lv.largest_anchor:g}" if lv and lv.largest_anchor else "-"


def level_rows(d: ArchDiff) -> list[list[str]]:
    rows = []
    for ld in d.levels:
        sa = fmt.axes(ld.a.output.stride, fmt.frac) if ld.a else "-"
        sb = fmt.axes(ld.b.output.stride, fmt.frac) if ld.b else "-"
        anchors = _anchor(ld.a) if _anchor(ld.a) == _anchor(ld.b) else f"{_anchor(ld.a)} -> {_anchor(ld.b)}"
        rows.append([ld.name, fmt.shape(ld.a.output) if ld.a else "-", fmt.shape(ld.b.output) if ld.b else "-",
                     sa if sa == sb else f"{sa} -> {sb}", _rf(ld.a), _rf(ld.b), anchors])
    return rows


def _table(title: str, header: tuple[str, ...], rows: list[list[str]], left: set[int]) -> Table:
    t = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for k, col in enumerate(header):
        t.add_column(col, justify="left" if k in left else "right", overflow="fold")
    for row in rows:
        t.add_row(*(Text(fmt.visible(c)) for c in row))
    return t


def totals_rows(d: ArchDiff) -> list[list[str]]:
    """Each total as (name, A, B, change), as every view shows it."""
    return [[total_label(d, t.key), show_total(t.key, t.a), show_total(t.key, t.b), delta_text(t)] for t in d.totals]


def totals_table(d: ArchDiff) -> Table:
    return _table("Totals", ("metric", "A", "B", "change"), totals_rows(d), {0})


def layers_table(d: ArchDiff, show_all: bool, width: int = 200) -> Table:
    """On a narrow terminal (< 120 columns) every row stays one line: long changes are elided
    with "…" and params/GFLOPs show their change only (Markdown, JSON and HTML show it all)."""
    narrow = width < 120
    pair = layer_delta if narrow else a_to_b  # a narrow terminal has room for the changes only
    timed = d.device is not None
    rows = [(ld, (*index(ld), module(ld), what(ld) or ld.status, pair(ld, "params"),
                  pair(ld, "gflops"), layer_delta(ld, "mem_bytes"), *((pair(ld, LATENCY),) if timed else ())))
            for ld in d.layers if show_all or ld.status not in ("same", "affected")]
    t = Table(title="Layers (A -> B)", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    titles = ("A", "B", "module", "what changed", *(("params", "GFLOPs") if narrow else
                                                     ("params A -> B", "GFLOPs A -> B")), "mem change",
              *((("ms",) if narrow else ("ms A -> B",)) if timed else ()))
    widths = [max([len(col), *(len(cells[k]) for _, cells in rows)]) for k, col in enumerate(titles)]
    room = max(12, width - sum(w + 3 for k, w in enumerate(widths) if k != 3))  # pad 2 + divider 1 each
    for k, col in enumerate(titles):
        free = col == "what changed"
        t.add_column(col, justify="left" if col in ("module", "what changed") else "right",
                     overflow="ellipsis" if narrow else "fold", no_wrap=narrow or not free,
                     min_width=None if free else widths[k], max_width=room if free and narrow else None)
    for ld, cells in rows:
        t.add_row(*(Text(fmt.visible(c, keep_newlines=True)) for c in cells), style=STYLE[ld.status])
    return t


def counts(d: ArchDiff) -> dict[str, int]:
    return {s: sum(ld.status == s for ld in d.layers) for s in STYLE}


def headline(d: ArchDiff) -> str:
    c = counts(d)
    return (f"{d.method}; {c['changed']} changed, {c['moved']} moved, {c['added']} added, {c['removed']} removed, "
            f"{c['affected']} affected only")


def render_terminal(d: ArchDiff, console: Console, show_all: bool = False) -> None:
    c = counts(d)
    parts: list[RenderableType] = [
        Text(f"A: {fmt.visible(d.a.path or d.a.name)}  ->  B: {fmt.visible(d.b.path or d.b.name)}  ({headline(d)})",
             style="bold")]
    if d.causes:
        parts.append(_table("Why B differs (each cause's part of the change, and its share)", cause_header(d),
                            cause_rows(d), {0, 1, 2, 3}))
    for t in d.tradeoffs:
        parts.append(Text(f"Trade-off: {t.text}" + (f" (layers {', '.join(map(str, t.layers))})" if t.layers else ""),
                          style="bold yellow"))
    parts += [totals_table(d), _table("Output levels", LEVEL_HEADER, level_rows(d), {0}),
              layers_table(d, show_all, console.width)]
    hidden = c["same"] + c["affected"]
    if hidden and not show_all:
        parts.append(Text(f"{hidden} unchanged or only affected layers hidden; --all shows them", style="dim"))
    console.print(Group(*parts))


def _side(ld: LayerDiff, side: str, timed: bool) -> Optional[dict]:
    r = ld.a if side == "a" else ld.b
    if r is None:
        return None
    out = {"index": r.index, "module": r.module, "args": plain(r.args), "from": list(r.src_from),
           "out_shape": [o.shape.as_list() for o in r.outputs], "params": r.params, "gflops": r.gflops,
           "flops": r.flops, "mem_bytes": r.mem_bytes}
    if timed:
        out[LATENCY] = ld.value(side, LATENCY)
    return out


def _level(lv: Optional[Level]) -> Optional[dict]:
    if lv is None:
        return None
    o = lv.output
    return {"layer": lv.layer, "shape": o.shape.as_list(), "stride": num(o.stride), "rf": num(o.rf),
            "rf_min": list(o.rf_min), "rf_max": list(o.rf_max), "anchors": [list(p) for p in lv.anchors]}


def to_dict(d: ArchDiff) -> dict:
    """The JSON form (schema yanalyze-diff/1). With a device, only additions: "device", the totals'
    and each layer's "latency_ms", and each cause's latency part in its delta and share."""
    timed = d.device is not None
    deltas = ("params", "gflops", "flops", "mem_bytes") + ((LATENCY,) if timed else ())
    out: dict[str, Any] = {
        "schema": "yanalyze-diff/1", "a": d.a.path or d.a.name, "b": d.b.path or d.b.name, "method": d.method,
        "input": {"imgsz": list(d.a.input.imgsz), "a": {"imgsz": list(d.a.input.imgsz)},
                  "b": {"imgsz": list(d.b.input.imgsz)}},
        "causes": [{"kind": c.kind, "label": c.label, "a": c.a, "b": c.b, "layers": list(c.layers),
                    "delta": c.delta, "share": c.share, "note": c.note} for c in d.causes],
        "tradeoffs": [{"falls": t.falls, "rises": t.rises, "falls_pct": t.falls_pct, "rises_pct": t.rises_pct,
                       "layers": list(t.layers), "text": t.text} for t in d.tradeoffs],
        "totals": {t.key: {"a": t.a, "b": t.b, "delta": t.delta, "pct": t.pct} for t in d.totals},
        "levels": [{"name": ld.name, "a": _level(ld.a), "b": _level(ld.b)} for ld in d.levels],
        "layers": [{"status": ld.status, "a": _side(ld, "a", timed), "b": _side(ld, "b", timed),
                    "changes": list(ld.changes), "explained_by": ld.explained_by,
                    "delta": {k: ld.delta(k) for k in deltas}}
                   for ld in d.layers],
    }
    if timed:
        out["device"] = d.device
    return out


def to_json(d: ArchDiff) -> str:
    return dumps(to_dict(d), ensure_ascii=True)


def markdown(d: ArchDiff, show_all: bool = False) -> str:
    from .markdown import cell, code

    def table(header, rows, right, literal=()) -> list[str]:
        out = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if k in right else "---"
                                                                 for k in range(len(header))) + "|"]
        out += ["| " + " | ".join(code(v) if k in literal else cell(v) for k, v in enumerate(row)) + " |"
                for row in rows]
        return out + [""]

    out = [f"### yanalyze diff: {code(d.a.name)} -> {code(d.b.name)}", "", cell(headline(d)) + ".", ""]
    if d.causes:
        out += ["**Why B differs** (each cause's part of the change, and its share)", ""]
        header = cause_header(d)
        out += table(header, cause_rows(d), set(range(4, len(header))), literal=(1, 2, 3))
    out += [f"**Trade-off:** {cell(t.text)}" + "\n" for t in d.tradeoffs]
    out += table(("metric", "A", "B", "change"), totals_rows(d), {1, 2, 3})
    out += table(LEVEL_HEADER, level_rows(d), {1, 2, 3, 4, 5, 6})
    timed = d.device is not None
    header = ("A", "B", "status", "module", "what changed", "params A", "params B", "GFLOPs A", "GFLOPs B",
              "mem change") + (("ms A", "ms B", "ms change") if timed else ())
    shown = ("params", "gflops") + ((LATENCY,) if timed else ())
    rows = []
    for ld in d.layers:
        if ld.status in ("same", "affected") and not show_all:
            continue
        cells = {k: ["-" if v is None else value(k, v) for v in (side_value(ld, "a", k), side_value(ld, "b", k))]
                 for k in shown}
        rows.append([*index(ld), ld.status, module(ld), what(ld), *cells["params"], *cells["gflops"],
                     layer_delta(ld, "mem_bytes"), *((*cells[LATENCY], layer_delta(ld, LATENCY)) if timed else ())])
    out += table(header, rows, {0, 1, *range(5, len(header))}, literal=(4,))
    return "\n".join(out)
