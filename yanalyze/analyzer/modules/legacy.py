"""YOLOv5 v1.0's layout, analysed as v1.0 built it: its detection convs are nn.Conv2d rows with
the conv-like channel rule, its Detect has no convs of its own and finds its inputs itself
(the layers with na * (nc + 5) channels), and its blocks use LeakyReLU(0.1)."""
from __future__ import annotations

from typing import Sequence

from .. import conventions as C
from .. import primitives as P
from ..registry import Provenance, register
from ..symbolic import ACTS, T, shape_error
from .conv import conv
from .csp import bottleneck
from .heads import _anchors_per_level
from .torch_nn import conv2d

V1 = Provenance("Ultralytics YOLOv5 v1.0", "models/yolo.py, models/common.py")
LEGACY = "yanalyze.verify.legacy_blocks"

register("nn.Conv2d", channels="conv", torch="torch.nn:Conv2d", source=V1, variant="yolov5-v1.0",
         default=False)(conv2d)


@register("BottleneckCSP", channels="csp", torch=f"{LEGACY}:BottleneckCSPv1", source=V1, variant="yolov5-v1.0",
          default=False)
def bottleneck_csp_v1(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1,
                      e: float = 0.5) -> T:
    """v1.0's CSP bottleneck: as later, with LeakyReLU(0.1) after the concat and cv4 = Conv(c2, c2)."""
    h = int(c2 * e)
    a = conv(x, c1, h, 1, 1)
    for _ in range(n):
        a = bottleneck(a, h, h, shortcut, g, 1.0)
    y = P.concat([P.conv2d(a, h, h, 1), P.conv2d(x, c1, h, 1)])
    return conv(P.activation(P.batchnorm(y), ACTS["LeakyReLU"]), c2, c2, 1, 1)


def _v1_rule(c1: int, args: list, ctx: object) -> tuple[list, int]:
    """v1.0's parse_model passes Detect its args as written."""
    return list(args), c1


@register("Detect", channels=_v1_rule, multi_input=True, head=True, torch=f"{LEGACY}:DetectV1", source=V1,
          variant="yolov5-v1.0", default=False)
def detect_v1(xs: Sequence[T], nc: int, anchors: object = ()) -> list[T]:
    """No convs: per level the permute copy, sigmoid, xy = (2s - 0.5 + grid) * stride and
    wh = (2s)^2 * anchor written back into the sigmoid's tensor, then the levels concatenated."""
    na, no = _anchors_per_level(anchors, len(xs)), nc + 5
    for x in xs:
        if x.c != na * no:
            raise shape_error(f"Detect expects {na} x {no} = {na * no} channels per level, gets {x.c}")
        n, cells = x.numel, na * x.shape.h * x.shape.w
        xy, grid = 2 * cells, 2 * x.shape.h * x.shape.w
        x.trace.record(C.copy(n, n) + C.activation("Sigmoid", n))
        x.trace.record(C.elementwise(xy, xy) + C.elementwise(xy, xy) + C.elementwise(xy, xy + grid)
                       + C.elementwise(xy, xy + 1) + C.copy(xy, xy))        # xy, written back
        x.trace.record(C.elementwise(xy, xy) + C.elementwise(xy, xy) + C.elementwise(xy, xy)
                       + C.op(weights=2 * na) + C.copy(xy, xy))             # wh (anchor grid: a buffer), back
    total = sum(x.numel for x in xs)
    xs[0].trace.record(C.copy(total, total))
    return list(xs)
