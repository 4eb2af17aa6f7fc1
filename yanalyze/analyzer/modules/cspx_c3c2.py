"""C3C2 as iscyy/yoloair publishes it: one plain 1x1 conv whose output feeds both a BN + SiLU +
Bottleneck branch and, untouched, the concatenation; a 1x1 Conv with Mish joins them. Its
parse_model treats it like C3 (the repeat count goes inside). The standalone BatchNorm2d is
not part of YOLOv5's Conv class, so fuse() leaves it."""
from __future__ import annotations

from .. import primitives as P
from ..registry import Provenance, register
from ..symbolic import ACTS, T
from .conv import conv
from .csp import bottleneck
from .sources import YOLOAIR_AT

SOURCE = Provenance(YOLOAIR_AT, "models/common.py",
                    "YOLOAir (iscyy): a C3 variant whose shortcut branch reuses the first 1x1 conv's output")


@register("C3C2", channels="csp", torch="yanalyze.verify.cspx_blocks_c3c2:C3C2", source=SOURCE)
def c3c2(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """y = conv1x1(x) (no BN); z = n Bottlenecks on SiLU(BN(y)); Conv+BN+Mish over cat(z, y)."""
    h = int(c2 * e)
    y = P.conv2d(x, c1, h, 1, 1, 0, g)
    z = P.activation(P.batchnorm(y), ACTS["SiLU"])
    for _ in range(n):
        z = bottleneck(z, h, h, shortcut, g, 1.0)
    return conv(P.concat([z, y]), 2 * h, c2, 1, act=ACTS["Mish"])
