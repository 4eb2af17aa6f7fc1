"""The per-layer table columns, shared by the terminal, HTML and Markdown views."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal, Union

from ..analyzer.model import LayerResult
from . import fmt

SortKey = Union[int, float, str]


@dataclass(frozen=True)
class Column:
    """A table column: cell text, a sort key, and how the terminal treats it.

    keep: lower is dropped first on a narrow terminal (9 = never); terminal=False columns
    appear only in the HTML and Markdown tables.
    """

    title: str
    cell: Callable[[LayerResult], str]
    sort: Callable[[LayerResult], SortKey]
    keep: int
    justify: Literal["left", "right"] = "right"
    wrap: bool = False
    terminal: bool = True


def _rf_key(r: LayerResult) -> int:
    return max(o.rf_max[0] for o in r.outputs)


COLUMNS = (
    Column("#", lambda r: str(r.index), lambda r: r.index, 9),
    Column("from", lambda r: fmt.from_(r.src_from), lambda r: r.src_from[0], 5),
    Column("n", lambda r: str(r.n), lambda r: r.n, 4),
    Column("params", lambda r: fmt.count(r.params), lambda r: r.params, 9),
    Column("module", fmt.module, lambda r: r.module, 9, "left"),
    Column("arguments", lambda r: fmt.args(r.args), lambda r: fmt.args(r.args), 1, "left", wrap=True),
    Column("out CxHxW", lambda r: fmt.per_output(r, fmt.shape), lambda r: r.out.shape.numel, 8),
    Column("stride", lambda r: fmt.per_output(r, lambda o: fmt.axes(o.stride, fmt.frac)),
           lambda r: float(r.out.stride[0]), 3),
    Column("RF px", lambda r: fmt.per_output(r, fmt.rf_cell), _rf_key, 7),
    Column("GFLOPs", lambda r: fmt.gflops(r.gflops), lambda r: r.gflops, 8),
    Column("mem", lambda r: fmt.nbytes(r.mem_bytes), lambda r: r.mem_bytes, 2),
    Column("fused GFLOPs", lambda r: fmt.gflops(r.gflops_fused), lambda r: r.gflops_fused, 0, terminal=False),
    Column("FLOPs", lambda r: fmt.si(r.flops), lambda r: r.flops, 0, terminal=False),
    Column("fused mem", lambda r: fmt.nbytes(r.mem_bytes_fused), lambda r: r.mem_bytes_fused, 0, terminal=False),
    Column("FLOPs/B", lambda r: f"{r.intensity:.1f}", lambda r: r.intensity, 0, terminal=False),
)
TERMINAL_COLUMNS = tuple(c for c in COLUMNS if c.terminal)
