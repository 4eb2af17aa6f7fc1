"""Spatial-pyramid variants YOLOv5 forks use in place of SPPF: SimSPPF (YOLOv6, ReLU convs),
ASPP (DeepLab's atrous pyramid with an image-level branch), RFB (RFBNet's receptive field
block) and FEM (an RFB variant with asymmetric convolutions). Their convolutions are plain Conv2d + BatchNorm2d (+ ReLU) modules, which YOLOv5's
fuse() leaves unfused."""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

from .. import conventions as C
from .. import primitives as P
from .. import shaping as S
from ..model import Shape
from ..registry import register
from ..symbolic import ACTS, T
from .cspx_sources import ASPP_SRC, CSPX_SPP, FEM_SRC, RFB_SRC, SIMSPPF_SRC
from .pool import kernels


def conv_bn(x: T, c1: int, c2: int, k=1, s=1, p=0, d=1, g: int = 1, relu: bool = True) -> T:
    """nn.Conv2d (no bias), nn.BatchNorm2d, optional ReLU: three kernels, never fused."""
    y = P.batchnorm(P.conv2d(x, c1, c2, k, s, p, g, d))
    return P.activation(y, ACTS["ReLU"]) if relu else y


@register("SimSPPF", channels="conv", torch=f"{CSPX_SPP}:SimSPPF", source=SIMSPPF_SRC)
def simsppf(x: T, c1: int, c2: int, k: int = 5) -> T:
    """SPPF with ReLU 'SimConv's: cv1 to c1 // 2, three chained k x k max-pools, concat, cv2."""
    (kk,) = kernels(k)
    h = c1 // 2
    y = conv_bn(x, c1, h, 1, 1, 0)
    y1 = P.maxpool(y, kk, 1, kk // 2)
    y2 = P.maxpool(y1, kk, 1, kk // 2)
    y3 = P.maxpool(y2, kk, 1, kk // 2)
    return conv_bn(P.concat([y, y1, y2, y3]), 4 * h, c2, 1, 1, 0)


def image_pool(x: T, c1: int, c2: int) -> T:
    """The image-level branch: global average pool, 1x1 Conv2d with bias, bilinear resize
    (F.interpolate: ultralytics-thop counts no function) back to H x W; global context."""
    y = P.conv2d(S.adaptive_avgpool(x, 1), c1, c2, 1, bias=True)
    out = replace(y, shape=Shape(c2, x.shape.h, x.shape.w), glob=True)
    x.trace.record(C.upsample(y.numel, out.numel, "bilinear", module=False))
    return out


@register("ASPP", channels="conv", torch=f"{CSPX_SPP}:ASPP", source=ASPP_SRC)
def aspp(x: T, c1: int = 512, c2: int = 256) -> T:
    """DeepLab ASPP: the image-level branch, a 1x1 and three 3x3 Conv2d with bias at dilation 6,
    12, 18 ('same' padding), concatenated, 1x1 Conv2d with bias to c2."""
    parts = [image_pool(x, c1, c2), P.conv2d(x, c1, c2, 1, bias=True)]
    parts += [P.conv2d(x, c1, c2, 3, 1, d, 1, d, bias=True) for d in (6, 12, 18)]
    return P.conv2d(P.concat(parts), 5 * c2, c2, 1, bias=True)


@register("RFB", channels="conv", torch=f"{CSPX_SPP}:RFB", source=RFB_SRC)
def rfb(x: T, c1: int, c2: int, stride: int = 1, scale: float = 0.1, map_reduce: int = 8, vision: int = 1,
        groups: int = 1) -> T:
    """RFBNet block: three branches (1x1, 3x3, then a dilated 3x3 at vision + 1, + 2, + 4; the
    last with an extra 3x3), concatenated, 1x1 ConvLinear, scaled by `scale` and added to a 1x1
    shortcut, ReLU."""
    i = c1 // map_reduce
    branches: list[T] = []
    for dil, extra in ((vision + 1, None), (vision + 2, None), (vision + 4, (i // 2) * 3)):
        y = conv_bn(x, c1, i, 1, 1, 0, g=groups, relu=False)
        y = _middle(y, i, extra, stride, groups)
        branches.append(conv_bn(y, 2 * i, 2 * i, 3, 1, dil, dil, groups, relu=False))
    y = conv_bn(P.concat(branches), 6 * i, c2, 1, 1, 0, relu=False)
    y = P.add(S.scalar_op(y), conv_bn(x, c1, c2, 1, stride, 0, relu=False))
    return P.activation(y, ACTS["ReLU"])


def _middle(y: T, i: int, extra: Optional[int], stride: int, groups: int) -> T:
    """RFB branch middle: a 3x3 to 2i at the branch stride, or (the third branch) a 3x3 to
    3 (i // 2) then a 3x3 to 2i at the stride."""
    if extra is None:
        return conv_bn(y, i, 2 * i, 3, stride, 1, g=groups)
    return conv_bn(conv_bn(y, i, extra, 3, 1, 1, g=groups), extra, 2 * i, 3, stride, 1, g=groups)


@register("FEM", channels="conv", torch=f"{CSPX_SPP}:FEM", source=FEM_SRC)
def fem(x: T, c1: int, c2: int, stride: int = 1, scale: float = 0.1, map_reduce: int = 8) -> T:
    """Feature enhancement module (an RFB variant): a 1x1 + 3x3 branch and two branches of 1x1,
    (1,3) and (3,1) convs in either order (each at the block stride) and a 3x3 at dilation 5;
    concatenated, 1x1 ConvLinear, scaled and added to a 1x1 shortcut, ReLU."""
    i = c1 // map_reduce
    m = (i // 2) * 3
    b0 = conv_bn(conv_bn(x, c1, 2 * i, 1, stride, 0), 2 * i, 2 * i, 3, 1, 1, relu=False)
    branches = [b0]
    for first, second in (((1, 3), (3, 1)), ((3, 1), (1, 3))):
        y = conv_bn(x, c1, i, 1, 1, 0)
        y = conv_bn(y, i, m, first, stride, (first[0] // 2, first[1] // 2))
        y = conv_bn(y, m, 2 * i, second, stride, (second[0] // 2, second[1] // 2))
        branches.append(conv_bn(y, 2 * i, 2 * i, 3, 1, 5, 5, relu=False))
    y = conv_bn(P.concat(branches), 6 * i, c2, 1, 1, 0, relu=False)
    y = P.add(S.scalar_op(y), conv_bn(x, c1, c2, 1, stride, 0, relu=False))
    return P.activation(y, ACTS["ReLU"])
