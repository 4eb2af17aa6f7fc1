"""CSP blocks with an attention or token-mixing stage after their bottlenecks: C3ViT (a C3
whose bottleneck output goes through coordinate attention) and MCSPMLP (a C3 whose
bottleneck branch gets a GroupNorm + 1x1 MLP residual, with a shared 3x3 conv chain on the
other branch)."""
from __future__ import annotations

from dataclasses import replace

from .. import conventions as C
from .. import primitives as P
from .. import shaping as S
from ..model import Shape
from ..registry import register
from ..symbolic import ACTS, T
from .conv import conv
from .csp import bottleneck, c3_body
from .cspx_ops import reused
from .cspx_sources import C3VIT_SRC, CSPX_ATTN, MCSPMLP_SRC


def coord_att(x: T, c: int, reduction: int = 32) -> T:
    """Coordinate attention: average over W (C x H x 1) and over H (C x 1 x W, transposed),
    concatenated along H, 1x1 conv with bias to max(8, c // reduction), BN, Hardswish, split,
    1x1 convs with bias back to c with sigmoids; x times both gates. Output (i, j) sees row i
    and column j whole: global context."""
    h, w = x.shape.h, x.shape.w
    mip = max(8, c // reduction)
    S.adaptive_avgpool(x, (h, 1))
    S.adaptive_avgpool(x, (1, w))
    x.trace.record(C.copy(c * (h + w), c * (h + w)))          # cat along H
    y = T(Shape(c, h + w, 1), x.fh, x.fw, True, x.trace)
    y = P.activation(P.batchnorm(P.conv2d(y, c, mip, 1, bias=True)), ACTS["Hardswish"])
    ah = P.activation(P.conv2d(replace(y, shape=Shape(mip, h, 1)), mip, c, 1, bias=True), ACTS["Sigmoid"])
    aw = P.activation(P.conv2d(replace(y, shape=Shape(mip, 1, w)), mip, c, 1, bias=True), ACTS["Sigmoid"])
    return replace(S.broadcast(S.broadcast(x, aw), ah), glob=True)


@register("C3ViT", channels="csp", torch=f"{CSPX_ATTN}:C3ViT", source=C3VIT_SRC)
def c3vit(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """C3 whose n Bottlenecks(h, h, e=1.0) are followed by coordinate attention on h channels."""
    def inner(y: T, h: int) -> T:
        for _ in range(n):
            y = bottleneck(y, h, h, shortcut, g, 1.0)
        return coord_att(y, h)
    return c3_body(x, c1, c2, e, inner)


@register("MCSPMLP", channels="csp", torch=f"{CSPX_ATTN}:MCSPMLP", source=MCSPMLP_SRC)
def mcspmlp(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """cv1 and n Bottlenecks, plus GroupNorm(1) -> 1x1 conv (4h, bias) -> GELU -> 1x1 conv (h,
    bias) added; cv2; one 3x3 Conv cv4 applied twice to cv2's output and twice more; the four
    maps concatenated, cv3 to c2."""
    h = int(c2 * e)
    z = conv(x, c1, h, 1, 1)
    for _ in range(n):
        z = bottleneck(z, h, h, shortcut, g, 1.0)
    y = P.activation(P.conv2d(P.group_norm(z, 1), h, 4 * h, 1, bias=True), ACTS["GELU"])
    a = P.add(z, P.conv2d(y, 4 * h, h, 1, bias=True))
    b = conv(x, c1, h, 1, 1)

    def cv4(t: T) -> T:
        return conv(t, h, h, 3, 1, None, g)
    cc = reused(cv4(b), cv4)
    d = reused(reused(cc, cv4), cv4)
    return conv(P.concat([a, b, cc, d]), 4 * h, c2, 1)
