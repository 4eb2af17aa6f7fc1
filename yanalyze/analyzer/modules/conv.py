"""Convolution blocks of YOLOv5: Conv, DWConv, GhostConv, Focus, CrossConv, MixConv2d."""
from __future__ import annotations

from math import gcd
from typing import Optional

from .. import primitives as P
from ..registry import register
from ..symbolic import IDENTITY, Act, IntPair, T, pair, shape_error
from .sources import BLOCKS, COMMON, EXPERIMENTAL


def resolve_act(x: T, act: object) -> Act:
    """YOLOv5's act argument: True means the config's default activation, False none."""
    if act is True:
        return x.trace.default_act
    if act is False or act is None:
        return IDENTITY
    if isinstance(act, Act):
        return act
    raise shape_error(f"act must be True or False, got {act!r}")


def autopad(k: IntPair, p: Optional[IntPair] = None, d: IntPair = 1) -> IntPair:
    """YOLOv5 autopad: 'same' padding k_eff // 2 with k_eff = d*(k-1)+1, per axis."""
    if p is not None:
        return p
    if isinstance(k, int) and isinstance(d, int):
        return (d * (k - 1) + 1) // 2
    (kh, kw), (dh, dw) = pair(k), pair(d)
    return (dh * (kh - 1) + 1) // 2, (dw * (kw - 1) + 1) // 2


@register("Conv", channels="conv", torch=f"{BLOCKS}:Conv", source=COMMON)
def conv(x: T, c1: int, c2: int, k=1, s=1, p=None, g: int = 1, d=1, act=True) -> T:
    """Conv2d (no bias) + BatchNorm2d + activation. An activation written where v7.0 has the
    dilation (`[64, 3, 2, None, 1, nn.ReLU()]`) is YOLOv5 v6.x's Conv(c1, c2, k, s, p, g, act)."""
    if isinstance(d, Act):
        act, d = d, 1
    return P.conv_bn_act(x, c1, c2, k, s, autopad(k, p, d), g, d, resolve_act(x, act))


@register("DWConv", channels="conv", torch=f"{BLOCKS}:DWConv", source=COMMON)
def dwconv(x: T, c1: int, c2: int, k=1, s=1, d=1, act=True) -> T:
    """Depth-wise Conv: groups = gcd(c1, c2)."""
    return conv(x, c1, c2, k, s, None, gcd(c1, c2), d, act)


@register("GhostConv", channels="conv", torch=f"{BLOCKS}:GhostConv", source=COMMON)
def ghost_conv(x: T, c1: int, c2: int, k=1, s=1, g: int = 1, act=True) -> T:
    """Half the channels from a Conv, the other half from a cheap 5x5 depth-wise Conv of them."""
    h = c2 // 2
    y = conv(x, c1, h, k, s, None, g, 1, act)
    return P.concat([y, conv(y, h, h, 5, 1, None, h, 1, act)])


@register("Focus", channels="conv", torch=f"{BLOCKS}:Focus", source=COMMON)
def focus(x: T, c1: int, c2: int, k=1, s=1, p=None, g: int = 1, act=True) -> T:
    """Space-to-depth (four pixel phases on channels) then Conv(4*c1, c2)."""
    if x.c != c1:
        raise shape_error(f"Focus expects {c1} input channels, gets {x.c}")
    return conv(P.space_to_depth(x, 2), 4 * c1, c2, k, s, p, g, 1, act)


@register("CrossConv", channels="conv", torch=f"{BLOCKS}:CrossConv", source=COMMON)
def cross_conv(x: T, c1: int, c2: int, k: int = 3, s: int = 1, g: int = 1, e: float = 1.0,
               shortcut: bool = False) -> T:
    """Conv (1,k) then Conv (k,1), residual when shortcut and c1 == c2."""
    h = int(c2 * e)
    y = conv(x, c1, h, (1, k), (1, s))
    y = conv(y, h, c2, (k, 1), (s, 1), None, g)
    return P.add(x, y) if shortcut and c1 == c2 else y


def mixconv_split(c2: int, n: int) -> list[int]:
    """Channels per kernel for MixConv2d(equal_ch=True): floor(linspace(0, n - 1e-6, c2)) counts."""
    if c2 == 1:
        idx = [0]
    else:
        step = (n - 1e-6) / (c2 - 1)
        idx = [int(i * step) for i in range(c2)]
    return [idx.count(g) for g in range(n)]


@register("MixConv2d", channels="conv", torch=f"{BLOCKS}:MixConv2d", source=EXPERIMENTAL)
def mixconv2d(x: T, c1: int, c2: int, k=(1, 3), s: int = 1, equal_ch: bool = True) -> T:
    """Parallel depth-wise-ish convs with different kernels, concatenated, then BN and SiLU."""
    if not equal_ch:
        raise shape_error("MixConv2d(equal_ch=False) is not supported; use equal_ch=True")
    ks = list(k) if isinstance(k, (list, tuple)) else [k]
    parts = [P.conv2d(x, c1, c, kk, s, kk // 2, gcd(c1, c)) for kk, c in zip(ks, mixconv_split(c2, len(ks)))]
    return P.activation(P.batchnorm(P.concat(parts)), P.ACTS["SiLU"])
