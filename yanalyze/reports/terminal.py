"""The terminal view: a summary and a YOLOv5-style per-layer table that fits the console width."""
from __future__ import annotations

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..analyzer.model import Analysis, LayerResult
from . import fmt
from .columns import TERMINAL_COLUMNS, Column

_MIN_ARGS = 16


def _width(col: Column, rows: list[LayerResult]) -> int:
    cells = [col.cell(r) for r in rows]
    longest = max([len(col.title), *(len(line) for c in cells for line in c.split("\n"))])
    return min(longest, _MIN_ARGS) if col.wrap else longest


def pick_columns(rows: list[LayerResult], width: int) -> list[Column]:
    """Drop the least important columns until the table fits (2 spaces between columns)."""
    cols = list(TERMINAL_COLUMNS)
    while (sum(_width(c, rows) + 2 for c in cols) - 2 > width) and any(c.keep < 9 for c in cols):
        cols.remove(min((c for c in cols if c.keep < 9), key=lambda c: c.keep))
    return cols


def layer_table(a: Analysis, width: int) -> Table:
    cols = pick_columns(a.layers, width)
    fixed = sum(_width(c, a.layers) + 2 for c in cols if not c.wrap) - 2
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0), expand=False, show_edge=False)
    for c in cols:
        room = max(_MIN_ARGS, width - fixed - 2)
        table.add_column(c.title, justify=c.justify, overflow="fold" if c.wrap else "ellipsis",
                         no_wrap=not c.wrap, min_width=_MIN_ARGS if c.wrap else None,
                         max_width=room if c.wrap else None)
    for r in a.layers:
        style = "bold" if r.is_head else None
        table.add_row(*(c.cell(r) for c in cols), style=style)
    return table


def summary(a: Analysis) -> Table:
    t, i = a.totals, a.input
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    rows = [
        ("input", f"{i.ch}x{i.imgsz[0]}x{i.imgsz[1]}, batch {i.batch}, {i.dtype}"),
        ("params", f"{fmt.count(t.params)} ({fmt.count(t.params_fused)} fused)"),
        ("GFLOPs", f"{t.gflops:.1f} ({t.gflops_fused:.1f} fused)  ultralytics convention, as YOLOv5 prints"),
        ("FLOPs", f"{fmt.si(t.flops)} complete count, {fmt.si(t.macs)} MACs"),
        ("memory", f"{fmt.nbytes(t.mem_bytes)} accessed ({fmt.nbytes(t.mem_bytes_fused)} fused), "
                   f"{t.intensity:.1f} FLOPs/byte"),
        ("peak act.", f"{fmt.nbytes(t.peak_activation_bytes)} at layer {t.peak_layer}"),
    ]
    for k, v in rows:
        grid.add_row(k, v)
    return grid


def levels_table(a: Analysis) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for title in ("output", "CxHxW", "stride", "RF textbook", "RF exact", "note"):
        table.add_column(title, justify="left" if title in ("output", "note") else "right")
    for lv in a.levels:
        o = lv.output
        notes = [n for n, on in (("global context", o.global_context),
                                 ("larger than image", o.rf_exceeds_image)) if on]
        table.add_row(lv.name, fmt.shape(o), fmt.axes(o.stride, fmt.frac), fmt.axes(o.rf, fmt.frac),
                      fmt.rf_exact(o), ", ".join(notes))
    return table


def rewrites_table(a: Analysis) -> Table:
    """One row per layer a rewrite rule speaks about: verdict and what applying it changes."""
    table = Table(title="Equivalence rewrites", title_justify="left", title_style="bold",
                  box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0), show_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("rewrite", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("change when applied", overflow="fold")
    for r in a.rewrites:
        target = "SPPF" if r.kind == "spp" else "Conv"
        verdict = r.exactness if r.applicable or not r.equivalent else "equivalent, not rewritable"
        change = fmt.changes(r.before, r.after) if r.after else (r.counterexample or r.reason)
        table.add_row(str(r.layer), fmt.rewrite_title(r.before.module, target), verdict, change)
    return table


def rewrite_notes(a: Analysis) -> Text:
    text = Text()
    for r in a.rewrites:
        line = f"layer {r.layer}: {r.reason}"
        if r.counterexample:
            line += f"; counterexample: {r.counterexample}"
        text.append(line + "\n", style="dim" if r.applicable else "yellow")
    text.append("\n")
    return text


def diagnostics(a: Analysis) -> Text:
    text = Text()
    styles = {"error": "bold red", "warning": "yellow", "info": "dim"}
    for d in a.diagnostics:
        where = f" layer {d.layer}" if d.layer is not None else ""
        text.append(f"{d.severity}[{d.code}]{where}: {d.message}\n", style=styles.get(d.severity))
    return text


def render(a: Analysis, console: Console) -> None:
    """Print the whole terminal report to the console."""
    t = a.totals
    title = Text(f"{a.name} summary: {len(a.layers)} layers, {t.params:,} parameters, "
                 f"{t.gflops:.1f} GFLOPs" + (" (PARTIAL: unknown layers not counted)" if t.partial else ""),
                 style="bold")
    legend = Text("RF px: exact receptive field (min-max over positions); G global context; "
                  "> larger than the image. GFLOPs: ultralytics convention. mem: bytes accessed."
                  + (" Module + from a plugin, † measured in torch, ? unknown (not counted)."
                     if any(r.origin != "built-in" for r in a.layers) else ""), style="dim")
    parts: list[RenderableType] = [title, summary(a), levels_table(a)]
    if a.rewrites:
        parts += [rewrites_table(a), rewrite_notes(a)]
    parts += [layer_table(a, console.width), legend]
    if a.diagnostics:
        parts.append(diagnostics(a))
    console.print(Group(*parts))
