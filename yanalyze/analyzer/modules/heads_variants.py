"""Detect as YOLO5Face (deepcam-cn/yolov5-face) publishes it: per anchor 5 box/objectness values,
10 landmark coordinates (five x, y points) and the class scores, no = nc + 15.

Its eval decode, kernel by kernel per level: the 1x1 conv, the anchor-last copy, a zero tensor
(free), the box, objectness and class columns gathered through an index list, Sigmoid, and
scattered back; the landmark columns copied raw; xy = (2s - 0.5 + grid) * stride and
wh = (2s)^2 * anchor written back; each landmark pair l * anchor + grid * stride written back
(five times); then the levels concatenated. The grid is (1, 1, ny, nx, 2), the anchor grid a
registered buffer (read as weights)."""
from __future__ import annotations

from typing import Sequence

from .. import conventions as C
from .. import primitives as P
from ..registry import Provenance, register
from ..symbolic import T, shape_error
from .heads import _anchors_per_level

FACE = Provenance("deepcam-cn/yolov5-face@84ef013381e3", "models/yolo.py",
                  "Qi et al., YOLO5Face: Why Reinventing a Face Detector, ECCV Workshops 2022")
LANDMARKS = 5


def _level(x: T, c: int, nc: int, na: int) -> T:
    no = nc + 5 + 2 * LANDMARKS
    y = P.conv2d(x, c, na * no, 1, 1, 0, bias=True)
    n, hw = y.numel, y.shape.h * y.shape.w
    cells, grid, k = na * hw, 2 * hw, 5 + nc
    xy = 2 * cells
    rec = y.trace.record
    if hw > 1:
        rec(C.copy(n, n))                                              # permute(...).contiguous()
    rec(C.copy(n + k, cells * k))                                      # x[..., class_range]
    rec(C.activation("Sigmoid", cells * k))
    rec(C.copy(k + cells * k, cells * k))                              # y[..., class_range] = ...
    rec(C.copy(2 * LANDMARKS * cells, 2 * LANDMARKS * cells))          # y[..., 5:15] = x[..., 5:15]
    rec(C.elementwise(xy, xy) + C.elementwise(xy, xy) + C.elementwise(xy, xy + grid)
        + C.elementwise(xy, xy + 1) + C.copy(xy, xy))                  # xy, written back
    rec(C.elementwise(xy, xy) + C.elementwise(xy, xy) + C.elementwise(xy, xy) + C.op(weights=2 * na)
        + C.copy(xy, xy))                                              # wh, written back
    for _ in range(LANDMARKS):                                         # l * anchor + grid * stride
        rec(C.elementwise(xy, xy) + C.op(weights=2 * na) + C.elementwise(grid, grid + 1)
            + C.elementwise(xy, xy + grid) + C.copy(xy, xy))
    return y


@register("Detect", channels="head", multi_input=True, torch="yanalyze.verify.head_blocks_variants:FaceDetect",
          source=FACE, variant="face-landmarks", default=False)
def detect_face(xs: Sequence[T], nc: int, anchors: object = (), ch: Sequence[int] = ()) -> list[T]:
    """Per level Conv2d(ch_i, na*(nc+15), 1) with bias, then YOLO5Face's decode with landmarks."""
    if len(xs) != len(ch):
        raise shape_error(f"head gets {len(xs)} inputs but {len(ch)} channel counts")
    na = _anchors_per_level(anchors, len(xs))
    outs = [_level(x, c, nc, na) for x, c in zip(xs, ch)]
    total = sum(y.numel for y in outs)
    outs[0].trace.record(C.copy(total, total))                        # cat over levels
    return outs
