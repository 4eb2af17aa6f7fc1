"""Stems and classic backbone blocks that YOLOv5 forks publish: YOLO5Face's StemBlock and BlazeFace
blocks, yoloair's Stem, Convfirst, DenseNet and ResNet stages with the weighted Sum, DPN, and
PMSA-YOLO's ELAN-style INSNs/INSNl.

Three kernels here have no primitive of their own, so they are written on analyzer.conventions:
a max-pool in ceil mode, an average pool called as a function (which thop does not count), and
a weight vector passed through a sigmoid (Sum's learned weights).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

from .. import conventions as C
from .. import primitives as P
from .. import shaping as S
from ..model import Shape
from ..registry import register
from ..symbolic import ACTS, T, Trace, shape_error
from . import backbone_sources as src
from .conv import conv, dwconv

RELU, SILU, LEAKY = ACTS["ReLU"], ACTS["SiLU"], ACTS["LeakyReLU"]
BLOCKS = src.MISC_BLOCKS


def maxpool_ceil(x: T, k: int, s: int) -> T:
    """MaxPool2d(k, s, ceil_mode=True): keeps the last, partial window that floor mode drops."""
    def size(n: int) -> int:
        out = -(-(n - k) // s) + 1
        return out - 1 if (out - 1) * s >= n else out
    y = T(Shape(x.c, size(x.shape.h), size(x.shape.w)), x.fh.window(k, s), x.fw.window(k, s), x.glob, x.trace)
    x.trace.record(C.maxpool(x.numel, y.numel, k * k))
    return y


def unseen_by_thop(op: Callable[..., T], x: T, *args: object) -> T:
    """A primitive called as a torch function rather than a module: the same kernel, but
    ultralytics-thop (which counts modules) does not see it."""
    scratch = Trace(x.trace.default_act, x.trace.exact)
    y = op(replace(x, trace=scratch), *args)
    x.trace.record(replace(scratch.cost, thop=0, thop_fused=0))
    return replace(y, trace=x.trace)


@register("StemBlock", channels="conv", torch=f"{BLOCKS}:StemBlock", source=src.FACE_BLOCKS)
def stem_block(x: T, c1: int, c2: int, k: int = 3, s: int = 2, p=None, g: int = 1, act=True) -> T:
    """PeleeNet-style stem: Conv(k, s); then a 1x1 + 3x3 stride-2 Conv path beside a 2x2 stride-2
    max-pool (ceil mode), concatenated and fused by a 1x1 Conv."""
    y = conv(x, c1, c2, k, s, p, g, 1, act)
    a = conv(conv(y, c2, c2 // 2, 1, 1, 0), c2 // 2, c2, 3, 2, 1)
    return conv(P.concat([a, maxpool_ceil(y, 2, 2)]), 2 * c2, c2, 1, 1, 0)


@register("Stem", channels="conv", torch=f"{BLOCKS}:Stem", source=src.YOLOAIR)
def stem(x: T, c1: int, c2: int, k=1, s=1, p=None, g: int = 1, act=True) -> T:
    """3x3 stride-2 Conv to c2/2; a 1x1 + 3x3 stride-2 Conv path beside a 2x2 stride-2 max-pool,
    concatenated, 1x1 Conv to c2 (k, s, p, g, act are accepted and unused)."""
    h = int(c2 / 2)
    y = conv(x, c1, h, 3, 2)
    a = conv(conv(y, h, h, 1, 1), h, h, 3, 2)
    return conv(P.concat([a, P.maxpool(y, 2, 2)]), 2 * h, c2, 1, 1)


def blaze_tail(x: T, y: T, cin: int, cout: int, stride: int) -> T:
    """BlazeFace's shortcut (identity, or 2x2 max-pool + biased 1x1 + BN when strided), sum, SiLU."""
    if stride not in (1, 2):
        raise shape_error(f"stride must be 1 or 2, got {stride!r}")
    sc = P.batchnorm(P.conv2d(P.maxpool(x, stride, stride), cin, cout, 1, bias=True)) if stride > 1 else x
    return P.activation(P.add(y, sc), SILU)


@register("BlazeBlock", channels="conv", torch=f"{BLOCKS}:BlazeBlock", source=src.FACE_BLAZE)
def blaze_block(x: T, in_channels: int, out_channels: int, mid_channels=None, stride: int = 1) -> T:
    """Depth-wise 5x5 (groups = in) to mid + BN, biased 1x1 to out + BN, plus the shortcut, SiLU."""
    mid = mid_channels or in_channels
    y = P.batchnorm(P.conv2d(x, in_channels, mid, 5, stride, 2, in_channels, bias=True))
    y = P.batchnorm(P.conv2d(y, mid, out_channels, 1, bias=True))
    return blaze_tail(x, y, in_channels, out_channels, stride)


