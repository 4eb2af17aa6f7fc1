"""Bottlenecks and CSP blocks: Bottleneck, GhostBottleneck, BottleneckCSP, C3, C3x, C3Ghost, C3SPP."""
from __future__ import annotations

from typing import Callable

from .. import primitives as P
from ..registry import register
from ..symbolic import T
from .conv import conv, cross_conv, dwconv, ghost_conv
from .pool import spp
from .sources import BLOCKS, COMMON


@register("Bottleneck", channels="conv", torch=f"{BLOCKS}:Bottleneck", source=COMMON)
def bottleneck(x: T, c1: int, c2: int, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """1x1 Conv to int(c2*e), 3x3 Conv to c2, residual add when shortcut and c1 == c2."""
    h = int(c2 * e)
    y = conv(conv(x, c1, h, 1, 1), h, c2, 3, 1, None, g)
    return P.add(x, y) if shortcut and c1 == c2 else y


@register("GhostBottleneck", channels="conv", torch=f"{BLOCKS}:GhostBottleneck", source=COMMON)
def ghost_bottleneck(x: T, c1: int, c2: int, k: int = 3, s: int = 1) -> T:
    """GhostConv, (depth-wise k x k when s == 2), GhostConv without act; plus a shortcut."""
    h = c2 // 2
    y = ghost_conv(x, c1, h, 1, 1)
    if s == 2:
        y = dwconv(y, h, h, k, s, act=False)
    y = ghost_conv(y, h, c2, 1, 1, act=False)
    sc = conv(dwconv(x, c1, c1, k, s, act=False), c1, c2, 1, 1, act=False) if s == 2 else x
    return P.add(y, sc)


def c3_body(x: T, c1: int, c2: int, e: float, inner: Callable[[T, int], T]) -> T:
    """C3 skeleton: cv1 -> inner(h) and cv2, concatenated, then cv3 (1x1) to c2."""
    h = int(c2 * e)
    a = inner(conv(x, c1, h, 1, 1), h)
    b = conv(x, c1, h, 1, 1)
    return conv(P.concat([a, b]), 2 * h, c2, 1)


def repeat(block: Callable[[T], T], n: int) -> Callable[[T, int], T]:
    """An inner block of a C3: n blocks in sequence."""
    def inner(y: T, _h: int) -> T:
        for _ in range(n):
            y = block(y)
        return y
    return inner


@register("C3", channels="csp", torch=f"{BLOCKS}:C3", source=COMMON)
def c3(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """CSP bottleneck with 3 convolutions; n Bottlenecks(h, h, e=1.0) on the cv1 branch."""
    h = int(c2 * e)
    return c3_body(x, c1, c2, e, repeat(lambda y: bottleneck(y, h, h, shortcut, g, 1.0), n))


@register("C3x", channels="csp", torch=f"{BLOCKS}:C3x", source=COMMON)
def c3x(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """C3 with n CrossConv(h, h, 3, 1, g, 1.0, shortcut) blocks."""
    h = int(c2 * e)
    return c3_body(x, c1, c2, e, repeat(lambda y: cross_conv(y, h, h, 3, 1, g, 1.0, shortcut), n))


@register("C3Ghost", channels="csp", torch=f"{BLOCKS}:C3Ghost", source=COMMON)
def c3ghost(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """C3 with n GhostBottleneck(h, h) blocks."""
    h = int(c2 * e)
    return c3_body(x, c1, c2, e, repeat(lambda y: ghost_bottleneck(y, h, h), n))


@register("C3SPP", channels="conv", torch=f"{BLOCKS}:C3SPP", source=COMMON)
def c3spp(x: T, c1: int, c2: int, k=(5, 9, 13), n: int = 1, shortcut: bool = True, g: int = 1,
          e: float = 0.5) -> T:
    """C3 whose inner block is SPP(h, h, k); not CSP-style in YOLOv5's parser (n stays outside)."""
    return c3_body(x, c1, c2, e, lambda y, h: spp(y, h, h, k))


@register("BottleneckCSP", channels="csp", torch=f"{BLOCKS}:BottleneckCSP", source=COMMON)
def bottleneck_csp(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1,
                   e: float = 0.5) -> T:
    """CSPNet bottleneck: plain 1x1 convs on both branches, BN + SiLU on their concat, then cv4."""
    h = int(c2 * e)
    a = conv(x, c1, h, 1, 1)
    for _ in range(n):
        a = bottleneck(a, h, h, shortcut, g, 1.0)
    a = P.conv2d(a, h, h, 1)
    b = P.conv2d(x, c1, h, 1)
    y = P.activation(P.batchnorm(P.concat([a, b])), P.ACTS["SiLU"])
    return conv(y, 2 * h, c2, 1, 1)
