"""Views of an architecture diff: terminal, Markdown, JSON and the side-by-side HTML page."""
from __future__ import annotations

from typing import Optional

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..analyzer.diff import ArchDiff, LayerDiff, TotalDiff
from ..analyzer.serialize import dumps, plain
from . import fmt

STYLE = {"changed": "bold yellow", "moved": "bold magenta", "added": "bold green", "removed": "bold red",
         "affected": "dim", "same": "dim"}
LABELS = {"params": "params", "params_fused": "params (fused)", "gflops": "GFLOPs", "gflops_fused": "GFLOPs (fused)",
          "macs": "MACs", "flops": "FLOPs (complete)", "mem_bytes": "memory access",
          "mem_bytes_fused": "memory access (fused)", "peak_activation_bytes": "peak activations"}


def show_total(key: str, v: float) -> str:
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
    v = d.delta(key)
    if not v:
        return ""
    if key == "gflops":
        return f"{v:+.3f}"
    if key == "mem_bytes":
        return fmt.signed_bytes(round(v))
    return f"{round(v):+,}"


def totals_table(d: ArchDiff) -> Table:
    t = Table(title="Totals", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("metric", "A", "B", "change"):
        t.add_column(col, justify="left" if col == "metric" else "right")
    for tot in d.totals:
        t.add_row(LABELS[tot.key], show_total(tot.key, tot.a), show_total(tot.key, tot.b), delta_text(tot))
    return t


def layers_table(d: ArchDiff, show_all: bool, width: int = 200) -> Table:
    """On a narrow terminal (< 120 columns) every row stays one line: long changes are elided
    with "…" (Markdown, JSON and HTML show them whole)."""
    narrow = width < 120
    rows = [(ld, (*index(ld), module(ld), what(ld) or ld.status, layer_delta(ld, "params"),
                  layer_delta(ld, "gflops"), layer_delta(ld, "mem_bytes")))
            for ld in d.layers if show_all or ld.status not in ("same", "affected")]
    t = Table(title="Layers (A -> B)", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    titles = ("A", "B", "module", "what changed", "params", "GFLOPs", "mem")
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


def render_terminal(d: ArchDiff, console: Console, show_all: bool = False) -> None:
    counts = {s: sum(ld.status == s for ld in d.layers) for s in STYLE}
    head = Text(f"A: {fmt.visible(d.a.path or d.a.name)}  ->  B: {fmt.visible(d.b.path or d.b.name)}  "
                f"({d.method}; {counts['changed']} changed, {counts['moved']} moved, {counts['added']} added, "
                f"{counts['removed']} removed, {counts['affected']} affected only)", style="bold")
    hidden = counts["same"] + counts["affected"]
    note = Text("" if show_all or not hidden else f"{hidden} unchanged or only affected layers hidden; "
                "--all shows them", style="dim")
    console.print(Group(head, totals_table(d), layers_table(d, show_all, console.width), note))


def to_dict(d: ArchDiff) -> dict:
    def side(r) -> Optional[dict]:
        return None if r is None else {"index": r.index, "module": r.module, "args": plain(r.args),
                                       "from": list(r.src_from), "out_shape": [o.shape.as_list() for o in r.outputs]}
    return {
        "schema": "yanalyze-diff/1", "a": d.a.path or d.a.name, "b": d.b.path or d.b.name, "method": d.method,
        "input": {"imgsz": list(d.a.input.imgsz)},
        "totals": {t.key: {"a": t.a, "b": t.b, "delta": t.delta, "pct": t.pct} for t in d.totals},
        "layers": [{"status": ld.status, "a": side(ld.a), "b": side(ld.b), "changes": list(ld.changes),
                    "explained_by": ld.explained_by,
                    "delta": {k: ld.delta(k) for k in ("params", "gflops", "flops", "mem_bytes")}}
                   for ld in d.layers],
    }


def to_json(d: ArchDiff) -> str:
    return dumps(to_dict(d), ensure_ascii=True)


def markdown(d: ArchDiff, show_all: bool = False) -> str:
    from .markdown import cell, code
    out = [f"### yanalyze diff: {code(d.a.name)} -> {code(d.b.name)}", "",
           "| metric | A | B | change |", "|---|---:|---:|---:|"]
    out += [f"| {LABELS[t.key]} | {show_total(t.key, t.a)} | {show_total(t.key, t.b)} | {delta_text(t)} |"
            for t in d.totals]
    out += ["", "| A | B | status | module | what changed | params | GFLOPs |", "|---:|---:|---|---|---|---:|---:|"]
    for ld in d.layers:
        if ld.status in ("same", "affected") and not show_all:
            continue
        a, b = index(ld)
        out.append(f"| {a} | {b} | {ld.status} | {cell(module(ld))} | {code(what(ld)) if what(ld) else ''} | "
                   f"{layer_delta(ld, 'params')} | {layer_delta(ld, 'gflops')} |")
    return "\n".join(out) + "\n"
