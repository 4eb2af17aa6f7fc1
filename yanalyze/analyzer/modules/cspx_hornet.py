"""HorNet blocks as yoloair publishes them (Rao et al.): HorBlock, a recursive gated convolution
(gnconv, order 5) and a Linear MLP, each in a layer-scaled residual; C3HB, a C3 whose inner path
is HorBlocks.

HorNet's channels-first layer norm is written out element-wise in the fork (a mean over the
channels, the variance, a square root, a division, the affine weight and bias), so it is priced
kernel by kernel here with analyzer.conventions' functions; the channels-last one is
F.layer_norm inside the fork's own module class, which ultralytics-thop has no rule for (so it
counts 0 there, unlike nn.LayerNorm). Learned per-channel vectors (norm weights, layer scales)
are parameters and, where a kernel reads them, weights.
"""
from __future__ import annotations

from dataclasses import replace

from .. import conventions as C
from .. import primitives as P
from .. import shaping as S
from ..registry import Provenance, register
from ..symbolic import ACTS, T, shape_error
from .csp import c3_body, repeat
from .necks import learned, weights_read
from .sources import YOLOAIR_AT

BLOCKS = "yanalyze.verify.cspx_blocks_hornet"
HORNET = Provenance(YOLOAIR_AT, "models/common.py",
                    "Rao et al., HorNet: Efficient High-Order Spatial Interactions with Recursive Gated "
                    "Convolutions, NeurIPS 2022")
ORDER = 5


def scaled_by_vector(x: T, c: int) -> T:
    """x times a learned (C,) vector broadcast over H and W: one kernel reading the vector as weights."""
    x.trace.record(weights_read(C.elementwise(x.numel, x.numel + c), c))
    return x


def channels_first_norm(x: T) -> T:
    """mean over C, (x - mean)^2, its mean, (x - mean) / sqrt(var + eps), weight * x + bias: ten
    kernels, the statistics one value per position."""
    n, p, c = x.numel, x.shape.h * x.shape.w, x.c
    rec = x.trace.record
    learned(x, 2 * c)
    rec(C.reduction(n, p))                         # mean over channels
    rec(C.elementwise(n, n + p))                   # x - mean
    rec(C.elementwise(n, n))                       # ** 2
    rec(C.reduction(n, p))                         # mean over channels
    rec(C.elementwise(n, n + p))                   # x - mean
    rec(C.elementwise(p, p))                       # var + eps
    rec(C.elementwise(p, p))                       # sqrt
    rec(C.elementwise(n, n + p))                   # division
    scaled_by_vector(x, c)                         # weight * x
    x.trace.record(weights_read(C.elementwise(n, n + c), c))  # + bias
    return x


def functional_layer_norm(x: T, c: int) -> T:
    """F.layer_norm over the channels at every position: priced as nn.LayerNorm, thop 0."""
    x.trace.record(replace(C.normalization(x.numel, x.shape.h * x.shape.w, c), thop=0, thop_fused=0))
    return x


def gnconv(x: T, dim: int, scale: float = 1.0) -> T:
    """1x1 conv with bias to 2 dim, split into dim/16 and the rest; a biased depthwise 7x7 on the
    rest, times the scale, split into dim/16 .. dim gates; the first part times the first gate,
    then per order a 1x1 conv with bias doubling the width times the next gate; 1x1 conv out."""
    dims = [dim // 2 ** i for i in range(ORDER)][::-1]
    total = sum(dims)
    if dims[0] < 1 or dims[0] + total != 2 * dim:
        raise shape_error(f"HorNet's gnconv of order {ORDER} needs a width divisible by {2 ** (ORDER - 1)}, "
                          f"got {dim}")
    first, gates = S.split(P.conv2d(x, dim, 2 * dim, 1, bias=True), [dims[0], total])
    parts = S.split(S.scalar_op(P.conv2d(gates, total, total, 7, 1, 3, total, bias=True)), dims)
    y = S.broadcast(first, parts[0])
    for i in range(ORDER - 1):
        y = S.broadcast(P.conv2d(y, dims[i], dims[i + 1], 1, bias=True), parts[i + 1])
    return P.conv2d(y, dim, dim, 1, bias=True)


def hor_block(x: T, dim: int, layer_scale: float = 1e-6) -> T:
    """x + gamma1 * gnconv(norm1(x)); then + gamma2 * Linear(4 dim -> dim)(GELU(Linear(norm2)))
    over the channels-last view (the layer scales only when layer_scale > 0)."""
    if x.c != dim:
        raise shape_error(f"HorBlock({dim}) gets {x.c} channels")
    scaled = layer_scale > 0
    if scaled:
        learned(x, 2 * dim)
    y = gnconv(channels_first_norm(x), dim)
    x = P.add(x, scaled_by_vector(y, dim) if scaled else y)
    y = S.linear(P.activation(S.linear(functional_layer_norm(x, dim), dim, 4 * dim), ACTS["GELU"]), 4 * dim, dim)
    return P.add(x, scaled_by_vector(y, dim) if scaled else y)


@register("HorBlock", channels="csp", torch=f"{BLOCKS}:HorBlockRow", source=HORNET)
def hor_block_row(x: T, c1: int, c2: int, n: int = 1) -> T:
    """One HorBlock(c1) as yoloair's parser builds the row: the width-scaled c2 lands in
    drop_path (identity in eval) and the repeat count in layer_scale_init_value, so a row builds
    one block whatever its number; c2 must equal c1, which the parser records as the output."""
    if c2 != c1:
        raise shape_error(f"HorBlock keeps its {c1} channels, but the row asks for {c2}: the fork would "
                          f"record {c2} for the next layer")
    return hor_block(x, c1, n)


@register("C3HB", channels="csp", torch=f"{BLOCKS}:C3HB", source=HORNET)
def c3hb(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """C3 whose inner path is n HorBlocks of width int(c2 * e) (layer scale 1e-6)."""
    return c3_body(x, c1, c2, e, repeat(lambda y: hor_block(y, y.c), n))
