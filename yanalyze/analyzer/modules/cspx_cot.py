"""Content-adaptive convolutions: CoT3 (a C3 of Contextual Transformer bottlenecks),
Involution (a per-position, per-group kernel generated from the input) and ODConv
(omni-dimensional dynamic convolution: the kernel and the maps scaled by gates from a global
pool)."""
from __future__ import annotations

from dataclasses import replace

from .. import conventions as C
from .. import primitives as P
from .. import shaping as S
from ..model import Shape
from ..registry import register
from ..symbolic import ACTS, T, shape_error
from .conv import autopad, conv, resolve_act
from .csp import c3_body, repeat
from .cspx_ops import idle
from .cspx_sources import COT_SILU, COT_SRC, CSPX_COT, INVOLUTION_DIRECT, INVOLUTION_REDUCED, ODCONV_SRC


def bn(x: T, act: str = "") -> T:
    """A standalone BatchNorm2d (and an activation)."""
    y = P.batchnorm(x)
    return P.activation(y, ACTS[act]) if act else y


def cot(x: T, dim: int, k: int = 3, act: str = "ReLU") -> T:
    """CoT: static keys from a grouped k x k conv (4 groups, BN, ReLU); values from a 1x1 conv +
    BN; an attention map from [keys, x] (1x1 to 2dim/4, BN, ReLU, 1x1 with bias to k*k*dim),
    averaged over its k*k taps, softmax over all positions (functional), times the values; keys
    added. The softmax normalizes over the whole map: global context."""
    if dim % 4:
        raise shape_error(f"CoT's key conv uses 4 groups: {dim} channels do not divide")
    keys = bn(P.conv2d(x, dim, dim, k, 1, k // 2, 4), act)
    values = bn(P.conv2d(x, dim, dim, 1))
    a = bn(P.conv2d(P.concat([keys, x]), 2 * dim, 2 * dim // 4, 1), act)
    a = P.conv2d(a, 2 * dim // 4, k * k * dim, 1, bias=True)
    att = replace(a, shape=Shape(dim, x.shape.h, x.shape.w), glob=True)
    x.trace.record(C.reduction(a.numel, att.numel))             # mean over the k*k taps
    x.trace.record(C.softmax(att.numel))                         # F.softmax over H*W
    return P.add(keys, _product(att, values))


def _product(a: T, b: T) -> T:
    """Element-wise product of two maps of the same shape."""
    a.trace.record(C.elementwise(a.numel, a.numel + b.numel))
    return replace(P.join([a, b], a.c, "Multiply"), glob=a.glob or b.glob)


def cot_bottleneck(x: T, c1: int, c2: int, shortcut: bool = True, e: float = 0.5, act: str = "ReLU") -> T:
    """Conv 1x1 to int(c2*e), CoT(.., 3); residual when shortcut and c1 == c2."""
    h = int(c2 * e)
    y = cot(conv(x, c1, h, 1, 1), h, 3, act)
    return P.add(x, y) if shortcut and c1 == c2 else y


@register("CoT3", channels="csp", torch=f"{CSPX_COT}:CoT3", source=COT_SRC, variant="relu")
def cot3(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """C3 whose inner blocks are n CoT bottlenecks (h, h, e=1.0), ReLU inside CoT."""
    h = int(c2 * e)
    return c3_body(x, c1, c2, e, repeat(lambda y: cot_bottleneck(y, h, h, shortcut, 1.0), n))


@register("CoT3", channels="csp", torch=f"{CSPX_COT}:CoT3_silu", source=COT_SILU, variant="silu", default=False)
def cot3_silu(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """CoT3 whose CoT key and attention branches use SiLU instead of ReLU."""
    h = int(c2 * e)
    return c3_body(x, c1, c2, e, repeat(lambda y: cot_bottleneck(y, h, h, shortcut, 1.0, "SiLU"), n))


def involution_apply(x: T, weights: T, c1: int, k: int, s: int) -> T:
    """Unfold (im2col, k x k at stride s, 'same' padding) of x into c1 x k*k columns, times the
    per-position kernels broadcast over each group's 16 channels, summed over the k*k taps."""
    cols = P.window(x, c1 * k * k, k, s, (k - 1) // 2, 1, "unfold")
    if (cols.shape.h, cols.shape.w) != (weights.shape.h, weights.shape.w):
        raise shape_error(f"Involution kernels at {weights.shape.h}x{weights.shape.w} do not match the "
                          f"unfolded {cols.shape.h}x{cols.shape.w} (stride {s})")
    x.trace.record(C.copy(x.numel, cols.numel))                   # im2col
    x.trace.record(C.elementwise(cols.numel, cols.numel + weights.numel))
    x.trace.record(C.reduction(cols.numel, cols.numel // (k * k)))
    return P.join([cols, weights], c1, "Involution")


def _groups(c1: int, c2: int) -> int:
    if c1 != c2:
        raise shape_error(f"Involution outputs its {c1} input channels; the row asks for {c2}")
    if c1 % 16:
        raise shape_error(f"Involution works on groups of 16 channels: {c1} do not divide")
    return c1 // 16


@register("Involution", channels="conv", torch=f"{CSPX_COT}:Involution", source=INVOLUTION_DIRECT, variant="direct")
def involution(x: T, c1: int, c2: int, kernel_size: int, stride: int) -> T:
    """Involution with the kernels from one 1x1 Conv of the input (c1 -> k*k*groups); its
    other 1x1 Conv (c1 -> c1) and, for stride > 1, its average pool are built but unused."""
    g = _groups(c1, c2)
    idle(x, lambda t: conv(t, c1, c1, 1))
    weights = conv(x, c1, kernel_size ** 2 * g, 1, 1)
    return involution_apply(x, weights, c1, kernel_size, stride)


@register("Involution", channels="conv", torch=f"{CSPX_COT}:Involution_reduced", source=INVOLUTION_REDUCED,
          variant="reduced", default=False)
def involution_reduced(x: T, c1: int, c2: int, kernel_size: int, stride: int) -> T:
    """Involution with the kernels from a 1x1 Conv to c1 // 4 then one to k*k*groups, on the
    input average-pooled by the stride when it is above 1."""
    g = _groups(c1, c2)
    y = x
    if stride > 1:
        y = S.avgpool(x, stride, stride)
    weights = conv(conv(y, c1, c1 // 4, 1), c1 // 4, kernel_size ** 2 * g, 1, 1)
    return involution_apply(x, weights, c1, kernel_size, stride)


def od_attention(x: T, c1: int, c2: int, k: int, g: int) -> tuple[T, bool]:
    """ODConv's attention at batch 1: global average pool, 1x1 conv to A = max(int(c1/16), 16)
    (its BatchNorm only runs for batches above 1: built, not run), ReLU; per branch a 1x1 conv
    with bias, a division by the temperature and a sigmoid: channel (c1), filter (c2, unless
    depth-wise) and spatial (k*k, unless k == 1) gates. Returns the pooled code and whether a
    filter gate exists."""
    a = max(int(c1 * 0.0625), 16)
    y = P.conv2d(S.adaptive_avgpool(x, 1), c1, a, 1)
    idle(y, lambda t: P.batchnorm(t))
    y = P.activation(y, ACTS["ReLU"])
    gates = [c1] + ([] if c1 == g == c2 else [c2]) + ([k * k] if k > 1 else [])
    for c in gates:
        gate = S.scalar_op(P.conv2d(y, a, c, 1, bias=True))
        P.activation(gate, ACTS["Sigmoid"])
    return y, not (c1 == g == c2)


@register("ODConv", channels="conv", torch=f"{CSPX_COT}:ODConv", source=ODCONV_SRC)
def odconv(x: T, c1: int, c2: int, k: int = 1, s: int = 1, p=None, g: int = 1, act=True) -> T:
    """Omni-dimensional dynamic conv (one kernel) + BatchNorm2d + SiLU: the input scaled by the
    channel gate, the k x k kernel scaled by the spatial gate (a product and a sum over the single
    kernel, a computed weight), a functional F.conv2d (ultralytics-thop counts no function), the
    output scaled by the filter gate. Not fused by YOLOv5's fuse() (not a Conv)."""
    pad = autopad(k, p)
    _, has_filter = od_attention(x, c1, c2, k, g)
    x.trace.record(C.elementwise(x.numel, x.numel + c1))            # x * channel gate
    kernel = c2 * (c1 // g) * k * k
    y = P.window(x, c2, k, s, pad, 1, "convolution")
    conv_cost = C.conv(x.numel, y.numel, c2, c1 // g, k * k, False)
    if k == 1:
        x.trace.record(replace(conv_cost, thop=0, thop_fused=0))      # F.conv2d on the weight
    else:
        x.trace.record(C.elementwise(k * k, k * k))                   # spatial gate * 1.0
        x.trace.record(C.op(params=kernel, flops=kernel, act=k * k + kernel, weights=kernel))
        x.trace.record(C.reduction(kernel, kernel))                   # sum over the one kernel
        x.trace.record(C.op(macs=conv_cost.macs, flops=conv_cost.flops, act=conv_cost.act + kernel))
    y = replace(y, glob=True)
    y.trace.record(C.elementwise(y.numel, y.numel + (c2 if has_filter else 0)))   # * filter gate (or 1.0)
    return P.activation(P.batchnorm(y), ACTS["SiLU"] if act is True else resolve_act(x, act))
