"""yoloair's YOLOX head (DetectX): the decoupled branches are built as ordinary rows in the config
(a class and a box branch per level), and the head takes their six outputs as (cls, reg) pairs,
with the strides fixed at 8, 16 and 32. Per level: 1x1 convs with bias to na x nc class scores,
4 box values and na objectness scores; in eval the sigmoid of the scores, the three
concatenated, all levels flattened and concatenated, and the decode (grid offsets and exp of the
sizes times the stride), rebuilt on every call.

The decode works on the flattened anchor rows, so its kernels are priced with
analyzer.conventions' functions (copies, element-wise kernels).
"""
from __future__ import annotations

from typing import Sequence

from .. import conventions as C
from .. import primitives as P
from ..channels import RuleContext
from ..registry import Provenance, register
from ..symbolic import ACTS, T, shape_error
from .sources import YOLOAIR_AT

BLOCKS = "yanalyze.verify.headsx_blocks_yolox"
STRIDES = (8, 16, 32)
YOLOX = Provenance(YOLOAIR_AT, "models/yolox.py, models/yolo.py",
                   "Ge et al., YOLOX: Exceeding YOLO Series in 2021, arXiv 2107.08430 (2021)")


def _inputs_rule(c1: int, args: list, ctx: RuleContext) -> tuple[list, int]:
    """yoloair's parse_model for DetectX: the channels of the rows in 'from' appended to the args as
    written (an int anchor count stays an int)."""
    row = ctx.row
    src = row.src_from if isinstance(row.src_from, list) else [row.src_from]
    chans = [ctx.ch[(f if f >= 0 else row.index + f) + 1] for f in src]
    if len(args) < 1:
        raise shape_error("DetectX needs the class count as its first argument")
    return [*args, chans], c1


def decode(levels: Sequence[T], no: int) -> None:
    rec = levels[0].trace.record
    a = sum(t.shape.h * t.shape.w for t in levels)
    rec(C.copy(no * a, no * a))                    # levels flattened and concatenated
    for t in levels:
        rec(C.copy(t.shape.h + t.shape.w, 2 * t.shape.h * t.shape.w))  # stack of the meshgrid
    rec(C.copy(2 * a, 2 * a))                      # cat of the grids
    rec(C.copy(2 * a, 2 * a))                      # .type(float)
    rec(C.copy(a, a))                              # cat of the strides
    rec(C.copy(a, a))                              # .type(float)
    rec(C.elementwise(2 * a, 4 * a))               # xy + grid
    rec(C.elementwise(2 * a, 3 * a))               # * stride
    rec(C.copy(2 * a, 2 * a))                      # written back into the slice
    rec(C.elementwise(2 * a, 2 * a))               # exp(wh)
    rec(C.elementwise(2 * a, 3 * a))               # * stride
    rec(C.copy(2 * a, 2 * a))                      # written back into the slice


@register("DetectX", channels=_inputs_rule, multi_input=True, head=True, torch=f"{BLOCKS}:DetectX", source=YOLOX)
def detectx(xs: Sequence[T], num_classes: int, anchors=1, in_channels: Sequence[int] = (), inplace: bool = True,
            prior_prob: float = 1e-2) -> list[T]:
    """Per level (class input, box input): Conv2d 1x1 with bias to na x nc on the first, to 4 and
    to na on the second; cat(box, sigmoid(objectness), sigmoid(classes)); then the decode."""
    na = len(anchors) if isinstance(anchors, (list, tuple)) else anchors
    if isinstance(na, bool) or not isinstance(na, int) or na < 1:
        raise shape_error(f"DetectX needs an anchor count, got {anchors!r}")
    if len(xs) != len(in_channels) or len(xs) != 2 * len(STRIDES):
        raise shape_error(f"DetectX reads (class, box) inputs for its three levels (strides {STRIDES}): six "
                          f"inputs, got {len(xs)}")
    sig = ACTS["Sigmoid"]
    levels = []
    for k in range(len(STRIDES)):
        cx, rx, cc, rc = xs[2 * k], xs[2 * k + 1], in_channels[2 * k], in_channels[2 * k + 1]
        cls = P.activation(P.conv2d(cx, cc, na * num_classes, 1, bias=True), sig)
        box = P.conv2d(rx, rc, 4, 1, bias=True)
        obj = P.activation(P.conv2d(rx, rc, na, 1, bias=True), sig)
        levels.append(P.concat([box, obj, cls]))
    decode(levels, 4 + na + na * num_classes)
    return levels
