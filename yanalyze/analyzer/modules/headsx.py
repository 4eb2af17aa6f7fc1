"""Detection heads with adaptive spatial feature fusion (ASFF) from YOLOv5 forks: ASFF_Detect
(three published definitions) and DWASFF_Detect; plus the YOLOv5 v6.0-style in-place box decode
these forks' heads run in eval mode.

ASFF (Liu et al.): for each output level, every input level is resized to it (strided 3x3 Conv,
max-pool + Conv, or 1x1 Conv + nearest upsampling), 1x1 Convs give per-level weight maps, a
softmax over the three weights them per position, and the weighted sum goes through a 3x3
Conv. Then the usual per-level 1x1 detection conv with bias and the decode.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

from .. import conventions as C
from .. import primitives as P
from .. import shaping as S
from ..model import Shape
from ..registry import Provenance, register
from ..symbolic import ACTS, T, shape_error
from .conv import conv
from .heads import _anchors_per_level, detect_levels
from .necks import weights_read

HEADSX = "yanalyze.verify.headsx_blocks"
ASFF_PAPER = "Liu, Huang, Wang, Learning Spatial Fusion for Single-Shot Object Detection, arXiv 1911.09516 (2019)"
TRICK = Provenance("xinghanliuying/yolov5-trick@d57d3c7e7d70", "models/yolo.py, models/common.py", ASFF_PAPER)
LMSD = Provenance("GY-monkey/LMSD-YOLO@34cafd716fa2", "models/yolo.py, models/common.py",
                  "Guo et al., LMSD-YOLO: A Lightweight YOLO Algorithm for Multi-Scale SAR Ship Detection, "
                  "Remote Sensing 2022; " + ASFF_PAPER)
SMN = Provenance("RethinkingCoding/SMN-YOLOv5s@704b81b146e6", "models/yolo.py, models/common.py", ASFF_PAPER)


# ----------------------------------------------------------------------------- in-place decode (v6.0 style)
def decode_inplace(ys: Sequence[T], na: int, no: int, grid_per_anchor: bool = True, offset: bool = False,
                   anchor_buffer: bool = False) -> list[T]:
    """Per level (ys: the 1x1 convs' outputs): permute(...).contiguous(), sigmoid of all, then
    y[..., 0:2] = (y[..., 0:2] * 2 [- 0.5] + grid) * stride and y[..., 2:4] = (y[..., 2:4] * 2) ** 2
    * anchor_grid written back into slices; finally the levels concatenated.

    grid_per_anchor: the grid is a full (1, na, ny, nx, 2) tensor (else (1, 1, ny, nx, 2));
    offset: the '- 0.5' is a kernel of its own (YOLOR); anchor_buffer: the anchor grid is a
    registered buffer (read as weights), else an expanded (na x 2) tensor.
    """
    for y in ys:
        n, h, w = y.numel, y.shape.h, y.shape.w
        if y.c != na * no:
            raise shape_error(f"head conv gives {y.c} channels, not {na} x {no}")
        cells = na * h * w
        xy = 2 * cells
        grid = xy if grid_per_anchor else 2 * h * w
        if h * w > 1 and no > 1:  # otherwise the permuted view is contiguous already: no copy
            y.trace.record(C.copy(n, n))                               # permute(...).contiguous()
        y.trace.record(C.activation("Sigmoid", n))
        y.trace.record(C.elementwise(xy, xy))                          # * 2
        if offset:
            y.trace.record(C.elementwise(xy, xy))                      # - 0.5
        y.trace.record(C.elementwise(xy, xy + grid))                   # + grid
        y.trace.record(C.elementwise(xy, xy + 1))                      # * stride[i]
        y.trace.record(C.copy(xy, xy))                                 # y[..., 0:2] = ...
        y.trace.record(C.elementwise(xy, xy))                          # * 2
        y.trace.record(C.elementwise(xy, xy))                          # ** 2
        anchor = C.elementwise(xy, xy + 2 * na)                        # * anchor_grid[i]
        y.trace.record(weights_read(anchor, 2 * na) if anchor_buffer else anchor)
        y.trace.record(C.copy(xy, xy))                                 # y[..., 2:4] = ...
    total = sum(y.numel for y in ys)
    ys[0].trace.record(C.copy(total, total))                           # cat over levels
    return list(ys)


def detect_convs(xs: Sequence[T], no: int, anchors: object, ch: Sequence[int]) -> tuple[list[T], int]:
    """The per-level Conv2d(ch_i, na*no, 1) with bias; returns the outputs and na."""
    if len(xs) != len(ch):
        raise shape_error(f"head gets {len(xs)} inputs but {len(ch)} channel counts")
    na = _anchors_per_level(anchors, len(xs))
    return [P.conv2d(x, c, na * no, 1, 1, 0, 1, 1, bias=True) for x, c in zip(xs, ch)], na


# ----------------------------------------------------------------------------- ASFF fusion of one level
ConvFn = Callable[[T, int, int, int, int], T]  # (x, c1, c2, k, s) -> y


def softmax(x: T) -> T:
    """F.softmax over channels (a kernel of its own; thop: none)."""
    x.trace.record(C.softmax(x.numel))
    return x


def asff_level(level: int, x0: T, x1: T, x2: T, dims: Sequence[int], compress: int, block: ConvFn,
               weigh: Callable[[T, int], T]) -> T:
    """One ASFF level: x0 the coarsest input (dims[0] channels), x2 the finest; resize all to
    `level`'s grid and dims[level] channels, weight per position by a softmax over three
    learned maps, sum, and a 3x3 block to dims[level]."""
    inter = dims[level]
    if level == 0:
        r0, r1 = x0, block(x1, dims[1], inter, 3, 2)
        r2 = block(P.maxpool(x2, 3, 2, 1), dims[2], inter, 3, 2)
    elif level == 1:
        r0, r1 = P.upsample(block(x0, dims[0], inter, 1, 1), 2), x1
        r2 = block(x2, dims[2], inter, 3, 2)
    else:
        r0 = P.upsample(block(x0, dims[0], inter, 1, 1), 4)
        r1, r2 = P.upsample(block(x1, dims[1], inter, 1, 1), 2), x2
    maps = [block(r, inter, compress, 1, 1) for r in (r0, r1, r2)]
    weights = softmax(weigh(P.concat(maps), 3 * compress))
    w0, w1, w2 = S.split(weights, [1, 1, 1])
    fused = P.add(P.add(S.broadcast(r0, w0), S.broadcast(r1, w1)), S.broadcast(r2, w2))
    return block(fused, inter, inter, 3, 1)


def _yolo_conv(x: T, c1: int, c2: int, k: int, s: int) -> T:
    return conv(x, c1, c2, k, s)


def _conv_bn_leaky(x: T, c1: int, c2: int, k: int, s: int) -> T:
    """Conv2d (no bias) + BatchNorm2d + LeakyReLU(0.1) in an nn.Sequential (not folded by fuse())."""
    y = P.conv2d(x, c1, c2, k, s, (k - 1) // 2)
    return P.activation(P.batchnorm(y), ACTS["LeakyReLU"])


def _asffv5_dims(multiplier: float) -> list[int]:
    return [int(1024 * multiplier), int(512 * multiplier), int(256 * multiplier)]


def gam_params(c1: int, c2: int, rate: int = 4) -> int:
    """Parameters of a grouped GAM_Attention(c1, c2) (two Linear, two grouped 7x7 Conv2d with
    bias, two BatchNorm2d), which LMSD-YOLO's ASFF levels build but never call."""
    h = int(c1 / rate)
    if (c1 // rate) % rate or c1 % rate or c2 % rate or h < 1:
        raise shape_error(f"GAM_Attention({c1}, {c2}) needs channels divisible by its 4 groups")
    linear = c1 * h + h + h * c1 + c1
    convs = (c1 // rate) * (c1 // rate) * 49 + c1 // rate + c2 * (c1 // rate // rate) * 49 + c2
    return linear + convs + 2 * h + 2 * c2


def _asffv5_head(xs: Sequence[T], nc: int, anchors: object, ch: Sequence[int], multiplier: float, rfb: bool,
                 inplace: bool, block: ConvFn, unused_gam: bool) -> list[T]:
    if len(xs) != 3:
        raise shape_error(f"ASFF fuses exactly 3 levels, 'from' lists {len(xs)}")
    if not inplace:
        raise shape_error("only the in-place decode (inplace=True, the default) is modelled")
    dims, compress = _asffv5_dims(multiplier), (8 if rfb else 16)
    if unused_gam:
        xs[0].trace.record(C.op(params=3 * gam_params(compress, compress)))
    weigh = (lambda y, c: block(y, c, 3, 1, 1))
    p5, p4, p3 = xs[2], xs[1], xs[0]
    fused = [asff_level(level, p5, p4, p3, dims, compress, block, weigh) for level in (2, 1, 0)]
    ys, na = detect_convs(fused, nc + 5, anchors, ch)
    return decode_inplace(ys, na, nc + 5)


@register("ASFF_Detect", channels="head", multi_input=True, torch=f"{HEADSX}:ASFF_Detect", source=TRICK,
          variant="asffv5")
def asff_detect(xs: Sequence[T], nc: int, anchors: object = (), ch: Sequence[int] = (), multiplier: float = 0.5,
                rfb: bool = False, inplace: bool = True) -> list[T]:
    """ASFFV5 levels (Conv blocks sized by multiplier: 1024m, 512m, 256m channels) on (P3, P4, P5),
    then per level Conv2d(ch_i, na*(nc+5), 1) with bias and the in-place decode."""
    return _asffv5_head(xs, nc, anchors, ch, multiplier, rfb, inplace, _yolo_conv, False)


@register("ASFF_Detect", channels="head", multi_input=True, torch=f"{HEADSX}:ASFF_Detect_gam", source=LMSD,
          variant="asffv5-unused-gam", default=False)
def asff_detect_gam(xs: Sequence[T], nc: int, anchors: object = (), ch: Sequence[int] = (), multiplier: float = 0.5,
                    rfb: bool = False, inplace: bool = True) -> list[T]:
    """As asffv5, each ASFF level also holding a GAM_Attention it never calls (parameters only)."""
    return _asffv5_head(xs, nc, anchors, ch, multiplier, rfb, inplace, _yolo_conv, True)


@register("ASFF_Detect", channels="head", multi_input=True, torch=f"{HEADSX}:ASFF_Detect_leaky", source=SMN,
          variant="asff-leaky-chained", default=False)
def asff_detect_leaky(xs: Sequence[T], nc: int, anchors: object = (), ch: Sequence[int] = (),
                      inplace: bool = True) -> list[T]:
    """Fixed ASFF sizes (512, 256, 128) with Conv-BN-LeakyReLU blocks and a plain 1x1 Conv2d
    (bias) for the weights; the levels are fused in turn, P5 first, each fusion reading the
    levels already replaced; then YOLOv5 v7.0's Detect."""
    if len(xs) != 3:
        raise shape_error(f"ASFF fuses exactly 3 levels, 'from' lists {len(xs)}")
    dims = [512, 256, 128]
    weigh = (lambda y, c: P.conv2d(y, c, 3, 1, 1, 0, bias=True))
    levels = list(xs[::-1])
    for level in range(3):
        levels[level] = asff_level(level, levels[0], levels[1], levels[2], dims, 16, _conv_bn_leaky, weigh)
    return detect_levels(levels[::-1], nc + 5, anchors, ch)


# ----------------------------------------------------------------------------- DWASFF_Detect (LMSD-YOLO)
def meta_acon_c(x: T, c: int, r: int = 16) -> T:
    """MetaAconC(c): beta = sigmoid(fc2(fc1(mean over H then W))); dpx = (p1 - p2) * x;
    dpx * sigmoid(beta * dpx) + p2 * x. Global context through the means."""
    h = max(r, c // r)
    g = S.mean(S.mean(x, "h"), "w")
    beta = P.activation(P.conv2d(P.conv2d(g, c, h, 1, 1, 0, bias=True), h, c, 1, 1, 0, bias=True), ACTS["Sigmoid"])
    x.trace.record(C.op(params=2 * c))                                   # p1, p2
    x.trace.record(weights_read(C.elementwise(c, 2 * c), 2 * c))         # p1 - p2
    dpx = S.broadcast(x, replace(x, shape=Shape(c, 1, 1)))               # (p1 - p2) * x
    gate = P.activation(S.broadcast(beta, dpx), ACTS["Sigmoid"])          # sigmoid(beta * dpx)
    a = S.broadcast(dpx, gate)
    x.trace.record(weights_read(C.elementwise(x.numel, x.numel + c), c))  # p2 * x
    return P.add(a, x)


def _ds_conv(x: T, c1: int, c2: int, k: int, s: int) -> T:
    """DSConv: depth-wise kxk Conv2d (no bias), point-wise 1x1 Conv2d with bias, BatchNorm2d
    (not folded by fuse()), MetaAconC."""
    y = P.conv2d(x, c1, c1, k, s, k // 2, g=c1)
    y = P.batchnorm(P.conv2d(y, c1, c2, 1, 1, 0, bias=True))
    return meta_acon_c(y, c2)


@register("DWASFF_Detect", channels="head", multi_input=True, torch=f"{HEADSX}:DWASFF_Detect", source=LMSD)
def dwasff_detect(xs: Sequence[T], nc: int, anchors: object = (), ch: Sequence[int] = (), multiplier: float = 0.5,
                  rfb: bool = False, inplace: bool = True) -> list[T]:
    """ASFF_Detect (LMSD-YOLO's, unused GAM included) with every ASFF block a DSConv."""
    return _asffv5_head(xs, nc, anchors, ch, multiplier, rfb, inplace, _ds_conv, True)
