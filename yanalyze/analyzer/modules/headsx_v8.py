"""The YOLOv8-style anchor-free detection head that yolo_research runs inside its YOLOv5 code base
(V8_Detect): per level a box branch and a class branch of Convs, and in eval mode the
distribution-focal-loss (DFL) integral over 16 bins and the distance-to-box decode.

The decode works on the levels flattened to one row of anchor points, which is no C x H x W map,
so its kernels are priced straight with analyzer.conventions' functions: copies for the
concatenations, a softmax, the DFL's fixed 1x1 conv (a parameter of 16 weights, counted by
thop), element-wise kernels for the box arithmetic and a sigmoid on the class scores. The
anchor points and strides are built on the call, as the fork does whenever the input size
changes (an arange plus 0.5 per axis, a stack, and two concatenations).
"""
from __future__ import annotations

from typing import Sequence

from .. import conventions as C
from .. import primitives as P
from ..registry import Provenance, register
from ..symbolic import T, shape_error
from .conv import conv

BLOCKS = "yanalyze.verify.headsx_blocks_v8"
REG_MAX = 16
YOLO_RESEARCH = Provenance("positive666/yolo_research@f5795f27a56c", "models/yolo.py, models/common.py, utils/tal.py",
                           "Jocher, Chaurasia, Qiu, Ultralytics YOLOv8 (2023); Li et al., Generalized Focal Loss, "
                           "NeurIPS 2020")


def branch(x: T, c1: int, c: int, out: int) -> T:
    """Conv 3x3 to c, Conv 3x3, Conv2d 1x1 with bias to `out`."""
    return P.conv2d(conv(conv(x, c1, c, 3), c, c, 3), c, out, 1, bias=True)


def decode(levels: Sequence[T], nc: int) -> None:
    """The eval-mode kernels after the levels are built (A anchor points over all levels)."""
    rec = levels[0].trace.record
    no = nc + 4 * REG_MAX
    a = 0
    for t in levels:
        h, w = t.shape.h, t.shape.w
        rec(C.elementwise(w, w))                   # arange(w) + 0.5
        rec(C.elementwise(h, h))                   # arange(h) + 0.5
        rec(C.copy(h + w, 2 * h * w))              # stack of the two expanded grids
        a += h * w
    rec(C.copy(2 * a, 2 * a))                      # cat of the anchor points
    rec(C.copy(a, a))                              # cat of the stride columns
    rec(C.copy(no * a, no * a))                    # levels flattened and concatenated
    rec(C.softmax(4 * REG_MAX * a))                # DFL: softmax over the bins
    rec(C.conv(4 * REG_MAX * a, 4 * a, 1, REG_MAX, 1, False))  # DFL: fixed 1x1 conv, 16 -> 1
    rec(C.elementwise(2 * a, 4 * a))               # anchors - lt
    rec(C.elementwise(2 * a, 4 * a))               # anchors + rb
    rec(C.elementwise(2 * a, 4 * a))               # x1y1 + x2y2
    rec(C.elementwise(2 * a, 2 * a))               # / 2
    rec(C.elementwise(2 * a, 4 * a))               # x2y2 - x1y1
    rec(C.copy(4 * a, 4 * a))                      # cat to xywh
    rec(C.elementwise(4 * a, 5 * a))               # * strides
    rec(C.activation("Sigmoid", nc * a))           # class scores
    rec(C.copy((4 + nc) * a, (4 + nc) * a))        # cat of boxes and scores


@register("V8_Detect", channels="head", multi_input=True, head=True, torch=f"{BLOCKS}:V8_Detect",
          source=YOLO_RESEARCH)
def v8_detect(xs: Sequence[T], nc: int = 80, ch: Sequence[int] = ()) -> list[T]:
    """Per level: box branch (Convs to c2 = max(16, ch[0] // 4, 64), 1x1 to 64) and class branch
    (Convs to c3 = max(ch[0], nc), 1x1 to nc), concatenated to nc + 64 channels; then the decode."""
    if len(xs) != len(ch):
        raise shape_error(f"V8_Detect gets {len(xs)} inputs but {len(ch)} channel counts")
    if isinstance(nc, bool) or not isinstance(nc, int) or nc < 1:
        raise shape_error(f"V8_Detect needs a positive class count, got {nc!r}")
    c2, c3 = max(16, ch[0] // 4, 4 * REG_MAX), max(ch[0], nc)
    levels = [P.concat([branch(x, c, c2, 4 * REG_MAX), branch(x, c, c3, nc)]) for x, c in zip(xs, ch)]
    decode(levels, nc)
    return levels
