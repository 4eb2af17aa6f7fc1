"""Coordinate attention (CA, CoordAtt) and efficient multi-scale attention (EMA) as YOLOv5 forks
publish them. Both pool whole rows and columns of the map (strip pools): every output sees a
whole row and a whole column, marked as global context."""
from __future__ import annotations

from .. import primitives as P
from .. import shaping as S
from ..channels import RuleContext
from ..cost import Cost
from ..errors import ConfigError
from ..model import Shape
from ..registry import Provenance, register
from ..symbolic import ACTS, T, Trace, shape_error
from . import attention_ops as O
from .mobilenet import h_swish
from .sources import YOLOAIR_AT

BLOCKS = "yanalyze.verify.attention_blocks_coord"
CA_PAPER = "Hou et al., Coordinate Attention for Efficient Mobile Network Design, CVPR 2021"
CA_MODULE_POOLS = Provenance("object9detection/RFENet@f405a2b00ee7", "models/common.py", CA_PAPER)
CA_INLINE_POOLS = Provenance(YOLOAIR_AT, "models/Models/research.py", CA_PAPER)
CA_HARDSWISH = Provenance("RethinkingCoding/SMN-YOLOv5s@704b81b146e6", "models/common.py", CA_PAPER)
COORDATT = Provenance("StarPlatinum7/yolov5-7.0@f1642197deb4", "models/common.py", CA_PAPER)
COORDATT_INLINE = Provenance("positive666/yolo_research@f5795f27a56c", "models/common.py", CA_PAPER)
EMA_PAPER = ("Ouyang et al., Efficient Multi-Scale Attention Module with Cross-Spatial Learning, "
             "ICASSP 2023")
EMA_SRC = Provenance("Liudongyun-max/yolov5-7.0-weed-detect@d522e84f716f", "models/common.py", EMA_PAPER)
EMA_C1C2 = Provenance("hduwujing/YOLOv5s_final@bb27eeb8a175", "models/common.py", EMA_PAPER)

SIGMOID = ACTS["Sigmoid"]


