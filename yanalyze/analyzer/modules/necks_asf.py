"""SCAM, Zoom_cat and ScalSeq from IRSTD-yolov5 (FFCA-YOLO's spatial context-aware module and
ASF-YOLO's scale-sequence fusion), as its parse_model builds them:

- SCAM: c2 = the input's channels, args replaced by [c2] (whatever the row writes);
- Zoom_cat: c2 = the sum of its three inputs' channels, no args;
- ScalSeq: args = [[channels of its three inputs], width-scaled args[0]], c2 = that count.

SCAM weights a global context vector (values averaged by a softmax over positions) by a
spatial gate from the channel-softmaxed average and max descriptors: every output sees the
whole map. Zoom_cat pools the large map down (adaptive max + average, both functional) and
upsamples the small one (nearest). ScalSeq stacks P3 with projected, upsampled P4 and P5 as a
depth axis: a 1x1x1 Conv3d (bias), BatchNorm3d (which YOLOv5's fuse() leaves), LeakyReLU(0.1)
and a max over the three scales.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from .. import conventions as C
from .. import primitives as P
from .. import shaping as S
from ..channels import RuleContext
from ..errors import ConfigError
from ..model import Shape
from ..registry import Provenance, register
from ..symbolic import ACTS, Act, T, Trace, shape_error
from .conv import conv

IRSTD = "oYoYo-jio/IRSTD-yolov5@4c616816e419"
SCAM_SRC = Provenance(IRSTD, "models/common.py", "Zhang, Ye, Zhu, Liu, Guo, Yan, FFCA-YOLO for Small Object Detection "
                      "in Remote Sensing Images, IEEE TGRS 2024")
ASF = Provenance(IRSTD, "models/common.py", "Kang, Ting, Phan, Wong, ASF-YOLO: A Novel YOLO Model with Attentional "
                 "Scale Sequence Fusion for Cell Instance Segmentation, Image and Vision Computing 2024")
BLOCKS = "yanalyze.verify.necks_blocks_asf"
SIGMOID = ACTS["Sigmoid"]


def _input_channels(c1: int, args: list, ctx: RuleContext) -> tuple[list, int]:
    """SCAM: the input's channels as its only argument."""
    return [c1], c1


@register("SCAM", channels=_input_channels, torch=f"{BLOCKS}:SCAM", source=SCAM_SRC)
def scam(x: T, in_channels: int, reduction: int = 1) -> T:
    """k: Conv(c, 1); v: Conv(c, c); m: Conv2d(c, c) + SiLU without BN; m2: Conv(2, 1)."""
    c, h, w = in_channels, x.shape.h, x.shape.w
    if x.c != c:
        raise shape_error(f"SCAM({c}) on {x.c} channels")
    rec, n = x.trace.record, h * w
    g = replace(x, glob=True)
    avg = S.adaptive_avgpool(g, 1)
    rec(C.softmax(c))                                                   # .softmax(1)
    rec(C.maxpool(x.numel, c, n))                                       # AdaptiveMaxPool2d(1)
    rec(C.softmax(c))
    key = conv(g, c, 1, 1, 1)
    rec(C.softmax(n))                                                   # softmax over positions
    conv(g, c, c, 1, 1)                                                 # the value projection
    rec(C.matmul(c, n, c * n, n))                                       # context = v @ k
    rec(C.matmul(n, c, c, c * n))                                       # avg @ v
    rec(C.matmul(n, c, c, c * n))                                       # max @ v
    one = replace(key, shape=Shape(1, h, w))
    spatial = P.concat([one, one])
    ctx = T(Shape(c, 1, 1), avg.fh, avg.fw, True, x.trace)
    ctx = P.activation(P.conv2d(ctx, c, c, 1), Act("SiLU"))             # its own SiLU, not the default
    gate = P.activation(conv(spatial, 2, 1, 1, 1), SIGMOID)
    return P.add(g, S.broadcast(ctx, gate))


