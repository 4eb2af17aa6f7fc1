"""Estimated time of each layer on a device, from the kernels its cost model recorded.

Each recorded kernel is put in an op class (a 1x1 conv, a depth-wise conv, an activation, a
copy...) and costed on the device's rates for that class:
- measured profile: calls x overhead + effective FLOPs / throughput + bytes / bandwidth, the
  three terms fitted per class by `yanalyze calibrate`;
- roofline: max(FLOPs / peak, bytes / bandwidth), a lower bound.
A conv's effective FLOPs pad its channels per group to the device's SIMD block (18 outputs cost as
32 with AVX-512), since that is how the kernels vectorise; input channels fewer than one block are
not padded (a stem's 3 channels run at the dense rate on a direct path, as measured). The layer's bound is the largest
of its three terms. Kernels a cost model recorded as one composite (an attention block's whole
body) count one call, so overhead there is under-estimated.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence

from .cost import Cost
from .devices import Device, OpRate
from .model import Analysis, Latency, LayerLatency, LayerResult

_CONV = re.compile(r"^(\d+)x(\d+)(?:/(\d+)(?:x\d+)?)? (\d+)->(\d+)(?: (dw|g(\d+)))?(?: d(\d+))?")

COPIES = frozenset({"concat", "Concat", "copy", "contiguous", "pad", "space_to_depth", "depth_to_space",
                    "cat_rows", "reshape", "gather", "shift_mask", "zoom_cat"})
REDUCTIONS = frozenset({"adaptive_avgpool", "mean", "channel_mean", "spatial_mean", "global_maxpool", "channel_max",
                        "image_pool", "sum_stacked", "avgpool"})
NORMS = frozenset({"layer_norm", "group_norm", "functional_layer_norm", "channels_first_norm"})
SOFTMAX = frozenset({"softmax", "softmax_over", "softmax_channels"})
MATMULS = frozenset({"linear", "_linear", "matmul", "multihead_attention", "window_attention", "mhsa",
                     "psa_attention", "transformer_block", "batched", "reused"})
BOUNDS = ("overhead", "compute", "memory")


def conv_shape(detail: str) -> Optional[tuple[int, int, int, int, int, int, int]]:
    """(kh, kw, stride, c_in, c_out, groups, dilation) from a conv kernel's detail ('3x3/2 64->128 g4 d2')."""
    m = _CONV.match(detail)
    if not m:
        return None
    kh, kw, s, c1, c2 = int(m[1]), int(m[2]), int(m[3] or 1), int(m[4]), int(m[5])
    g = c1 if m[6] == "dw" else int(m[7] or 1)
    return kh, kw, s, c1, c2, g, int(m[8] or 1)


