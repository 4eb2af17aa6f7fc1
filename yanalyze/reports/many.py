"""The many-config views: one summary row per config (terminal, Markdown) and the JSON array of
the per-config documents. A config that failed is one row carrying its error line."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Sequence

from ..analyzer.errors import ConfigError
from ..analyzer.model import Analysis
from ..analyzer.serialize import dumps
from . import fmt
from .json_report import document
from .md_text import cell, code

if TYPE_CHECKING:  # rich loads only when the table is printed, the budget module only with --budget
    from rich.console import Console

    from ..analyzer.budget import BudgetCheck

HEADER = ("config", "layers", "params", "GFLOPs (fused)", "memory access", "peak activation", "RF per level",
          "status")
RIGHT = frozenset({1, 2, 3, 4, 5})
FOLD_MIN = {0: 28, 7: 24}  # names and statuses fold in the terminal, down to this width; numbers never do
DROP_ORDER = (6, 5, 4, 1, 3, 2)  # on a narrow terminal: RF, peak activation, memory, layers, GFLOPs, params
EMPTY = "-"


@dataclass(frozen=True)
class Entry:
    """One config of the run: its name as given, and its analysis (with its budget) or its error."""

    name: str
    analysis: Optional[Analysis] = None
    budget: Optional["BudgetCheck"] = None
    error: Optional[ConfigError] = None


def error_line(exc: ConfigError) -> str:
    """The line `yanalyze CFG` prints for this error alone, without the program name."""
    return f"error[{exc.code}]: {exc}"


def _error(e: Entry) -> ConfigError:
    assert e.error is not None, "an entry holds its analysis or its error"
    return e.error


def status(e: Entry) -> str:
    """'ok', or what a reader should look at: the error, partial totals, warnings, budget."""
    if e.analysis is None:
        return error_line(_error(e))
    a = e.analysis
    notes = ["partial: unknown layers not counted"] if a.totals.partial else []
    warnings = sum(d.severity == "warning" for d in a.diagnostics)
    if warnings:
        notes.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    if e.budget is not None:
        over = sum(not o.ok for o in e.budget.outcomes)
        notes.append(f"budget: {over} of {len(e.budget.outcomes)} limits exceeded" if over else "within budget")
    return ", ".join(notes) or "ok"


def levels(a: Analysis) -> str:
    """'P3 682-714 P4 746 P5 842': each output level's exact receptive field."""
    return " ".join(f"{lv.name} {fmt.rf_exact(lv.output)}" for lv in a.levels)


def cells(e: Entry) -> list[str]:
    """The summary row of one config, as text (not yet escaped for any view)."""
    a = e.analysis
    if a is None:
        return [e.name, *(EMPTY for _ in HEADER[1:-1]), status(e)]
    t = a.totals
    return [e.name, str(len(a.layers)), fmt.count(t.params), f"{t.gflops:.1f} ({t.gflops_fused:.1f})",
            fmt.nbytes(t.mem_bytes), fmt.nbytes(t.peak_activation_bytes), levels(a) or EMPTY, status(e)]


def title(entries: Sequence[Entry]) -> str:
    failed = sum(e.analysis is None for e in entries)
    return f"{len(entries)} configs" + (f", {failed} failed" if failed else "")


def markdown(entries: Sequence[Entry]) -> str:
    """A Markdown table, one row per config: names as code spans, every other cell escaped, and
    control characters written out as in the terminal."""
    lines = [f"### yanalyze: {title(entries)}", "",
             "| " + " | ".join(HEADER) + " |",
             "|" + "|".join("---:" if k in RIGHT else "---" for k in range(len(HEADER))) + "|"]
    for e in entries:
        name, *rest = (fmt.visible(c) for c in cells(e))  # `--md` to stdout meets a terminal too
        lines.append("| " + " | ".join([code(name), *(cell(c) for c in rest)]) + " |")
    return "\n".join(lines) + "\n"


def _element(e: Entry) -> dict:
    if e.analysis is not None:
        return document(e.analysis, e.budget)
    err = _error(e)
    return {"config": e.name, "error": {"code": err.code, "message": str(err), "line": err.line}}


def json_array(entries: Sequence[Entry]) -> str:
    """The per-config documents `--json` writes for one config, in order; a failed config is
    {"config": name, "error": {"code", "message", "line"}}."""
    return dumps([_element(e) for e in entries])


def columns(rows: Sequence[Sequence[str]], width: int) -> list[int]:
    """The columns that fit a terminal this wide: names and statuses fold down to FOLD_MIN, and
    the least needed columns go first (DROP_ORDER), as the layer table drops its own."""
    natural = [max(len(h), *(len(r[k]) for r in rows)) for k, h in enumerate(HEADER)]
    least = [min(n, FOLD_MIN.get(k, n)) for k, n in enumerate(natural)]
    keep = list(range(len(HEADER)))
    for k in DROP_ORDER:
        if sum(least[j] + 2 for j in keep) - 2 <= width:
            break
        keep.remove(k)
    return keep


def terminal(entries: Sequence[Entry], console: "Console") -> None:
    """Print the summary table; config text is shown with control characters written out."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    rows = [[fmt.visible(c) for c in cells(e)] for e in entries]
    keep = columns(rows, console.width)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=(0, 1, 0, 1))
    for k in keep:
        natural = max(len(HEADER[k]), *(len(r[k]) for r in rows))
        table.add_column(HEADER[k], justify="right" if k in RIGHT else "left", overflow="fold",
                         no_wrap=k not in FOLD_MIN, min_width=min(natural, FOLD_MIN[k]) if k in FOLD_MIN else None)
    for e, row in zip(entries, rows):
        table.add_row(*(Text(row[k]) for k in keep), style="red" if e.analysis is None else None)
    console.print(Group(Text(title(entries), style="bold"), table))
