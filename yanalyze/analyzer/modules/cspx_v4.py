"""Scaled-YOLOv4 CSP blocks as yoloair publishes them (models/Models/yolov4.py): SPPCSP and
BottleneckCSP2. Their Conv is the file's own class (Conv2d without bias, BatchNorm2d, always
Mish), which YOLOv5's model.fuse() does not recognise, so its batch norms stay after fusion,
like the standalone BatchNorm2d on the concatenation."""
from __future__ import annotations

from .. import primitives as P
from ..registry import Provenance, register
from ..symbolic import ACTS, T, shape_error
from .conv import autopad
from .sources import YOLOAIR_AT

BLOCKS = "yanalyze.verify.cspx_blocks_v4"
MISH = ACTS["Mish"]
SCALED_V4 = Provenance(YOLOAIR_AT, "models/Models/yolov4.py",
                       "Wang, Bochkovskiy, Liao, Scaled-YOLOv4: Scaling Cross Stage Partial Network, CVPR 2021")


def mish_conv(x: T, c1: int, c2: int, k: int = 1, s: int = 1, p=None, g: int = 1) -> T:
    """yolov4.py's Conv: Conv2d (no bias), BatchNorm2d, Mish; not folded by model.fuse()."""
    return P.activation(P.batchnorm(P.conv2d(x, c1, c2, k, s, autopad(k, p), g)), MISH)


def mish_bottleneck(x: T, c: int, shortcut: bool, g: int) -> T:
    """yolov4.py's Bottleneck(c, c, shortcut, g, e=1.0): 1x1 and 3x3 Mish Convs, residual when shortcut."""
    y = mish_conv(mish_conv(x, c, c, 1, 1), c, c, 3, 1, None, g)
    return P.add(x, y) if shortcut else y


@register("BottleneckCSP2", channels="csp", torch=f"{BLOCKS}:BottleneckCSP2", source=SCALED_V4)
def bottleneck_csp2(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = False, g: int = 1, e: float = 0.5) -> T:
    """cv1 (1x1 Mish Conv to c2); n Bottlenecks on it beside a plain 1x1 Conv2d of it; the two
    concatenated, BatchNorm2d and Mish; cv3 (1x1 Mish Conv) to c2 (e is accepted and unused)."""
    h = int(c2)
    x1 = mish_conv(x, c1, h, 1, 1)
    y1 = x1
    for _ in range(n):
        y1 = mish_bottleneck(y1, h, shortcut, g)
    y2 = P.conv2d(x1, h, h, 1)
    return mish_conv(P.activation(P.batchnorm(P.concat([y1, y2])), MISH), 2 * h, c2, 1, 1)


@register("SPPCSP", channels="csp", torch=f"{BLOCKS}:SPPCSP", source=SCALED_V4)
def sppcsp(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = False, g: int = 1, e: float = 0.5,
           k=(5, 9, 13)) -> T:
    """h = int(2 c2 e): 1x1, 3x3, 1x1 Mish Convs; the map and its stride-1 max-pools (k) concatenated,
    1x1 and 3x3 Mish Convs; beside a plain 1x1 Conv2d of the input; concatenated, BatchNorm2d and
    Mish; 1x1 Mish Conv to c2 (n, shortcut and g are accepted and unused)."""
    k = list(k) if isinstance(k, (list, tuple)) else [k]
    if len(k) != 3:
        raise shape_error(f"SPPCSP's cv5 takes 4 x c_ channels: it needs three pool sizes, got {k}")
    h = int(2 * c2 * e)
    x1 = mish_conv(mish_conv(mish_conv(x, c1, h, 1, 1), h, h, 3, 1), h, h, 1, 1)
    pooled = P.concat([x1] + [P.maxpool(x1, size, 1, size // 2) for size in k])
    y1 = mish_conv(mish_conv(pooled, 4 * h, h, 1, 1), h, h, 3, 1)
    y2 = P.conv2d(x, c1, h, 1)
    return mish_conv(P.activation(P.batchnorm(P.concat([y1, y2])), MISH), 2 * h, c2, 1, 1)
