"""MobileNetV3 blocks as YOLOv5 forks publish them: h_sigmoid, h_swish, SELayer,
conv_bn_hswish (the stem) and MobileNet_Block (the inverted residual)."""
from __future__ import annotations

from typing import Callable

from .. import primitives as P
from .. import shaping as S
from ..registry import register
from ..symbolic import ACTS, T, shape_error
from .sources import CUSTOM, MOBILENETV3


@register("h_sigmoid", torch=f"{CUSTOM}:h_sigmoid", source=MOBILENETV3)
def h_sigmoid(x: T, inplace: bool = True) -> T:
    """ReLU6(x + 3) / 6: three element-wise kernels, 4 FLOPs per element."""
    return S.scalar_op(P.activation(S.scalar_op(x), ACTS["ReLU6"]))


@register("h_swish", torch=f"{CUSTOM}:h_swish", source=MOBILENETV3)
def h_swish(x: T, inplace: bool = True) -> T:
    """x * h_sigmoid(x)."""
    return S.broadcast(x, h_sigmoid(x))


@register("SELayer", channels="keep", torch=f"{CUSTOM}:SELayer", source=MOBILENETV3, variant="mobilenetv3")
def se_layer(x: T, channel: int, reduction: int = 4) -> T:
    """Squeeze-excite of MobileNetV3: global average pool, Linear(c, c//r) + ReLU, Linear(c//r, c)
    + h_sigmoid, both Linear with bias, then the channel-wise product. The gate sees the whole
    image (global context)."""
    if x.c != channel:
        raise shape_error(f"SELayer({channel}) on {x.c} channels")
    y = S.adaptive_avgpool(x, 1)
    y = P.activation(S.linear(y, channel, channel // reduction), ACTS["ReLU"])
    y = h_sigmoid(S.linear(y, channel // reduction, channel))
    return S.broadcast(x, y)


@register("conv_bn_hswish", channels="conv", torch=f"{CUSTOM}:conv_bn_hswish", source=MOBILENETV3)
def conv_bn_hswish(x: T, c1: int, c2: int, stride: int) -> T:
    """MobileNetV3 stem: Conv2d 3x3 (no bias), BatchNorm2d, h_swish (not folded by model.fuse())."""
    return h_swish(P.batchnorm(P.conv2d(x, c1, c2, 3, stride, 1)))


def _act(x: T, use_hs: bool) -> T:
    return h_swish(x) if use_hs else P.activation(x, ACTS["ReLU"])


@register("MobileNet_Block", channels="conv", torch=f"{CUSTOM}:MobileNet_Block", source=MOBILENETV3)
def mobilenet_block(x: T, inp: int, oup: int, hidden_dim: int, kernel_size: int, stride: int,
                    use_se: bool, use_hs: bool) -> T:
    """MobileNetV3 inverted residual: (1x1 expand,) depth-wise kxk, optional SE, 1x1 project;
    residual when stride 1 and inp == oup."""
    def conv_bn(y: T, c1: int, c2: int, k: int, s: int, depthwise: bool) -> T:
        return P.batchnorm(P.conv2d(y, c1, c2, k, s, (k - 1) // 2, c1 if depthwise else 1))
    return inverted_residual(x, inp, oup, hidden_dim, kernel_size, stride, use_se, use_hs, conv_bn)


def inverted_residual(x: T, inp: int, oup: int, hidden_dim: int, kernel_size: int, stride: int, use_se: bool,
                      use_hs: bool, conv_bn: Callable[[T, int, int, int, int, bool], T]) -> T:
    """The MobileNetV3 layout, whatever convolution + BN a fork builds it from (conv_bn's last
    argument: whether it is the depth-wise one)."""
    y = x
    if inp != hidden_dim:
        y = _act(conv_bn(y, inp, hidden_dim, 1, 1, False), use_hs)
    y = conv_bn(y, hidden_dim, hidden_dim, kernel_size, stride, True)
    if inp == hidden_dim:
        y = _act(y, use_hs)
    if use_se:
        y = se_layer(y, hidden_dim)
    if inp != hidden_dim:
        y = _act(y, use_hs)
    y = conv_bn(y, hidden_dim, oup, 1, 1, False)
    return P.add(x, y) if stride == 1 and inp == oup else y
