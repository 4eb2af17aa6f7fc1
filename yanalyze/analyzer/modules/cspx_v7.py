"""YOLOv7 / ScaledYOLOv4 blocks as YOLOv5 forks ship them: ReOrg (space-to-depth), MP (max-pool
downsampling), DownC (a conv and a pooled branch), the CSP blocks BottleneckCSPB and
BottleneckCSPC, and the YOLOv8-style Bottleneck (two k x k convs) some of these forks use
under YOLOv5's name."""
from __future__ import annotations

from typing import Callable

from .. import primitives as P
from ..registry import register
from ..symbolic import T
from .conv import conv
from .csp import bottleneck
from .cspx import k3_bottleneck
from .cspx_sources import CSP_K1, CSP_K3, CSPX_V7, V7_SRC


def _reorg_channels(c1: int, args: list, ctx: object) -> tuple[list, int]:
    """parse_model: c2 = 4 x the input channels, no arguments."""
    return list(args), 4 * c1


@register("ReOrg", channels=_reorg_channels, torch=f"{CSPX_V7}:ReOrg", source=V7_SRC)
def reorg(x: T) -> T:
    """The four pixel phases (even/odd rows and columns, Focus's order) concatenated on channels."""
    return P.space_to_depth(x, 2)


@register("MP", torch=f"{CSPX_V7}:MP", source=V7_SRC)
def mp(x: T, k: int = 2) -> T:
    """MaxPool2d(k, stride k): channels kept."""
    return P.maxpool(x, k, k)


@register("DownC", channels="csp", torch=f"{CSPX_V7}:DownC", source=V7_SRC)
def downc(x: T, c1: int, c2: int, n: int = 1, k: int = 2) -> T:
    """1x1 Conv (c1 -> c1) then a 3x3 stride-k Conv to c2 // 2, beside a k x k max-pool and a 1x1
    Conv to c2 // 2; concatenated (n is taken inside and unused)."""
    a = conv(conv(x, c1, c1, 1, 1), c1, c2 // 2, 3, k)
    b = conv(P.maxpool(x, k, k), c1, c2 // 2, 1, 1)
    return P.concat([a, b])


def _inner(kind: str, c: int, shortcut: bool, g: int) -> Callable[[T], T]:
    """The bottleneck a CSP block repeats: 'k3x3' two 3x3 Convs, 'k1x3' YOLOv5's 1x1 then 3x3."""
    if kind == "k3x3":
        return k3_bottleneck(c, shortcut, g)
    return lambda y: bottleneck(y, c, c, shortcut, g, 1.0)


def csp_b(x: T, c1: int, c2: int, n: int, shortcut: bool, g: int, kind: str) -> T:
    """BottleneckCSPB: cv1 to c2 (hidden = c2), n bottlenecks on it beside cv2 (1x1) of it,
    concatenated, cv3 (1x1) to c2."""
    y = conv(x, c1, c2, 1, 1)
    z = y
    for _ in range(n):
        z = _inner(kind, c2, shortcut, g)(z)
    return conv(P.concat([z, conv(y, c2, c2, 1, 1)]), 2 * c2, c2, 1, 1)


def csp_c(x: T, c1: int, c2: int, n: int, shortcut: bool, g: int, e: float, kind: str) -> T:
    """BottleneckCSPC: cv1, n bottlenecks, cv3 on one branch; cv2 on the input; concat; cv4."""
    h = int(c2 * e)
    y = conv(x, c1, h, 1, 1)
    for _ in range(n):
        y = _inner(kind, h, shortcut, g)(y)
    y = conv(y, h, h, 1, 1)
    return conv(P.concat([y, conv(x, c1, h, 1, 1)]), 2 * h, c2, 1, 1)


@register("BottleneckCSPB", channels="csp", torch=f"{CSPX_V7}:BottleneckCSPB", source=CSP_K3, variant="k3x3")
def bottleneck_csp_b(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = False, g: int = 1, e: float = 0.5) -> T:
    """BottleneckCSPB whose bottlenecks are two 3x3 Convs (the fork's Bottleneck has k=(3, 3))."""
    return csp_b(x, c1, c2, n, shortcut, g, "k3x3")


@register("BottleneckCSPB", channels="csp", torch=f"{CSPX_V7}:BottleneckCSPB_k1x3", source=CSP_K1,
          variant="k1x3", default=False)
def bottleneck_csp_b_k1(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = False, g: int = 1,
                        e: float = 0.5) -> T:
    """BottleneckCSPB with YOLOv5's bottleneck (1x1 then 3x3), as ScaledYOLOv4 / YOLOR define it."""
    return csp_b(x, c1, c2, n, shortcut, g, "k1x3")


@register("BottleneckCSPC", channels="csp", torch=f"{CSPX_V7}:BottleneckCSPC", source=CSP_K3, variant="k3x3")
def bottleneck_csp_c(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """BottleneckCSPC whose bottlenecks are two 3x3 Convs."""
    return csp_c(x, c1, c2, n, shortcut, g, e, "k3x3")


@register("BottleneckCSPC", channels="csp", torch=f"{CSPX_V7}:BottleneckCSPC_k1x3", source=CSP_K1,
          variant="k1x3", default=False)
def bottleneck_csp_c_k1(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1,
                        e: float = 0.5) -> T:
    """BottleneckCSPC with YOLOv5's bottleneck (1x1 then 3x3)."""
    return csp_c(x, c1, c2, n, shortcut, g, e, "k1x3")


@register("Bottleneck", channels="conv", torch=f"{CSPX_V7}:BottleneckK", source=CSP_K3, variant="k3x3",
          default=False)
def bottleneck_k(x: T, c1: int, c2: int, shortcut: bool = True, g: int = 1, k=(3, 3), e: float = 0.5) -> T:
    """YOLOv8's Bottleneck(c1, c2, shortcut, g, k=(3, 3), e): Conv k[0] to int(c2 * e), Conv k[1]
    (groups g) to c2, residual when shortcut and c1 == c2."""
    h = int(c2 * e)
    y = conv(conv(x, c1, h, k[0], 1), h, c2, k[1], 1, None, g)
    return P.add(x, y) if shortcut and c1 == c2 else y
