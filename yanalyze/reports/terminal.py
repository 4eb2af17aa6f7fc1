"""The terminal view: a summary and a YOLOv5-style per-layer table that fits the console width."""
from __future__ import annotations

from typing import Optional

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..analyzer.budget import BudgetCheck
from ..analyzer.model import Analysis, LayerResult
from . import fmt
from . import summary as S
from . import time_summary as T
from .columns import Column, terminal_columns

_MIN_ARGS = 16


def _width(col: Column, rows: list[LayerResult]) -> int:
    cells = [col.cell(r) for r in rows]
    longest = max([len(col.title), *(len(line) for c in cells for line in c.split("\n"))])
    return min(longest, _MIN_ARGS) if col.wrap else longest


def pick_columns(rows: list[LayerResult], width: int, columns: list[Column]) -> list[Column]:
    """Drop the least important columns until the table fits (2 spaces between columns)."""
    cols = list(columns)
    while (sum(_width(c, rows) + 2 for c in cols) - 2 > width) and any(c.keep < 9 for c in cols):
        cols.remove(min((c for c in cols if c.keep < 9), key=lambda c: c.keep))
    return cols


def layer_table(a: Analysis, width: int) -> Table:
    cols = pick_columns(a.layers, width, terminal_columns(a))
    fixed = sum(_width(c, a.layers) + 2 for c in cols if not c.wrap) - 2
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0), expand=False, show_edge=False)
    for c in cols:
        room = max(_MIN_ARGS, width - fixed - 2)
        # arguments are elided with "…" (JSON, Markdown and HTML show them whole); numbers never are
        table.add_column(c.title, justify=c.justify, overflow="ellipsis", no_wrap=True,
                         min_width=_MIN_ARGS if c.wrap else None, max_width=room if c.wrap else None)
    for r in a.layers:
        style = "bold" if r.is_head else None
        table.add_row(*(Text(c.cell(r)) for c in cols), style=style)
    return table


def summary_grid(a: Analysis) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("input", Text(S.input_text(a)))
    for item in S.totals(a):
        grid.add_row(item.label, Text(fmt.visible(f"{item.value} ({item.detail})")))
    return grid


def _plain_table(header: tuple[str, ...], rows: list[list[str]], right: set[int], title: str = "") -> Table:
    table = Table(title=title or None, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
                  pad_edge=False, padding=(0, 1))
    for k, h in enumerate(header):
        table.add_column(h, justify="right" if k in right else "left", no_wrap=k < len(header) - 1,
                         overflow="fold")
    for row in rows:
        table.add_row(*(Text(fmt.visible(c, keep_newlines=True)) for c in row))
    return table


LEVEL_DROPS = ("RF textbook", "RF / image", "stride")  # dropped in this order when the table is too wide
NOTE_ROOM = 24  # columns the note needs beside the others before it wraps


def level_table(a: Analysis, width: int) -> Table:
    """The output levels, with the least needed columns dropped (not cut) on a narrow terminal."""
    header, rows = list(S.LEVEL_HEADER), S.levels(a)
    keep = list(range(len(header)))

    def needed() -> int:  # every kept column at its widest, 2 spaces apart; the note may wrap
        total = 0
        for k in keep:
            widest = max(len(header[k]), *(len(r[k]) for r in rows))
            total += (min(widest, NOTE_ROOM) if header[k] == "note" else widest) + 2
        return total

    for title in LEVEL_DROPS:
        if needed() <= width:
            break
        keep.remove(header.index(title))
    right = {n for n, k in enumerate(keep) if header[k] not in ("output", "note")}
    return _plain_table(tuple(header[k] for k in keep), [[r[k] for k in keep] for r in rows], right)