def _padded(c: int, block: int) -> float:
    """How much wider a channel count runs when padded to the SIMD block."""
    return -(-c // block) * block / c if c > 0 else 1.0


@lru_cache(maxsize=16384)  # a model repeats the same kernels many times over
def classify(what: str, detail: str, macs: int, flops: int, block: int) -> tuple[str, float]:
    """The op class of one recorded kernel and the FLOPs it is costed at (padded for a conv)."""
    if what == "conv2d":
        shape = conv_shape(detail)
        if shape is None:
            return "conv_kxk", float(2 * macs)
        kh, kw, _, c1, c2, g, d = shape
        if g > 1 and g == c1 == c2:
            return "conv_dw", float(2 * macs)
        # outputs run in SIMD blocks; inputs too, once there are enough of them to be blocked (a
        # stem's 3 or a Focus's 12 channels take a direct path, unpadded)
        pad = _padded(c2 // g, block) * (_padded(c1 // g, block) if c1 // g >= block else 1.0)
        if d > 1:
            return "conv_dilated", 2 * macs * pad
        if g > 1:
            return "conv_group", 2 * macs * pad
        return ("conv1x1" if kh == kw == 1 else "conv_kxk"), 2 * macs * pad
    if what == "conv_transpose2d":
        return "conv_transpose", float(2 * macs)
    if what == "batchnorm":
        return "batchnorm", float(flops)
    if what == "activation":
        return f"act_{detail or 'SiLU'}", float(flops)
    if what == "maxpool" or what == "maxpool_ceil":
        return "maxpool", float(flops)
    if what == "upsample":
        return "upsample", 0.0
    if what == "upsample_bilinear":
        return "upsample_bilinear", float(flops)
    if what == "contiguous" or (what == "copy" and detail.startswith("permute")):
        return "permute", 0.0  # a transposing copy: strided reads, far slower per byte than a concat
    if what in COPIES:
        return "copy", 0.0
    if what in REDUCTIONS:
        return "reduce", float(flops)
    if what in NORMS:
        return "norm", float(flops)
    if what in SOFTMAX:
        return "softmax", float(flops)
    if what in MATMULS or macs > 0:
        return "matmul", float(2 * macs or flops)
    return "eltwise", float(flops)  # adds, scalings, Detect's decoding, and whatever else moves elements


def context_bytes(op_class: str, act_bytes: float) -> float:
    """The activation bytes the in-network term applies to: those of element-wise, copying,
    pooling and normalising kernels, whose time is their traffic (fresh outputs, maps evicted
    between kernels). Convolutions and products are left out: their own fitted bandwidth covers
    their traffic, as whole networks show (their measured time there matches the kernel fit)."""
    return 0.0 if op_class.startswith("conv") or op_class == "matmul" else act_bytes


def kernel_ms(rate: OpRate, flops: float, nbytes: float, calls: int, roofline: bool,
              act_bytes: float = 0.0, context_gbs: float = 0.0) -> tuple[float, float, float]:
    """(overhead, compute, memory) ms of one kernel. A roofline keeps only the larger of compute
    and memory (the other runs under it); a measured profile adds the three fitted terms, and
    its in-network traffic term on the activation bytes given (Device.context_gbs; see context_bytes)."""
    compute = flops / (rate.gflops * 1e6) if rate.gflops and flops else 0.0
    memory = nbytes / (rate.gbs * 1e6) if rate.gbs and nbytes else 0.0
    if roofline:
        return 0.0, (compute if compute >= memory else 0.0), (memory if memory > compute else 0.0)
    if context_gbs and act_bytes:
        memory += act_bytes / (context_gbs * 1e6)
    return calls * rate.overhead_us / 1e3, compute, memory


@dataclass(frozen=True, slots=True)
class Timed:
    """One recorded kernel costed on a device: its class, the FLOPs and bytes it is costed at,
    and its overhead, compute and memory ms (what the layer estimate sums and the advice reads)."""

    what: str
    detail: str
    cost: Cost
    op_class: str
    flops: float   # as costed (a conv's channels padded), whole batch
    nbytes: float
    overhead: float
    compute: float
    memory: float

    @property
    def ms(self) -> float:
        return self.overhead + self.compute + self.memory


def timed(device: Device, what: str, detail: str, cost: Cost, op_class: str, flops: float, nbytes: float,
          act_bytes: float) -> Timed:
    """A kernel of a given class costed at given FLOPs and bytes (the advice asks what the same
    kernel would take moving other bytes)."""
    o, c, m = kernel_ms(device.rate(op_class), flops, nbytes, 1, not device.measured,
                        context_bytes(op_class, act_bytes), device.context_gbs)
    return Timed(what=what, detail=detail, cost=cost, op_class=op_class, flops=flops, nbytes=nbytes,
                 overhead=o, compute=c, memory=m)


def time_kernel(device: Device, what: str, detail: str, cost: Cost, batch: int, elem_bytes: int) -> Timed:
    """One recorded kernel on the device, at a batch and element size."""
    op_class, flops = classify(what, detail, cost.macs, cost.flops, device.channel_block)
    act_bytes = cost.act * batch * elem_bytes
    return timed(device, what, detail, cost, op_class, flops * batch, act_bytes + cost.weights * elem_bytes,
                 act_bytes)


def _is_folded_bn(what: str, cost: Cost) -> bool:
    return what == "batchnorm" and cost.act_fused == 0 and cost.act > 0


def layer_latency(r: LayerResult, device: Device, batch: int, elem_bytes: int) -> LayerLatency:
    """One layer's estimate: every recorded kernel costed on its class's rates and summed."""
    return kernels_latency(r.index, r.kernels, device, batch, elem_bytes)


def kernels_latency(index: int, kernels: Sequence[tuple[str, str, Cost]], device: Device, batch: int,
                    elem_bytes: int) -> LayerLatency:
    """The estimate of one layer's recorded kernels: what layer_latency gives an analysed layer,
    and what a sweep point sums over the kernels of its memoised walk (one definition for both)."""
    parts = {"overhead": 0.0, "compute": 0.0, "memory": 0.0}
    by_class: dict[str, float] = {}
    folded_ms, calls = 0.0, 0
    for what, detail, cost in kernels:
        k = time_kernel(device, what, detail, cost, batch, elem_bytes)
        parts["overhead"] += k.overhead
        parts["compute"] += k.compute
        parts["memory"] += k.memory
        by_class[k.op_class] = by_class.get(k.op_class, 0.0) + k.ms
        calls += 1
        if _is_folded_bn(what, cost):
            folded_ms += k.ms
    ms = parts["overhead"] + parts["compute"] + parts["memory"]
    bound = max(BOUNDS, key=lambda b: parts[b]) if ms > 0 else "overhead"
    return LayerLatency(layer=index, ms=ms, overhead_ms=parts["overhead"], compute_ms=parts["compute"],
                        memory_ms=parts["memory"], bound=bound, calls=calls,
                        by_class=dict(sorted(by_class.items(), key=lambda kv: -kv[1])), ms_fused=ms - folded_ms)


def estimate(a: Analysis, device: Device) -> Latency:
    """The whole model's estimate: the layers' times summed (a forward pass runs them in turn)."""
    from .model import DTYPE_BYTES

    batch, elem = a.input.batch, DTYPE_BYTES[a.input.dtype]
    layers = [layer_latency(r, device, batch, elem) for r in a.layers]
    by_bound = {b: 0.0 for b in BOUNDS}
    by_class: dict[str, float] = {}
    for lat in layers:
        by_bound[lat.bound] += lat.ms
        for k, v in lat.by_class.items():
            by_class[k] = by_class.get(k, 0.0) + v
    return Latency(device=device.summary(), kind=device.kind, layers=layers,
                   total_ms=sum(lat.ms for lat in layers), total_ms_fused=sum(lat.ms_fused for lat in layers),
                   by_bound=by_bound, by_class=dict(sorted(by_class.items(), key=lambda kv: -kv[1])),
                   partial=a.totals.partial)


def of(rs: Sequence[LayerLatency], index: int) -> Optional[LayerLatency]:
    """A layer's estimate by index (None when there is none)."""
    return rs[index] if 0 <= index < len(rs) and rs[index].layer == index else None


def flops_by_class(layers: Sequence[LayerResult]) -> dict[str, int]:
    """FLOPs (complete count) per op class, the kernels classed as the estimate classes them, so a
    view can set each class's share of the FLOPs beside its share of the time (the class of a
    kernel does not depend on the SIMD block, only its padded FLOPs do)."""
    out: dict[str, int] = {}
    for r in layers:
        for what, detail, cost in r.kernels:
            op_class = classify(what, detail, cost.macs, cost.flops, 1)[0]
            out[op_class] = out.get(op_class, 0) + cost.flops
    return out
