"""Typed analysis results: one object that every report, the diff and the CI gate read."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from fractions import Fraction
from typing import Any, Optional

SCHEMA = "yanalyze/1"
DTYPE_BYTES = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1}


@dataclass(frozen=True)
class Cost:
    """Counts of one operation or block at batch 1; memory split so batch and dtype apply later.

    thop/thop_fused: ultralytics-thop operation counts (its MACs) unfused and after Conv+BN
    fusion; macs: true multiply-accumulates; flops: the complete count; act_*/w_*: elements
    of activations and of weights/buffers read or written, unfused and fused.
    """

    params: int = 0
    params_fused: int = 0
    thop: int = 0
    thop_fused: int = 0
    macs: int = 0
    flops: int = 0
    act: int = 0
    weights: int = 0
    act_fused: int = 0
    weights_fused: int = 0

    def __add__(self, other: "Cost") -> "Cost":
        return Cost(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Cost)))


ZERO = Cost()


@dataclass(frozen=True)
class Shape:
    """Channels, height, width of one feature map (batch excluded)."""

    c: int
    h: int
    w: int

    @property
    def numel(self) -> int:
        return self.c * self.h * self.w

    def as_list(self) -> list[int]:
        return [self.c, self.h, self.w]


@dataclass(frozen=True)
class Output:
    """One output tensor of a layer with where it looks in the input image."""

    shape: Shape
    stride: tuple[Fraction, Fraction]
    rf: tuple[Fraction, Fraction]
    rf_min: tuple[int, int]
    rf_max: tuple[int, int]
    global_context: bool
    rf_exceeds_image: bool


@dataclass(frozen=True)
class Diagnostic:
    """A finding with a stable code, so CI logs and tests can name it."""

    code: str
    severity: str
    layer: Optional[int]
    message: str


@dataclass(frozen=True)
class LayerResult:
    """Everything known about one YAML row after analysis."""

    index: int
    section: str
    line: Optional[int]
    src_from: tuple[int, ...]
    n: int
    module: str
    args: list[Any]
    outputs: tuple[Output, ...]
    is_head: bool
    params: int
    params_fused: int
    macs: int
    flops: int
    gflops: float
    gflops_fused: float
    mem_bytes: int
    mem_bytes_fused: int
    intensity: float
    inputs: tuple[int, ...] = ()  # layers read, resolved from `from` (empty: the image)
    origin: str = "built-in"      # "built-in", "plugin:FILE", "traced:FILE" or "unknown"

    @property
    def out(self) -> Output:
        """The single output of a non-head layer (first level for heads)."""
        return self.outputs[0]


def intensity(flops: int, batch: int, mem_bytes: int) -> float:
    """Arithmetic intensity: complete FLOPs of the whole batch per byte of memory access."""
    return flops * batch / mem_bytes if mem_bytes else 0.0


@dataclass(frozen=True)
class InputSpec:
    ch: int
    imgsz: tuple[int, int]
    batch: int
    dtype: str


@dataclass(frozen=True)
class Totals:
    params: int
    params_fused: int
    gflops: float
    gflops_fused: float
    macs: int
    flops: int
    mem_bytes: int
    mem_bytes_fused: int
    peak_activation_bytes: int
    peak_layer: int
    intensity: float
    partial: bool = False  # some layer is unknown: the totals leave it out


@dataclass(frozen=True)
class Level:
    """One detection output level (P3, P4, ...) as a summary and budgets read it."""

    name: str
    layer: int
    output: Output


@dataclass(frozen=True)
class Form:
    """One side of a rewrite: the module as YOLOv5 prints it, and its numbers."""

    module: str
    args: list[Any]
    params: int
    params_fused: int
    gflops: float
    gflops_fused: float
    flops: int
    mem_bytes: int
    mem_bytes_fused: int
    rf: tuple[Fraction, Fraction]
    rf_min: tuple[int, int]
    rf_max: tuple[int, int]
    stride: tuple[Fraction, Fraction]


@dataclass(frozen=True)
class Rewrite:
    """An equivalence rewrite the rules speak about at one layer (applicable or not, and why)."""

    kind: str
    layer: int
    line: Optional[int]
    equivalent: bool
    exactness: str
    applicable: bool
    before: Form
    after: Optional[Form]
    mapping: str
    reason: str
    counterexample: Optional[str]
    yaml_after: Optional[str]


@dataclass
class Analysis:
    """The analysis of one config: layers, totals, output levels, diagnostics and the graph."""

    name: str
    path: Optional[str]
    input: InputSpec
    nc: Optional[int]
    layers: list[LayerResult]
    totals: Totals
    levels: list[Level]
    diagnostics: list[Diagnostic]
    graph: Any = field(repr=False, default=None)
    rewrites: list[Rewrite] = field(default_factory=list)
    schema: str = SCHEMA

    def to_dict(self) -> dict:
        """The JSON form (schema yanalyze/1); numbers stay numbers."""
        from .serialize import analysis_to_dict

        return analysis_to_dict(self)