def coord_att(x: T, inp: int, oup: int, reduction: int, bias: bool = True, hardswish: bool = False,
              pools_counted: bool = True) -> T:
    """Strip pools (C, H, 1) and (C, W, 1) concatenated, 1x1 conv to mip = max(8, inp // r),
    BatchNorm, h_swish (the MobileNetV3 module, or nn.Hardswish), split, a 1x1 conv to oup and
    a Sigmoid per strip; the input times both gates. pools_counted: the pools are modules
    (a block that builds them in forward hides them from thop)."""
    if x.c != inp or oup != inp:
        raise shape_error(f"coordinate attention({inp}, {oup}) on {x.c} channels: it multiplies its input "
                          f"by {oup}-channel gates")
    h, w = x.shape.h, x.shape.w
    xh, xw = O.strip_pools(x, pools_counted)
    mip = max(8, inp // reduction)
    y = P.batchnorm(P.conv2d(O.cat_rows([xh, O.transposed(xw)]), inp, mip, 1, bias=bias))
    y = P.activation(y, ACTS["Hardswish"]) if hardswish else h_swish(y)
    yh, yw = O.rows(y, [h, w])
    ah = P.activation(P.conv2d(yh, mip, oup, 1, bias=bias), SIGMOID)
    aw = P.activation(P.conv2d(O.transposed(yw), mip, oup, 1, bias=bias), SIGMOID)
    return S.broadcast(S.broadcast(x, aw), ah)


@register("CA", channels="conv", torch=f"{BLOCKS}:CA", source=CA_MODULE_POOLS, variant="coordatt")
def ca(x: T, inp: int, oup: int, reduction: int = 32) -> T:
    """Hou et al.'s coordinate attention: convs with bias, h_swish, pools as modules."""
    return coord_att(x, inp, oup, reduction)


@register("CA", channels="conv", torch=f"{BLOCKS}:CAInlinePools", source=CA_INLINE_POOLS,
          variant="inline-pools", default=False)
def ca_inline_pools(x: T, inp: int, oup: int, reduction: int = 32) -> T:
    """The same block with its strip pools built inside forward (thop does not count them)."""
    return coord_att(x, inp, oup, reduction, pools_counted=False)


@register("CA", channels="conv", torch=f"{BLOCKS}:CAHardswish", source=CA_HARDSWISH,
          variant="hardswish-nobias", default=False)
def ca_hardswish(x: T, inp: int, oup: int, reduction: int = 32) -> T:
    """Convs without bias, nn.Hardswish, pools built inside forward (thop does not count them)."""
    return coord_att(x, inp, oup, reduction, bias=False, hardswish=True, pools_counted=False)


@register("CoordAtt", channels="conv", torch=f"{BLOCKS}:CA", source=COORDATT, variant="coordatt")
def coordatt(x: T, inp: int, oup: int, reduction: int = 32) -> T:
    """Hou et al.'s coordinate attention: convs with bias, h_swish, pools as modules."""
    return coord_att(x, inp, oup, reduction)


@register("CoordAtt", channels="conv", torch=f"{BLOCKS}:CAInlinePools", source=COORDATT_INLINE,
          variant="inline-pools", default=False)
def coordatt_inline_pools(x: T, inp: int, oup: int, reduction: int = 32) -> T:
    """The same block with its strip pools built inside forward (thop does not count them)."""
    return coord_att(x, inp, oup, reduction, pools_counted=False)


def batched(x: T, groups: int, per_group) -> T:
    """A block that reshapes (C, H, W) to a batch of `groups` maps of C // groups channels and
    runs the same modules on each: every count but the parameters (and the weights read, once
    per kernel) is the per-group count times the number of groups."""
    if groups < 1 or x.c % groups:
        raise shape_error(f"{x.c} channels do not split into {groups} groups")
    scratch = Trace(x.trace.default_act, x.trace.exact)
    y = per_group(T(Shape(x.c // groups, x.shape.h, x.shape.w), x.fh, x.fw, x.glob, scratch))
    c = scratch.cost
    x.trace.record(Cost(c.params, c.params_fused, groups * c.thop, groups * c.thop_fused, groups * c.macs,
                        groups * c.flops, groups * c.act, c.weights, groups * c.act_fused, c.weights_fused))
    return T(Shape(y.c * groups, y.shape.h, y.shape.w), y.fh, y.fw, y.glob, x.trace)


def ema_group(x: T) -> T:
    """EMA on one group of cg channels: strip pools, shared 1x1 conv, Sigmoid gates, GroupNorm
    (x1); a 3x3 conv (x2); each branch's softmaxed global average weights the other branch over
    all positions (two matrix products), summed, Sigmoid, product."""
    cg, h, w = x.c, x.shape.h, x.shape.w
    xh, xw = O.strip_pools(x)
    hw = P.conv2d(O.cat_rows([xh, O.transposed(xw)]), cg, cg, 1, bias=True)
    a, b = O.rows(hw, [h, w])
    x1 = S.broadcast(x, P.activation(a, SIGMOID))
    x1 = P.group_norm(S.broadcast(x1, P.activation(O.transposed(b), SIGMOID)), cg)
    x2 = P.conv2d(x, cg, cg, 3, 1, 1, bias=True)
    terms = [O.matmul_row(O.softmax_row(S.adaptive_avgpool(pooled, 1)), other) for pooled, other in
             ((x1, x2), (x2, x1))]
    return S.broadcast(x, P.activation(P.add(terms[0], terms[1]), SIGMOID))


@register("EMA", channels="conv", torch=f"{BLOCKS}:EMAC1C2", source=EMA_C1C2, variant="c1-c2")
def ema_c1c2(x: T, channels: int, out: int, factor: int = 8) -> T:
    """Efficient multi-scale attention over `factor` channel groups, with a Conv-like
    constructor (channels, out, factor); out is unused."""
    if x.c != channels or out != channels:
        raise shape_error(f"EMA({channels}, {out}) on {x.c} channels: it keeps its input's channels")
    return batched(x, factor, ema_group)


def _prepend_rule(c1: int, args: list, ctx: RuleContext) -> tuple[list, int]:
    """The input channels put before the row's args (the factor); a row whose first value
    cannot be a group count of the input (a channel count) is the c1-c2 definition's."""
    if args and (isinstance(args[0], bool) or not isinstance(args[0], int) or args[0] < 1 or c1 % args[0]):
        raise ConfigError(f"EMA({c1}, factor={args[0]!r}): not a group count of {c1} channels", code="parse/args")
    return [c1, *args], c1


@register("EMA", channels=_prepend_rule, torch=f"{BLOCKS}:EMA", source=EMA_SRC, variant="channels-factor",
          default=False)
def ema(x: T, channels: int, factor: int = 8) -> T:
    """The same block whose fork's parser puts the input channels before the row's args (the
    group count)."""
    if x.c != channels:
        raise shape_error(f"EMA({channels}) on {x.c} channels")
    return batched(x, factor, ema_group)
