"""Typed analysis results: one object that every report, the diff and the CI gate read."""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, Any, Optional, Sequence, Union

if TYPE_CHECKING:
    import networkx as nx

    from .cost import Cost
    from .load import ParsedModel

from . import limits, serialize
from .parts import steps

SCHEMA = "yanalyze/1"
Rational = Union[int, Fraction]  # strides and receptive fields: exact, whole or not
DTYPE_BYTES = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1}


@dataclass(unsafe_hash=True, slots=True)  # immutable by convention: frozen costs 4x per instance
class Shape:
    """Channels, height, width of one feature map (batch excluded)."""

    c: int
    h: int
    w: int
    numel: int = field(init=False, repr=False, compare=False, hash=False)  # c * h * w, read by every kernel

    def __post_init__(self) -> None:
        """A map beyond what a model can have (an upsample by 10**8) stops here, before any work
        proportional to its size."""
        if self.c > limits.MAX_CHANNELS:
            raise limits.too_large("feature map channels", self.c, limits.MAX_CHANNELS)
        if max(self.h, self.w) > limits.MAX_SIDE:
            raise limits.too_large("feature map side", max(self.h, self.w), limits.MAX_SIDE)
        self.numel = self.c * self.h * self.w

    def as_list(self) -> list[int]:
        return [self.c, self.h, self.w]


@dataclass(frozen=True)
class Output:
    """One output tensor of a layer with where it looks in the input image."""

    shape: Shape
    stride: tuple[Rational, Rational]  # an int when whole (nearly always), else a Fraction
    rf: tuple[Rational, Rational]
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
class Part:
    """One step inside a block (a Conv+BN+SiLU, a residual add, a max-pool; `count` identical
    steps in a row), with its share of the layer's cost: what a reader opens a C3 to see."""

    name: str
    detail: str
    count: int
    params: int
    gflops: float  # at the image size (2 x thop count), summing to the layer's current-convention GFLOPs
    flops: int
    mem_bytes: int


@dataclass  # not frozen (four times cheaper to build, one per layer); never changed after analysis
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
    definition: Optional[str] = None  # the named published definition assumed, where there are several
    kernels: Sequence[tuple[str, str, "Cost"]] = field(default=(), repr=False, compare=False)  # as recorded
    scale: tuple[int, int] = (1, 4)   # batch and bytes per element, for the parts' memory

    @cached_property
    def parts(self) -> tuple[Part, ...]:
        """The block's internal steps in order (built from the recorded kernels when first asked
        for: a diff or a budget check never needs them)."""
        batch, nbytes = self.scale
        return tuple(Part(name=name, detail=detail, count=count, params=c.params, gflops=2 * c.thop / 1e9,
                          flops=c.flops, mem_bytes=(c.act * batch + c.weights) * nbytes)
                     for name, detail, count, c in steps(tuple(self.kernels)))

    @property
    def out(self) -> Output:
        """The single output of a non-head layer (first level for heads)."""
        return self.outputs[0]


def intensity(flops: int, batch: int, mem_bytes: int) -> float:
    """Arithmetic intensity: complete FLOPs of the whole batch per byte of memory access."""
    return flops * batch / mem_bytes if mem_bytes else 0.0


@dataclass(frozen=True)
class InputSpec:
    """What the model is analysed on: channels, image size (H, W), batch and element type."""

    ch: int
    imgsz: tuple[int, int]
    batch: int
    dtype: str


@dataclass(frozen=True)
class Totals:
    """Sums over the layers (GFLOPs summed exactly before rounding) and peak activation memory."""

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
    anchors: tuple[tuple[float, float], ...] = ()  # (w, h) in input pixels; empty: none given (autoanchor)

    @property
    def largest_anchor(self) -> float:
        return max((max(w, h) for w, h in self.anchors), default=0.0)


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
    rf: tuple[Rational, Rational]
    rf_min: tuple[int, int]
    rf_max: tuple[int, int]
    stride: tuple[Rational, Rational]
    # as recorded, so a device estimate can cost this form's own kernels (not in JSON)
    kernels: Sequence[tuple[str, str, "Cost"]] = field(default=(), repr=False, compare=False)


@dataclass(frozen=True)
class Rewrite:
    """An equivalence rewrite the rules speak about at one layer (applicable or not, and why)."""

    kind: str
    target: str
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


@dataclass(frozen=True)
class Group:
    """Layers that share a key (a module type, a section, the output levels they feed), their
    summed cost and its share of the model's total."""

    key: str
    layers: tuple[int, ...]
    values: dict[str, float]
    shares: dict[str, float]


@dataclass(frozen=True)
class Breakdown:
    """Where the cost goes. by_module, by_section and by_level each partition the layers, so their
    shares sum to one; level_paths overlap (a backbone layer feeds every level)."""

    totals: dict[str, float]
    by_module: list[Group]
    by_section: list[Group]
    by_level: list[Group]
    level_paths: list[Group]
    top: dict[str, list[Group]]


@dataclass(frozen=True)
class LayerLatency:
    """One layer's estimated time on a device, split into per-call overhead, arithmetic and
    memory traffic; `bound` names the largest of the three. `by_class`: ms per op class."""

    layer: int
    ms: float
    overhead_ms: float
    compute_ms: float
    memory_ms: float
    bound: str  # 'compute', 'memory' or 'overhead'
    calls: int
    by_class: dict[str, float]
    ms_fused: float  # after Conv+BN folding (the batch norms no longer run)


@dataclass(frozen=True)
class Latency:
    """The estimate of a whole forward pass (eval mode, Detect's decoding included) on one device."""

    device: dict[str, Any]  # the profile's summary: name, kind, source, peaks, machine
    kind: str               # 'measured' (an estimate) or 'roofline' (a lower bound)
    layers: list[LayerLatency]
    total_ms: float
    total_ms_fused: float
    by_bound: dict[str, float]  # ms of the layers bound by each
    by_class: dict[str, float]  # ms per op class over the model
    partial: bool = False       # unknown layers count nothing


@dataclass(frozen=True)
class Advice:
    """A coded design suggestion at a layer (None: the whole model), with its estimated saving."""

    code: str
    layer: Optional[int]
    message: str
    saving_ms: float
    rule: str  # where it comes from: 'ShuffleNetV2 G1', 'FasterNet', 'roofline', 'rewrite'


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
    rewrites: list[Rewrite] = field(default_factory=list)
    breakdown: Optional[Breakdown] = None  # set by analyze(); None only for a hand-built Analysis
    latency: Optional[Latency] = None  # with a device profile (--device): the time estimate
    advice: list[Advice] = field(default_factory=list)  # with a device profile: coded design advice
    gflops_as: str = "current"  # how GFLOPs are counted: 'current' YOLOv5 (full size) or 'v7.0' (probe)
    schema: str = SCHEMA
    parsed: Optional["ParsedModel"] = field(default=None, repr=False, compare=False)  # what it was analysed from

    @property
    def graph(self) -> "nx.DiGraph":
        """The layer graph as a networkx DiGraph (node = layer index, node["result"] = its
        LayerResult, edge j -> i when layer i reads layer j); built when first asked for."""
        cached = self.__dict__.get("_graph")
        if cached is None:
            import networkx as nx

            cached = nx.DiGraph()
            for r in self.layers:
                cached.add_node(r.index, result=r)
                cached.add_edges_from((j, r.index) for j in r.inputs)
            self.__dict__["_graph"] = cached
        return cached

    def to_dict(self) -> dict:
        """The JSON form (schema yanalyze/1); numbers stay numbers."""
        return serialize.analysis_to_dict(self)
