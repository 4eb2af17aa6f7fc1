"""torch.nn layers written directly in a YAML, with torch's own constructor arguments, and
YOLOv5's depth-wise transposed convolution."""
from __future__ import annotations

from dataclasses import replace
from math import gcd
from typing import Optional

from .. import primitives as P
from .. import shaping as S
from ..model import Shape
from ..registry import register
from ..symbolic import ACTS, IntPair, T, pair, shape_error
from .sources import BLOCKS, COMMON, TORCH


def _padding(padding, k, d) -> IntPair:
    """torch padding: an int/pair, 'valid' (0) or 'same' (odd effective kernels only)."""
    if padding == "valid":
        return 0
    if padding == "same":
        (kh, kw), (dh, dw) = pair(k), pair(d)
        if (dh * (kh - 1)) % 2 or (dw * (kw - 1)) % 2:
            raise shape_error("padding='same' with an even effective kernel is asymmetric; not supported")
        return dh * (kh - 1) // 2, dw * (kw - 1) // 2
    return padding


@register("nn.Conv2d", channels="torch", out_channels=lambda c1, a: a[1], torch="torch.nn:Conv2d", source=TORCH)
def conv2d(x: T, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
           groups: int = 1, bias: bool = True, padding_mode: str = "zeros") -> T:
    """torch.nn.Conv2d as written (groups, dilation and bias exact)."""
    if padding_mode != "zeros":
        raise shape_error(f"padding_mode={padding_mode!r} is not supported (zeros is)")
    return P.conv2d(x, in_channels, out_channels, kernel_size, stride, _padding(padding, kernel_size, dilation),
                    groups, dilation, bool(bias))


@register("nn.ConvTranspose2d", channels="conv", torch="torch.nn:ConvTranspose2d", source=TORCH)
def conv_transpose2d(x: T, c1: int, c2: int, kernel_size, stride=1, padding=0, output_padding=0,
                     groups: int = 1, bias: bool = True, dilation=1) -> T:
    """torch.nn.ConvTranspose2d; conv-like in YOLOv5's parser (c1 inserted, c2 width-scaled)."""
    return S.conv_transpose2d(x, c1, c2, kernel_size, stride, padding, output_padding, groups, bool(bias), dilation)


@register("DWConvTranspose2d", channels="conv", torch=f"{BLOCKS}:DWConvTranspose2d", source=COMMON)
def dwconv_transpose2d(x: T, c1: int, c2: int, k=1, s=1, p1=0, p2=0) -> T:
    """Depth-wise transposed conv of YOLOv5: groups = gcd(c1, c2), with bias."""
    return S.conv_transpose2d(x, c1, c2, k, s, p1, p2, gcd(c1, c2), True)


@register("nn.MaxPool2d", torch="torch.nn:MaxPool2d", source=TORCH)
def maxpool2d(x: T, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
              ceil_mode: bool = False) -> T:
    """torch.nn.MaxPool2d; stride defaults to the kernel size."""
    if ceil_mode or return_indices:
        raise shape_error("MaxPool2d with ceil_mode or return_indices is not supported")
    return P.maxpool(x, kernel_size, kernel_size if stride is None else stride, padding, dilation)


@register("nn.AvgPool2d", torch="torch.nn:AvgPool2d", source=TORCH)
def avgpool2d(x: T, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
              count_include_pad: bool = True, divisor_override: Optional[int] = None) -> T:
    """torch.nn.AvgPool2d; stride defaults to the kernel size."""
    if ceil_mode or divisor_override is not None:
        raise shape_error("AvgPool2d with ceil_mode or divisor_override is not supported")
    return S.avgpool(x, kernel_size, kernel_size if stride is None else stride, padding, count_include_pad)


@register("nn.AdaptiveAvgPool2d", torch="torch.nn:AdaptiveAvgPool2d", source=TORCH)
def adaptive_avgpool2d(x: T, output_size=1) -> T:
    """torch.nn.AdaptiveAvgPool2d."""
    return S.adaptive_avgpool(x, output_size)


