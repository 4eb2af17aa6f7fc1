"""The per-layer table columns, shared by the terminal, HTML and Markdown views."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal, Optional, Union

from ..analyzer.latency import of
from ..analyzer.model import Analysis, LayerLatency, LayerResult
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


def _latency_columns(a: Analysis, marked: bool) -> tuple[Column, ...]:
    """A layer's estimated ms, and its bound: beside the ms as one letter (C/M/O, the terminal's
    legend explains them) or in a column of its own. No column without a device."""
    lt = a.latency
    if lt is None:
        return ()

    def lat(r: LayerResult) -> Optional[LayerLatency]:
        return of(lt.layers, r.index)

    def ms(r: LayerResult) -> str:
        x = lat(r)
        return "-" if x is None else fmt.ms(x.ms) + (f" {fmt.BOUND_MARKS[x.bound]}" if marked else "")

    def key(r: LayerResult) -> float:
        x = lat(r)
        return 0.0 if x is None else x.ms

    ms_col = Column("ms", ms, key, 6)
    if marked:
        return (ms_col,)
    return ms_col, Column("bound", lambda r: getattr(lat(r), "bound", "-"), lambda r: getattr(lat(r), "bound", ""),
                          0, "left", terminal=False)


def _after_mem(cols: tuple[Column, ...], extra: tuple[Column, ...]) -> list[Column]:
    at = next(k for k, c in enumerate(cols) if c.title == "mem") + 1
    return [*cols[:at], *extra, *cols[at:]]


def terminal_columns(a: Analysis) -> list[Column]:
    """The terminal's columns: with a device, the ms column (bound marked) after mem."""
    return _after_mem(TERMINAL_COLUMNS, _latency_columns(a, marked=True))


def markdown_columns(a: Analysis) -> list[Column]:
    """The Markdown table's columns: the terminal's, and with a device the ms and bound columns."""
    return _after_mem(TERMINAL_COLUMNS, _latency_columns(a, marked=False))


def html_columns(a: Analysis) -> list[Column]:
    """Every column, and with a device the ms and bound columns after mem."""
    return _after_mem(COLUMNS, _latency_columns(a, marked=False))
