"""MobileNet-style blocks as YOLOv5 forks publish them: TP-Thread's MobileNetV3 (the MobileNet_Block
cost model under its fork's name), LMSD-YOLO's InvertedResidual and Conv3BN, the MobileNetV2
inverted residual under two names, and YOLOv5-Lite's DWConvblock, CBH and ADD."""
from __future__ import annotations

from math import gcd
from typing import Sequence

from .. import primitives as P
from ..registry import register
from ..symbolic import ACTS, T, shape_error
from . import backbone_sources as src
from .conv import conv
from .mobilenet import conv_bn_hswish, inverted_residual, mobilenet_block
from .sources import CUSTOM

register("MobileNetV3", channels="conv", torch=f"{CUSTOM}:MobileNet_Block", source=src.TP_MOBILENETV3,
         variant="mobilenetv3")(mobilenet_block)
register("Conv3BN", channels="conv", torch=f"{CUSTOM}:conv_bn_hswish", source=src.LMSD_MOBILE)(conv_bn_hswish)

RELU6 = ACTS["ReLU6"]


def lmsd_conv(x: T, c1: int, c2: int, k: int, s: int) -> T:
    """LMSD-YOLO's DWConv(c1, c2, k, s, act=(k - 1) // 2): a Conv with groups gcd(c1, c2), padding
    k // 2 and, the int passed as act being neither True nor a module, no activation; the block
    puts a BatchNorm2d of its own after it."""
    return P.batchnorm(conv(x, c1, c2, k, s, None, gcd(c1, c2), 1, False))


@register("InvertedResidual", channels="conv", torch=f"{src.BLOCKS}:InvertedResidual",
          source=src.LMSD_MOBILE, variant="mobilenetv3")
def inverted_residual_v3(x: T, inp: int, oup: int, hidden_dim: int, kernel_size: int, stride: int,
                         use_se: bool, use_hs: bool) -> T:
    """LMSD-YOLO's MobileNetV3 block: MobileNet_Block's layout, but every convolution is a DWConv
    (grouped by gcd of its channels, so the 1x1 ones are grouped too; its own BN, no activation)
    followed by a second BatchNorm2d; residual when stride 1 and inp == oup."""
    if stride not in (1, 2):
        raise shape_error(f"InvertedResidual stride must be 1 or 2, got {stride!r}")
    return inverted_residual(x, inp, oup, hidden_dim, kernel_size, stride, use_se, use_hs,
                             lambda y, c1, c2, k, s, _depthwise: lmsd_conv(y, c1, c2, k, s))


def conv_bn_relu6(x: T, c1: int, c2: int, k: int = 3, s: int = 1, g: int = 1) -> T:
    """nn.Sequential of Conv2d (no bias, padding (k-1)//2), BatchNorm2d, ReLU6 (not folded by fuse())."""
    return P.activation(P.batchnorm(P.conv2d(x, c1, c2, k, s, (k - 1) // 2, g)), RELU6)


@register("InvertedResidual", channels="conv", torch=f"{src.BLOCKS}:InvertedResidualV2",
          source=src.MLCA_V2, variant="mobilenetv2", default=False)
def inverted_residual_v2(x: T, inp: int, oup: int, stride: int, expand_ratio: float) -> T:
    """MobileNetV2 block (torchvision layout): 1x1 expand to round(inp * t) unless t == 1,
    depth-wise 3x3, linear 1x1 projection; residual when stride 1 and inp == oup."""
    if stride not in (1, 2):
        raise shape_error(f"InvertedResidual stride must be 1 or 2, got {stride!r}")
    hidden = int(round(inp * expand_ratio))
    y = conv_bn_relu6(x, inp, hidden, 1) if expand_ratio != 1 else x
    y = conv_bn_relu6(y, hidden, hidden, 3, stride, hidden)
    y = P.batchnorm(P.conv2d(y, hidden, oup, 1))
    return P.add(x, y) if stride == 1 and inp == oup else y


@register("MobileNetV2Block", channels="conv", torch=f"{src.BLOCKS}:MobileNetV2Block", source=src.SHWD_V2)
def mobilenetv2_block(x: T, c1: int, c2: int, s: int = 1, expand: int = 6) -> T:
    """MobileNetV2 block on YOLOv5 Convs with ReLU6 (folded by fuse()): 1x1 Conv to int(c1 * t)
    unless t == 1, depth-wise 3x3 Conv, plain 1x1 Conv2d + BatchNorm2d; residual when s == 1 and
    c1 == c2."""
    h = int(c1 * expand)
    y = conv(x, c1, h, 1, 1, None, 1, 1, RELU6) if expand != 1 else x
    y = conv(y, h, h, 3, s, None, h, 1, RELU6)
    y = P.batchnorm(P.conv2d(y, h, c2, 1))
    return P.add(x, y) if s == 1 and c1 == c2 else y


@register("DWConvblock", channels="conv", torch=f"{src.BLOCKS}:DWConvblock", source=src.LITE_DW)
def dwconv_block(x: T, in_channels: int, out_channels: int, k: int, s: int) -> T:
    """Depth-wise k x k Conv2d (stride s, padding k//2) + BN + ReLU, then 1x1 Conv2d + BN + ReLU."""
    relu = ACTS["ReLU"]
    y = P.activation(P.batchnorm(P.conv2d(x, in_channels, in_channels, k, s, k // 2, in_channels)), relu)
    return P.activation(P.batchnorm(P.conv2d(y, in_channels, out_channels, 1)), relu)


@register("CBH", channels="conv", torch=f"{src.BLOCKS}:CBH", source=src.LITE_LCNET)
def cbh(x: T, num_channels: int, num_filters: int, filter_size: int, stride: int, num_groups: int = 1) -> T:
    """PP-LCNet's conv unit: Conv2d (no bias, padding (k-1)//2, groups) + BN + Hardswish; YOLOv5-Lite's
    fuse() folds its BN."""
    return P.conv_bn_act(x, num_channels, num_filters, filter_size, stride, (filter_size - 1) // 2, num_groups,
                         1, ACTS["Hardswish"])


@register("ADD", channels="same", multi_input=True, torch=f"{src.BLOCKS}:ADD", source=src.LITE_ADD)
def add(xs: Sequence[T], alpha: float = 0.5) -> T:
    """torch.add(x[0], x[1], alpha=a): one element-wise kernel on the first two inputs (YOLOv5-Lite's
    parser gives it half the summed input channels, which is the channel count of either)."""
    if len(xs) < 2:
        raise shape_error(f"ADD adds two inputs, got {len(xs)}")
    return P.add(xs[0], xs[1])