@register("DoubleBlazeBlock", channels="conv", torch=f"{BLOCKS}:DoubleBlazeBlock", source=src.FACE_BLAZE)
def double_blaze_block(x: T, in_channels: int, out_channels: int, mid_channels=None, stride: int = 1) -> T:
    """Depth-wise 5x5 + BN, 1x1 to mid + BN + SiLU, full 5x5 + BN, 1x1 to out + BN (all biased),
    plus the shortcut, SiLU."""
    c, mid = in_channels, mid_channels or in_channels
    y = P.batchnorm(P.conv2d(x, c, c, 5, stride, 2, c, bias=True))
    y = P.activation(P.batchnorm(P.conv2d(y, c, mid, 1, bias=True)), SILU)
    y = P.batchnorm(P.conv2d(y, mid, mid, 5, 1, 2, bias=True))
    y = P.batchnorm(P.conv2d(y, mid, out_channels, 1, bias=True))
    return blaze_tail(x, y, c, out_channels, stride)


@register("Convfirst", channels="conv", torch=f"{BLOCKS}:Convfirst", source=src.TAO_CONV)
def convfirst(x: T, c1: int, c2: int, shortcut=True, g: int = 1, e: float = 0.5) -> T:
    """Two parallel 1x1 Convs summed (the other arguments are accepted and unused)."""
    return P.add(conv(x, c1, c2, 1, 1), conv(x, c1, c2, 1, 1))


def bn_relu(x: T) -> T:
    return P.activation(P.batchnorm(x), RELU)


@register("DenseBlock", channels="csp", torch=f"{BLOCKS}:DenseBlock", source=src.DENSENET)
def dense_block(x: T, c1: int, c2: int, n: int) -> T:
    """n DenseNet layers of growth k = (c2 - c1) // n (BN, ReLU, 1x1 to 4k, BN, ReLU, 3x3 to k, the
    k new channels concatenated), then BN + ReLU over c2 channels."""
    k = (c2 - c1) // n
    if k < 1 or c1 + n * k != c2:
        raise shape_error(f"DenseBlock({c1}, {c2}, n={n}): c2 - c1 must be a positive multiple of n")
    c = c1
    for _ in range(n):
        y = P.conv2d(bn_relu(x), c, 4 * k, 1)
        x = P.concat([x, P.conv2d(bn_relu(y), 4 * k, k, 3, 1, 1)])
        c += k
    return bn_relu(x)


@register("DenseNetTrasition", channels="conv", torch=f"{BLOCKS}:DenseNetTrasition", source=src.DENSENET)
def densenet_transition(x: T, c1: int, c2: int) -> T:
    """1x1 Conv2d (no bias), then F.avg_pool2d(2)."""
    return unseen_by_thop(S.avgpool, P.conv2d(x, c1, c2, 1), 2, 2)


