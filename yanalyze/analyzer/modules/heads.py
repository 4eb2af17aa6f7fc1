"""Output heads: Detect (one 1x1 conv with bias per level, then the inference decode), Segment
(plus Proto), Proto, and the classification head Classify."""
from __future__ import annotations

from typing import Sequence

from .. import conventions as C
from ..cost import Cost
from .. import primitives as P
from .. import shaping as S
from ..registry import register
from ..symbolic import T, shape_error
from .conv import autopad, conv
from .sources import COMMON, HEADS, YOLO


def _anchors_per_level(anchors: object, levels: int) -> int:
    if not isinstance(anchors, list) or not anchors or not isinstance(anchors[0], list):
        raise shape_error(f"anchors must be a list per level or an int, got {anchors!r}")
    if len(anchors) != levels:
        raise shape_error(f"{len(anchors)} anchor levels for {levels} inputs")
    na = len(anchors[0]) // 2
    if na < 1 or any(len(a) != 2 * na for a in anchors):
        raise shape_error("every anchor level needs the same number of (w, h) pairs")
    return na


def detect_levels(xs: Sequence[T], no: int, anchors: object, ch: Sequence[int], nm: int = 0) -> list[T]:
    """Per level a 1x1 conv with bias to na*no, decoded; then the levels concatenated."""
    if len(xs) != len(ch):
        raise shape_error(f"head gets {len(xs)} inputs but {len(ch)} channel counts")
    na = _anchors_per_level(anchors, len(xs))
    outs = []
    for x, c in zip(xs, ch):
        y = P.conv2d(x, c, na * no, 1, 1, 0, 1, 1, bias=True)
        n, cells = y.numel, na * y.shape.h * y.shape.w
        y.trace.record(C.copy(n, n), "copy", "permute to anchors x cells")
        y.trace.record(C.activation("Sigmoid", n - nm * cells), "activation", "Sigmoid")  # Segment: not the masks
        y.trace.record(_box_arithmetic(cells, na), "decode", "boxes: (2s + grid) x stride, (2s)^2 x anchor")
        y.trace.record(C.copy(n, n), "Concat", "xy, wh, conf")
        outs.append(y)
    total = sum(y.numel for y in outs)
    outs[0].trace.record(C.copy(total, total), "Concat", "the levels")
    return outs


def _box_arithmetic(cells: int, na: int) -> Cost:
    """xy = (2 s + grid) * stride and wh = (2 s)^2 * anchor, one kernel per operator: 12 FLOPs
    per anchor cell; the grid is a full tensor, the stride a 0-d tensor, the anchor grid an
    expanded na x 2 view."""
    xy = 2 * cells
    return (C.elementwise(xy, xy) + C.elementwise(xy, 2 * xy) + C.elementwise(xy, xy + 1)
            + C.elementwise(xy, xy) + C.elementwise(xy, xy) + C.elementwise(xy, xy + 2 * na))


@register("Detect", channels="head", multi_input=True, torch=f"{HEADS}:Detect", source=YOLO)
def detect(xs: Sequence[T], nc: int, anchors: object = (), ch: Sequence[int] = ()) -> list[T]:
    """Per level Conv2d(ch_i, na*(nc+5), 1) with bias, then the inference decode."""
    return detect_levels(xs, nc + 5, anchors, ch)


@register("Proto", channels="conv", torch=f"{HEADS}:Proto", source=COMMON)
def proto(x: T, c1: int, c_: int = 256, c2: int = 32) -> T:
    """Mask prototypes: Conv 3x3, nearest upsample x2, Conv 3x3, Conv 1x1 to c2."""
    y = P.upsample(conv(x, c1, c_, 3), 2)
    return conv(conv(y, c_, c_, 3), c_, c2)


@register("Segment", channels="head", multi_input=True, torch=f"{HEADS}:Segment", source=YOLO)
def segment(xs: Sequence[T], nc: int, anchors: object = (), nm: int = 32, npr: int = 256,
            ch: Sequence[int] = ()) -> list[T]:
    """Proto(ch[0], npr, nm) on the first level, then Detect with nc+5+nm outputs per anchor."""
    p = proto(xs[0], ch[0], npr, nm)
    return [*detect_levels(xs, nc + 5 + nm, anchors, ch, nm), p]


@register("Classify", channels="prepend", out_channels=lambda c1, a: a[1], torch=f"{HEADS}:Classify",
          source=COMMON)
def classify(x: T, c1: int, c2: int, k=1, s=1, p=None, g: int = 1, dropout_p: float = 0.0) -> T:
    """YOLOv5 classification head: Conv to 1280, global average pool, dropout, Linear to c2."""
    y = S.adaptive_avgpool(conv(x, c1, 1280, k, s, autopad(k, p), g), 1)
    return S.linear(y, 1280, c2, True)
