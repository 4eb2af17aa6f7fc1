"""FasterNet blocks in YOLOv5: Faster_Block (partial convolution) and C3_Faster."""
from __future__ import annotations

from .. import primitives as P
from .. import shaping as S
from ..registry import register
from ..symbolic import T
from .conv import conv
from .csp import c3_body, repeat
from .sources import CUSTOM, FASTERNET


@register("Faster_Block", channels="conv", torch=f"{CUSTOM}:Faster_Block", source=FASTERNET)
def faster_block(x: T, inc: int, dim: int, n_div: int = 4, mlp_ratio: int = 2, *_: object) -> T:
    """FasterNet block: (1x1 Conv to dim,) partial 3x3 conv on dim//n_div channels, the rest
    untouched, then Conv(dim, dim*r) and a plain 1x1 Conv2d back; residual add."""
    if inc != dim:
        x = conv(x, inc, dim, 1)
    part = dim // n_div
    mixed, rest = S.split(x, [part, dim - part])
    y = P.concat([P.conv2d(mixed, part, part, 3, 1, 1), rest])
    hidden = int(dim * mlp_ratio)
    y = P.conv2d(conv(y, dim, hidden, 1), hidden, dim, 1)
    return P.add(x, y)


@register("C3_Faster", channels="csp", torch=f"{CUSTOM}:C3_Faster", source=FASTERNET)
def c3_faster(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = False, g: int = 1, e: float = 0.5) -> T:
    """C3 whose inner blocks are n Faster_Block(h, h)."""
    h = int(c2 * e)
    return c3_body(x, c1, c2, e, repeat(lambda y: faster_block(y, h, h), n))