def resnet_bottleneck(x: T, c1: int, c2: int, s: int) -> T:
    """ResNet-50 bottleneck: Conv 1x1 and 3x3 (stride s) with ReLU, 1x1 Conv2d + BN to c2, plus the
    input (projected by a strided 1x1 + BN when the shape changes), ReLU."""
    h = int(c2 // 4)
    y = conv(conv(x, c1, h, 1, 1, None, 1, 1, RELU), h, h, 3, s, None, 1, 1, RELU)
    y = P.batchnorm(P.conv2d(y, h, c2, 1))
    sc = P.batchnorm(P.conv2d(x, c1, c2, 1, s)) if s != 1 or c1 != c2 else x
    return P.activation(P.add(y, sc), RELU)


@register("ResNetBlock", channels="csp", torch=f"{BLOCKS}:ResNetBlock", source=src.RESNET)
def resnet_block(x: T, c1: int, c2: int, n: int = 1, downsample: bool = True, shortcut=True, g: int = 1,
                 e: int = 4) -> T:
    """A ResNet stage: n bottlenecks, the first with stride 2 when downsample (g and e are accepted
    and unused: every bottleneck has width c2 // 4)."""
    x = resnet_bottleneck(x, c1, c2, 2 if downsample else 1)
    for _ in range(n - 1):
        x = resnet_bottleneck(x, c2, c2, 1)
    return x


@register("Sum", channels="same", multi_input=True, torch=f"{BLOCKS}:Sum", source=src.WEIGHTED_SUM)
def weighted_sum(xs: Sequence[T], n: int, weight: bool = False) -> T:
    """x[0] + x[1] + ... + x[n-1]; with weight, each added input is scaled by 2 sigmoid(w_i) of
    n - 1 learned weights (sigmoid and doubling of the weight vector, one product per input)."""
    if n < 1 or n > len(xs):
        raise shape_error(f"Sum({n}) sums the first {n} inputs, the row gives {len(xs)}")
    y = xs[0]
    if weight and n > 1:
        m = n - 1
        y.trace.record(C.op(params=m, flops=C.ACT_FLOPS["Sigmoid"] * m, act=m, weights=m))
        y.trace.record(C.elementwise(m, m))
    for other in xs[1:n]:
        if weight:
            other.trace.record(C.elementwise(other.numel, other.numel + 1))
        y = P.add(y, other)
    return y


def dpn_unit(x: T, cin: int, add: int, cat: int, cardinality: int, d: int, s: int) -> T:
    """Dual-path unit: Conv 1x1 and grouped 3x3 Conv (width cardinality x d), biased 1x1 Conv2d + BN
    to add + cat channels; the first add channels plus the input (a biased strided 1x1 + BN when
    widths differ), concatenated with the other cat channels; LeakyReLU."""
    w = cardinality * d
    y = conv(conv(x, cin, w, 1, 1, 0), w, w, 3, s, 1, cardinality)
    y = P.batchnorm(P.conv2d(y, w, add + cat, 1, bias=True))
    sc = P.batchnorm(P.conv2d(x, cin, add, 1, s, bias=True)) if add != cin else x
    residual, dense = S.split(y, [add, cat])
    return P.activation(P.concat([P.add(residual, sc), dense]), LEAKY)


@register("DPN", channels="csp", torch=f"{BLOCKS}:DPN", source=src.DPN)
def dpn(x: T, c1: int, c2: int, block: int = 1, cat_chnl: int = 16, cardinality: int = 16, d: int = 3,
        stride: int = 1, e: float = 0.5) -> T:
    """C3 skeleton whose inner path is `block` dual-path units (the first with the stride) and a
    1x1 Conv back to c2 * e."""
    h = int(c2 * e)
    y, c = conv(x, c1, h, 1, 1), h
    for i in range(block):
        y, c = dpn_unit(y, c, h, cat_chnl, cardinality, d, stride if i == 0 else 1), h + cat_chnl
    return conv(P.concat([conv(y, c, h, 1, 1), conv(x, c1, h, 1, 1)]), 2 * h, c2, 1)


def dw_chain(x: T, c: int, k: int) -> T:
    """k depth-wise 3x3 Convs (DWConv) in sequence."""
    for _ in range(k):
        x = dwconv(x, c, c, 3, 1)
    return x


def elan_single(n: int) -> None:
    if n != 1:
        raise shape_error(f"n = {n}: the fork chains n inner ELAN blocks, each returning a tuple, so its "
                          f"code only runs with n = 1")


@register("INSNs", channels="csp", torch=f"{BLOCKS}:INSNs", source=src.PMSA)
def insn_s(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = False, e: float = 0.25) -> T:
    """ELAN-style block at width h = int(c1 * e): a 1x1 Conv and its two-DWConv chain, and a second
    1x1 Conv with a 1x1 Conv and a DWConv beside it; the four concatenated (4h must be c1), 1x1
    Conv to c2."""
    elan_single(n)
    h = int(c1 * e)
    x1 = conv(x, c1, h, 1, 1)
    x3 = conv(x, c1, h, 1, 1)
    parts = [x1, dw_chain(x1, h, 2), conv(x3, h, h, 1, 1), dwconv(x3, h, h, 3, 1)]
    return conv(P.concat(parts), c1, c2, 1, 1)


@register("INSNl", channels="csp", torch=f"{BLOCKS}:INSNl", source=src.PMSA)
def insn_l(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """ELAN-style block at width h = int(c1 * e * e): a 1x1 Conv with DWConv chains of 2 and 4
    after it; a second 1x1 Conv summed with its chains of 1, 2 and 3 DWConvs; the four outputs
    concatenated (4h must be c1), 1x1 Conv to c2."""
    elan_single(n)
    h = int(c1 * e * e)
    x1 = conv(x, c1, h, 1, 1)
    x2 = dw_chain(x1, h, 2)
    x4 = conv(x, c1, h, 1, 1)
    total = x4
    for k in (1, 2, 3):
        total = P.add(total, dw_chain(x4, h, k))
    return conv(P.concat([x1, x2, dw_chain(x2, h, 2), total]), c1, c2, 1, 1)