def cost_grid(a: Analysis) -> Group:
    """Where the cost goes, compact: sections and module types side by side, then the top layers."""
    grid = Table(title="Where the cost goes (share of each total)", title_justify="left", title_style="bold",
                 box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    tables = S.cost_tables(a)[:2]
    grid.add_column("")
    for h in S.SHARE_HEADER:
        grid.add_column(h, justify="right")
    for k, (_, _, rows) in enumerate(tables):
        for j, row in enumerate(rows):
            grid.add_row(*(Text(fmt.visible(c)) for c in row), end_section=j == len(rows) - 1 and k == 0)
    return Group(grid, Text(f"top GFLOPs layers: {fmt.visible(S.top_layers(a))}\n"))


ADVICE_TABLE_WIDTH = 110  # below this the advice is a list: a table's message column would be a sliver


def advice_list(rows: list[list[str]]) -> Group:
    """The advice as a list for a narrow terminal: code, layer, rule and saving on one line, the
    message under it, indented (its wrapped lines too)."""
    items: list[RenderableType] = []
    for code, layer, rule, saving, message in rows:
        where = "whole model" if layer == "-" else f"layer {layer}"
        head = Text(f" {fmt.visible(code)}", style="bold")
        head.append(f"  {where}, {fmt.visible(rule)}, saves {saving} ms", style="")
        items += [head, Padding(Text(fmt.visible(message)), (0, 0, 0, 3))]
    return Group(*items, Text(""))


def time_part(a: Analysis, width: int = ADVICE_TABLE_WIDTH) -> list[RenderableType]:
    """With a device: where the time goes (by bound, top op classes, each beside its FLOPs share)
    and the advice with the largest savings (a table on a wide terminal, a list on a narrow one)."""
    if a.latency is None:
        return []
    parts: list[RenderableType] = [Text("\n".join(fmt.visible(line) for line in T.where_time_goes(a)) + "\n")]
    if a.advice:
        title = f"Advice on {a.latency.device.get('name', '?')} (top {min(T.TOP_ADVICE, len(a.advice))} of " \
                f"{len(a.advice)}, largest estimated saving first)"
        rows = T.advice_rows(a, T.TOP_ADVICE)
        # the title is a line of its own: as the table's title it would wrap at the table's width
        body = _plain_table(T.ADVICE_HEADER, rows, {1, 3}) if width >= ADVICE_TABLE_WIDTH else advice_list(rows)
        parts += [Text(fmt.visible(title), style="bold"), body]
    return parts


def rewrite_notes(a: Analysis) -> Text:
    text = Text()
    for r in a.rewrites:
        line = f"layer {r.layer}: {r.reason}"
        if r.counterexample:
            line += f"; counterexample: {r.counterexample}"
        text.append(fmt.visible(line) + "\n", style="dim" if r.applicable else "yellow")
    text.append("\n")
    return text


def diagnostics(a: Analysis) -> Text:
    text = Text()
    styles = {"error": "bold red", "warning": "yellow", "info": "dim"}
    for f in S.findings(a):
        text.append(fmt.visible(f.line(f"{f.severity}[{f.code}]")) + "\n", style=styles.get(f.severity))
    return text


def budget_part(check: BudgetCheck) -> list[RenderableType]:
    """The budget table `check` prints, with its verdict (the report shows it; check gates)."""
    from .budget_report import table, verdict

    style = "green" if check.ok else "bold red"
    return [table(check.outcomes), Text(fmt.visible(f"budget {check.file}: {verdict(check.outcomes)}") + "\n",
                                       style=style)]


def latency_legend(a: Analysis) -> str:
    """What the ms column is, with its bound letters (empty without a device)."""
    if a.latency is None:
        return ""
    return fmt.visible(f" ms: estimated time on {a.latency.device.get('name', '?')} ({fmt.kind(a.latency.kind)}); "
                       "C compute-, M memory-, O overhead-bound.")


def render(a: Analysis, console: Console, budget: Optional[BudgetCheck] = None) -> None:
    """Print the whole terminal report to the console."""
    title = Text(fmt.visible(f"{a.name} summary: {S.headline(a)}"), style="bold")
    legend = Text("RF px: exact receptive field (min-max over positions); G global context; "
                  "> larger than the image. GFLOPs: ultralytics convention. mem: bytes accessed."
                  + (" Module + from a plugin, † measured in torch, ? unknown (not counted)."
                     if any(r.origin != "built-in" for r in a.layers) else "") + latency_legend(a), style="dim")
    parts: list[RenderableType] = [title, summary_grid(a), level_table(a, console.width)]
    if budget is not None:
        parts += budget_part(budget)
    parts += [cost_grid(a), *time_part(a, console.width)]
    if a.rewrites:
        parts += [_plain_table(S.REWRITE_HEADER, S.rewrites(a), {0}, "Equivalence rewrites"), rewrite_notes(a)]
    parts += [layer_table(a, console.width), legend]
    if a.diagnostics:
        parts.append(diagnostics(a))
    console.print(Group(*parts))
