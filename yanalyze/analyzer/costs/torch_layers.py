"""torch.nn layers written directly in a YAML, with torch's own constructor arguments."""
from __future__ import annotations

from dataclasses import replace
from math import gcd
from typing import Optional

from ..model import Shape
from . import primitives as P
from . import shaping as S
from .conv import autopad, conv
from .primitives import ACTS, T
from .registry import register
from .transformer import linear


def _padding(padding, k, d) -> P.IntPair:
    """torch padding: an int/pair, 'valid' (0) or 'same' (odd effective kernels only)."""
    if padding == "valid":
        return 0
    if padding == "same":
        (kh, kw), (dh, dw) = P.pair(k), P.pair(d)
        if (dh * (kh - 1)) % 2 or (dw * (kw - 1)) % 2:
            raise P.shape_error("padding='same' with an even effective kernel is asymmetric; not supported")
        return dh * (kh - 1) // 2, dw * (kw - 1) // 2
    return padding


@register("nn.Conv2d", channels="torch", out_channels=lambda a: a[1])
def conv2d(x: T, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
           groups: int = 1, bias: bool = True, padding_mode: str = "zeros") -> T:
    """torch.nn.Conv2d as written (groups, dilation and bias exact)."""
    if padding_mode != "zeros":
        raise P.shape_error(f"padding_mode={padding_mode!r} is not supported (zeros is)")
    return P.conv2d(x, in_channels, out_channels, kernel_size, stride, _padding(padding, kernel_size, dilation),
                    groups, dilation, bool(bias))


@register("nn.ConvTranspose2d", channels="conv")
def conv_transpose2d(x: T, c1: int, c2: int, kernel_size, stride=1, padding=0, output_padding=0,
                     groups: int = 1, bias: bool = True, dilation=1) -> T:
    """torch.nn.ConvTranspose2d; conv-like in YOLOv5's parser (c1 inserted, c2 width-scaled)."""
    return S.conv_transpose2d(x, c1, c2, kernel_size, stride, padding, output_padding, groups, bool(bias), dilation)


@register("DWConvTranspose2d", channels="conv")
def dwconv_transpose2d(x: T, c1: int, c2: int, k=1, s=1, p1=0, p2=0) -> T:
    """Depth-wise transposed conv of YOLOv5: groups = gcd(c1, c2), with bias."""
    return S.conv_transpose2d(x, c1, c2, k, s, p1, p2, gcd(c1, c2), True)


@register("nn.AvgPool2d")
def avgpool2d(x: T, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
              count_include_pad: bool = True, divisor_override: Optional[int] = None) -> T:
    if ceil_mode or divisor_override is not None:
        raise P.shape_error("AvgPool2d with ceil_mode or divisor_override is not supported")
    return S.avgpool(x, kernel_size, kernel_size if stride is None else stride, padding, count_include_pad)


@register("nn.AdaptiveAvgPool2d")
def adaptive_avgpool2d(x: T, output_size=1) -> T:
    return S.adaptive_avgpool(x, output_size)


@register("nn.Identity")
def identity(x: T, *args) -> T:
    return x


@register("nn.Dropout")
def dropout(x: T, p: float = 0.5, inplace: bool = False) -> T:
    """Training-only noise: nothing at inference."""
    return x


@register("nn.Linear", channels="torch", out_channels=lambda a: 1)
def linear_last_dim(x: T, in_features: int, out_features: int, bias: bool = True) -> T:
    """torch.nn.Linear on a 4-D map acts on the last dimension (W): every output mixes the row."""
    if x.shape.w != in_features:
        raise P.shape_error(f"Linear({in_features}, {out_features}) on a map of width {x.shape.w}: torch "
                            "applies Linear to the last dimension")
    as_tokens = replace(x, shape=Shape(in_features, x.c, x.shape.h))
    y = linear(as_tokens, in_features, out_features, bool(bias))
    return replace(y, shape=Shape(x.c, x.shape.h, out_features), glob=True)


def _activation(name: str):
    def build(x: T, *args, **kwargs) -> T:
        return P.activation(x, ACTS[name])
    build.__doc__ = f"torch.nn.{name}: element-wise, no parameters; thop counts 0."
    return build


for _name in ("ReLU", "ReLU6", "SiLU", "LeakyReLU", "Hardswish", "Hardsigmoid", "Sigmoid", "Tanh", "GELU",
              "Mish", "ELU"):
    register(f"nn.{_name}")(_activation(_name))


@register("Classify", channels="prepend", out_channels=lambda a: a[1])
def classify(x: T, c1: int, c2: int, k=1, s=1, p=None, g: int = 1, dropout_p: float = 0.0) -> T:
    """YOLOv5 classification head: Conv to 1280, global average pool, dropout, Linear to c2."""
    y = S.adaptive_avgpool(conv(x, c1, 1280, k, s, autopad(k, p), g), 1)
    return linear(y, 1280, c2, True)