@register("Zoom_cat", channels="concat", multi_input=True, torch=f"{BLOCKS}:Zoom_cat", source=ASF)
def zoom_cat(xs: Sequence[T]) -> T:
    """cat(adaptive max + average pool of the large map, the medium map, the small map upsampled)."""
    if len(xs) != 3:
        raise shape_error(f"Zoom_cat takes 3 inputs, 'from' lists {len(xs)}")
    large, mid, small = xs
    (h, w), (lh, lw), (sh, sw) = (mid.shape.h, mid.shape.w), (large.shape.h, large.shape.w), (small.shape.h, small.shape.w)
    if lh % h or lw % w or lh // h != lw // w or h % sh or w % sw or h // sh != w // sw:
        raise shape_error(f"Zoom_cat sizes {lh}x{lw}, {h}x{w}, {sh}x{sw} are not modelled (equal integer ratios)")
    r = lh // h
    pooled = P.maxpool(large, r, r)                                     # F.adaptive_max_pool2d, exact windows
    scratch = Trace(large.trace.default_act, large.trace.exact)
    S.adaptive_avgpool(replace(large, trace=scratch), (h, w))
    large.trace.record(replace(scratch.cost, thop=0, thop_fused=0))     # F.adaptive_avg_pool2d: thop sees no module
    pooled = P.add(pooled, pooled)
    return P.concat([pooled, mid, P.upsample(small, h // sh)])


def _scalseq_channels(c1: int, args: list, ctx: RuleContext) -> tuple[list, int]:
    """[[channels of the three inputs], args[0] width-scaled]; the inputs' channels come from the
    row's 'from' and the channels of the layers so far."""
    row, seen = getattr(ctx, "row", None), getattr(ctx, "ch", ())
    if row is None or not seen or not args or not isinstance(args[0], (int, float)) or isinstance(args[0], bool):
        raise ConfigError("ScalSeq needs its channel count and three inputs", code="parse/args")
    src = row.src_from if isinstance(row.src_from, list) else [row.src_from]
    inc = [seen[(f if f >= 0 else row.index + f) + 1] for f in src]
    c2 = ctx.scale(args[0])
    return [inc, c2], c2


@register("ScalSeq", channels=_scalseq_channels, multi_input=True, torch=f"{BLOCKS}:ScalSeq", source=ASF)
def scal_seq(xs: Sequence[T], inc: list, channel: int) -> T:
    """Conv(inc[1], ch) and Conv(inc[2], ch) upsampled to P3; with P3 a 3-deep stack; Conv3d 1x1x1,
    BatchNorm3d, LeakyReLU(0.1), max over the depth."""
    if len(xs) != 3 or [x.c for x in xs] != list(inc):
        raise shape_error(f"ScalSeq({inc}, {channel}) on inputs of {[x.c for x in xs]} channels")
    p3, p4, p5 = xs
    if p3.c != channel:
        raise shape_error(f"ScalSeq stacks P3 ({p3.c} channels) with {channel}-channel maps")
    h, w = p3.shape.h, p3.shape.w
    ups = []
    for x, c in ((p4, inc[1]), (p5, inc[2])):
        y = conv(x, c, channel, 1)
        if h % y.shape.h or w % y.shape.w or h // y.shape.h != w // y.shape.w:
            raise shape_error(f"ScalSeq upsampling {y.shape.h}x{y.shape.w} to {h}x{w} is not modelled")
        ups.append(P.upsample(y, h // y.shape.h))
    stack = P.concat([p3, *ups])                                        # (ch, 3, h, w) as 3*ch maps
    y = P.conv2d(replace(stack, shape=Shape(channel, 3 * h, w)), channel, channel, 1, bias=True)
    y = P.activation(P.batchnorm(y), ACTS["LeakyReLU"])
    y = replace(y, shape=Shape(3 * channel, h, w))
    y.trace.record(C.maxpool(y.numel, channel * h * w, 3))              # MaxPool3d((3, 1, 1))
    return T(Shape(channel, h, w), y.fh, y.fw, y.glob, y.trace)