@register("nn.ZeroPad2d", torch="torch.nn:ZeroPad2d", source=TORCH)
def zeropad2d(x: T, padding) -> T:
    """torch.nn.ZeroPad2d: an int, or (left, right, top, bottom)."""
    if isinstance(padding, int) and not isinstance(padding, bool):
        return P.pad(x, padding, padding, padding, padding)
    if isinstance(padding, (list, tuple)) and len(padding) == 4 and all(
            isinstance(v, int) and not isinstance(v, bool) for v in padding):
        return P.pad(x, *padding)
    raise shape_error(f"ZeroPad2d padding must be an int or [left, right, top, bottom], got {padding!r}")


@register("nn.Upsample", torch="torch.nn:Upsample", source=TORCH)
def upsample(x: T, size: Optional[object] = None, scale_factor: object = None,
             mode: str = "nearest", align_corners: Optional[bool] = None) -> T:
    """nn.Upsample by an integer factor (or to a size that is an integer multiple), nearest or
    bilinear (align_corners=False)."""
    if size is not None:
        hw = size if isinstance(size, (list, tuple)) else (size, size)
        if len(hw) != 2 or not all(isinstance(v, int) and v > 0 for v in hw) or hw[0] % x.shape.h \
                or hw[1] % x.shape.w or hw[0] // x.shape.h != hw[1] // x.shape.w:
            raise shape_error(f"upsample to size {size} from {x.shape.h}x{x.shape.w} is not an integer "
                              "scale on both axes")
        scale_factor = hw[0] // x.shape.h
    scale = int(scale_factor) if isinstance(scale_factor, float) and scale_factor.is_integer() else scale_factor
    if isinstance(scale, bool) or not isinstance(scale, int):
        raise shape_error(f"upsample needs an integer scale factor, got {scale_factor!r}")
    if mode == "bilinear":
        if align_corners:
            raise shape_error("bilinear upsampling with align_corners=True is not supported")
        return S.upsample_bilinear(x, scale)
    return P.upsample(x, scale, mode)


@register("nn.BatchNorm2d", channels="bn", torch="torch.nn:BatchNorm2d", source=TORCH)
def batchnorm2d(x: T, c1: int) -> T:
    """Standalone BatchNorm2d (not folded by model.fuse())."""
    if x.c != c1:
        raise shape_error(f"BatchNorm2d expects {c1} channels, gets {x.c}")
    return P.batchnorm(x)


@register("nn.Identity", torch="torch.nn:Identity", source=TORCH)
def identity(x: T, *args) -> T:
    """Nothing happens."""
    return x


@register("nn.Dropout", torch="torch.nn:Dropout", source=TORCH)
def dropout(x: T, p: float = 0.5, inplace: bool = False) -> T:
    """Training-only noise: nothing at inference."""
    return x


@register("nn.Linear", channels="torch", out_channels=lambda c1, a: c1, torch="torch.nn:Linear", source=TORCH)
def linear_last_dim(x: T, in_features: int, out_features: int, bias: bool = True) -> T:
    """torch.nn.Linear on a 4-D map acts on the last dimension (W): every output mixes the row.
    The channels stay those of the input, as YOLOv5's parser records them (c2 = ch[f])."""
    if x.shape.w != in_features:
        raise shape_error(f"Linear({in_features}, {out_features}) on a map of width {x.shape.w}: torch "
                          "applies Linear to the last dimension")
    as_tokens = replace(x, shape=Shape(in_features, x.c, x.shape.h))
    y = S.linear(as_tokens, in_features, out_features, bool(bias))
    return replace(y, shape=Shape(x.c, x.shape.h, out_features), glob=True)


def _activation(name: str):
    def build(x: T, *args, **kwargs) -> T:
        return P.activation(x, ACTS[name])
    build.__doc__ = f"torch.nn.{name}: element-wise, no parameters; thop counts 0."
    return build


ACTIVATIONS = ("ReLU", "ReLU6", "SiLU", "LeakyReLU", "Hardswish", "Hardsigmoid", "Sigmoid", "Tanh", "GELU",
               "Mish", "ELU")
for _name in ACTIVATIONS:
    register(f"nn.{_name}", torch=f"torch.nn:{_name}", source=TORCH)(_activation(_name))
