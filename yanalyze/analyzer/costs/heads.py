"""Output heads: Detect (one 1x1 conv with bias per level), Segment (plus Proto), Proto."""
from __future__ import annotations

from typing import Sequence

from . import primitives as P
from ..model import Cost
from .conv import conv
from .primitives import T
from .registry import register


def _anchors_per_level(anchors: object, levels: int) -> int:
    if not isinstance(anchors, list) or not anchors or not isinstance(anchors[0], list):
        raise P.shape_error(f"anchors must be a list per level or an int, got {anchors!r}")
    if len(anchors) != levels:
        raise P.shape_error(f"{len(anchors)} anchor levels for {levels} inputs")
    na = len(anchors[0]) // 2
    if na < 1 or any(len(a) != 2 * na for a in anchors):
        raise P.shape_error("every anchor level needs the same number of (w, h) pairs")
    return na


def _decode(y: T, na: int) -> None:
    """Inference decode: sigmoid (3 per output) and xy/wh arithmetic (3 per coordinate); thop 0."""
    cells = na * y.shape.h * y.shape.w
    y.trace.record(Cost(flops=3 * y.numel + 12 * cells, act=2 * y.numel, act_fused=2 * y.numel))


def detect_levels(xs: Sequence[T], no: int, anchors: object, ch: Sequence[int]) -> list[T]:
    if len(xs) != len(ch):
        raise P.shape_error(f"head gets {len(xs)} inputs but {len(ch)} channel counts")
    na = _anchors_per_level(anchors, len(xs))
    outs = []
    for x, c in zip(xs, ch):
        y = P.conv2d(x, c, na * no, 1, 1, 0, 1, 1, bias=True)
        _decode(y, na)
        outs.append(y)
    return outs


@register("Detect", channels="head", multi_input=True)
def detect(xs: Sequence[T], nc: int, anchors: object = (), ch: Sequence[int] = ()) -> list[T]:
    """Per level Conv2d(ch_i, na*(nc+5), 1) with bias; decode arithmetic is free in thop."""
    return detect_levels(xs, nc + 5, anchors, ch)


@register("Proto", channels="conv")
def proto(x: T, c1: int, c_: int = 256, c2: int = 32) -> T:
    """Mask prototypes: Conv 3x3, nearest upsample x2, Conv 3x3, Conv 1x1 to c2."""
    y = P.upsample(conv(x, c1, c_, 3), 2)
    return conv(conv(y, c_, c_, 3), c_, c2)


@register("Segment", channels="head", multi_input=True)
def segment(xs: Sequence[T], nc: int, anchors: object = (), nm: int = 32, npr: int = 256,
            ch: Sequence[int] = ()) -> list[T]:
    """Detect with nc+5+nm outputs per anchor, plus Proto(ch[0], npr, nm) on the first level."""
    p = proto(xs[0], ch[0], npr, nm)
    return [*detect_levels(xs, nc + 5 + nm, anchors, ch), p]
