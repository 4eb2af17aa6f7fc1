"""Re-parameterisable (RepVGG-style) blocks that YOLOv5 forks publish: YOLOv5-Lite's RepVGGBlock and
YOLOv7's RepConv (SiLU and LeakyReLU definitions).

At training time such a block sums a k x k conv+BN, a 1x1 conv+BN and (when the shape is kept)
a BN of the input; the forks' model.fuse() re-parameterises it into one biased k x k conv. The
fused columns follow that: `reparameterized` runs the training form for the unfused counts and
the deployed form for the fused ones, each priced by analyzer.conventions through the primitives.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from .. import primitives as P
from .. import shaping as S
from ..cost import Cost
from ..registry import Provenance, register
from ..symbolic import ACTS, IDENTITY, Act, T, Trace, shape_error
from .backbone_misc import unseen_by_thop
from .sources import YOLOAIR_AT

REPVGG = "Ding et al., RepVGG: Making VGG-style ConvNets Great Again, CVPR 2021"
YOLOV7 = ("Wang, Bochkovskiy, Liao, YOLOv7: Trainable bag-of-freebies sets new state-of-the-art for real-time "
          "object detectors, CVPR 2023 (RepConv after " + REPVGG + ")")
LITE = Provenance("ppogg/YOLOv5-Lite@9d649a64f829", "models/common.py", REPVGG)
YOLOAIR_V7 = Provenance(YOLOAIR_AT, "models/Models/yolovii.py", YOLOV7)
RESEARCH = Provenance("positive666/yolo_research@f5795f27a56c", "models/common.py", YOLOV7)
BLOCKS = "yanalyze.verify.repvgg_blocks"
SILU = ACTS["SiLU"]


def reparameterized(x: T, training: Callable[[T], T], deployed: Callable[[T], T]) -> T:
    """A block whose model.fuse() swaps its branches for one conv: unfused counts from the
    training form, fused counts (params, thop, memory) from the deployed form."""
    a, b = Trace(x.trace.default_act, x.trace.exact), Trace(x.trace.default_act, x.trace.exact)
    y = training(replace(x, trace=a))
    deployed(replace(x, trace=b))
    ca, cb = a.cost, b.cost
    x.trace.record(Cost(params=ca.params, params_fused=cb.params_fused, thop=ca.thop, thop_fused=cb.thop_fused,
                        macs=ca.macs, flops=ca.flops, act=ca.act, weights=ca.weights, act_fused=cb.act_fused,
                        weights_fused=cb.weights_fused))
    x.trace.notes.extend(a.notes)
    return replace(y, trace=x.trace)


def three_branch(x: T, c1: int, c2: int, k: int, s: int, p: int, g: int) -> T:
    """k x k conv + BN, 1x1 conv + BN (padding p - k//2) and, when c1 == c2 and s == 1, a BN of
    the input, summed; without the identity branch the forks add a literal 0 (one more kernel)."""
    if p - k // 2 < 0:
        raise shape_error(f"padding {p} with kernel {k} leaves the 1x1 branch a negative padding")
    dense = P.batchnorm(P.conv2d(x, c1, c2, k, s, p, g))
    point = P.batchnorm(P.conv2d(x, c1, c2, 1, s, p - k // 2, g))
    if (dense.shape.h, dense.shape.w) != (point.shape.h, point.shape.w):
        raise shape_error(f"the {k}x{k} and 1x1 branches differ in size with padding {p}")
    total = P.add(dense, point)
    if c1 == c2 and s == 1:
        return P.add(total, P.batchnorm(x))
    return S.scalar_op(total)


def se_block(x: T) -> T:
    """RepVGG's SE: F.avg_pool2d with a W x W window (unseen by thop), biased 1x1 to c//16, ReLU,
    biased 1x1 back, sigmoid, channel gate (square maps only: the forks view the pooled map as
    one value per channel)."""
    c, h, w = x.c, x.shape.h, x.shape.w
    if h != w:
        raise shape_error(f"RepVGGBlock's SE pools a {w}x{w} window, so it needs a square map, got {h}x{w}")
    if c // 16 < 1:
        raise shape_error(f"RepVGGBlock's SE needs at least 16 channels, got {c}")
    g = unseen_by_thop(S.avgpool, x, w, w)
    g = P.conv2d(P.activation(P.conv2d(g, c, c // 16, 1, bias=True), ACTS["ReLU"]), c // 16, c, 1, bias=True)
    return S.broadcast(x, P.activation(g, ACTS["Sigmoid"]))


@register("RepVGGBlock", channels="conv", torch=f"{BLOCKS}:RepVGGBlock", source=LITE)
def repvgg_block(x: T, in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1,
                 padding: int = 1, dilation: int = 1, groups: int = 1, padding_mode: str = "zeros",
                 deploy: bool = False, use_se: bool = False) -> T:
    """SiLU(SE?(k x k conv+BN + 1x1 conv+BN + identity BN)); deploy: one biased k x k conv
    (dilation only there). YOLOv5-Lite's fuse() keeps only the re-parameterised conv and SiLU
    (it drops the SE), so the fused columns do too."""
    if padding_mode != "zeros":
        raise shape_error(f"only zero padding is modelled, got padding_mode={padding_mode!r}")
    c1, c2, k, s, p = in_channels, out_channels, kernel_size, stride, padding

    def fused(t: T) -> T:
        return P.activation(P.conv2d(t, c1, c2, k, s, p, groups, dilation, bias=True), SILU, folded=True)

    if deploy:
        y = P.conv2d(x, c1, c2, k, s, p, groups, dilation, bias=True)
        return P.activation(se_block(y) if use_se else y, SILU)

    def training(t: T) -> T:
        y = three_branch(t, c1, c2, k, s, p, groups)
        return P.activation(se_block(y) if use_se else y, SILU)

    return reparameterized(x, training, fused)


def repconv(x: T, c1: int, c2: int, k: int, s: int, p, g: int, act: object, deploy: bool, true_act: Act) -> T:
    if k != 3 or (p is not None and p != 1):
        raise shape_error(f"RepConv needs k=3 with padding 1 (the forks assert it), got k={k}, p={p}")
    if act is True:
        a = true_act
    elif isinstance(act, Act):
        a = act
    elif act is False or act is None:
        a = IDENTITY
    else:
        raise shape_error(f"act must be True, False or an activation, got {act!r}")

    def fused(t: T) -> T:
        return P.activation(P.conv2d(t, c1, c2, 3, s, 1, g, bias=True), a, folded=True)

    if deploy:
        return P.activation(P.conv2d(x, c1, c2, 3, s, 1, g, bias=True), a)
    return reparameterized(x, lambda t: P.activation(three_branch(t, c1, c2, 3, s, 1, g), a), fused)


@register("RepConv", channels="conv", torch=f"{BLOCKS}:RepConv", source=YOLOAIR_V7, variant="silu")
def repconv_silu(x: T, c1: int, c2: int, k: int = 3, s: int = 1, p=None, g: int = 1, act=True,
                 deploy: bool = False) -> T:
    """YOLOv7's RepConv: act(3x3 conv+BN + 1x1 conv+BN + identity BN), act=True meaning SiLU (not
    the config's default activation); deploy: one biased 3x3 conv."""
    return repconv(x, c1, c2, k, s, p, g, act, deploy, SILU)


@register("RepConv", channels="conv", torch=f"{BLOCKS}:RepConv_leaky", source=RESEARCH, variant="leaky",
          default=False)
def repconv_leaky(x: T, c1: int, c2: int, k: int = 3, s: int = 1, p=None, g: int = 1, act=True,
                  deploy: bool = False) -> T:
    """The same RepConv with act=True meaning LeakyReLU(0.1)."""
    return repconv(x, c1, c2, k, s, p, g, act, deploy, ACTS["LeakyReLU"])


# ----------------------------------------------------------------------------- YOLOv6's RepVGG block
YOLOV6 = ("Li et al., YOLOv6: A Single-Stage Object Detection Framework for Industrial Applications, arXiv "
          "2209.02976 (2022), after " + REPVGG)
YOLOAIR_V6 = Provenance(YOLOAIR_AT, "models/Models/yolov4.py", YOLOV6)


def repvgg_v6(x: T, c1: int, c2: int, k: int = 3, s: int = 1, p: int = 1, d: int = 1, g: int = 1,
              padding_mode: str = "zeros", deploy: bool = False, use_se: bool = False) -> T:
    if k != 3 or p != 1:
        raise shape_error(f"RepVGGBlockv6 needs kernel 3 and padding 1 (the fork asserts it), got {k}, {p}")
    if use_se:
        raise shape_error("RepVGGBlockv6 with use_se: the fork raises NotImplementedError")
    if padding_mode != "zeros":
        raise shape_error(f"only zero padding is modelled, got padding_mode={padding_mode!r}")
    if deploy:
        return P.activation(P.conv2d(x, c1, c2, 3, s, 1, g, d, bias=True), ACTS["ReLU"])
    return P.activation(three_branch(x, c1, c2, 3, s, 1, g), ACTS["ReLU"])


@register("RepVGGBlockv6", channels="conv", torch=f"{BLOCKS}:RepVGGBlockv6", source=YOLOAIR_V6)
def repvgg_block_v6(x: T, in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1,
                    padding: int = 1, dilation: int = 1, groups: int = 1, padding_mode: str = "zeros",
                    deploy: bool = False, use_se: bool = False) -> T:
    """YOLOv6's RepVGG block: ReLU(3x3 conv+BN + 1x1 conv+BN + identity BN); deploy: one biased 3x3
    conv. yoloair's fuse() leaves it as it is, so its batch norms stay in the fused columns."""
    return repvgg_v6(x, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, padding_mode,
                     deploy, use_se)


@register("RepBlock", channels="conv", torch=f"{BLOCKS}:RepBlock", source=YOLOAIR_V6)
def rep_block(x: T, in_channels: int, out_channels: int, n: int = 1) -> T:
    """YOLOv6's stage: RepVGGBlockv6(in, out), then n - 1 RepVGGBlockv6(out, out). yoloair's
    parse_model gives it the conv rule without the repeat count, so a row's number builds that many
    RepBlocks in sequence, each with n = 1 unless the args say otherwise."""
    x = repvgg_v6(x, in_channels, out_channels)
    for _ in range(n - 1):
        x = repvgg_v6(x, out_channels, out_channels)
    return x
