"""YOLOR's implicit-knowledge detection head in YOLOv5 forks: IDetect (ImplicitA, a learned
per-channel offset added before each level's 1x1 conv; ImplicitM, a learned per-channel scale
after it), with YOLOR's in-place decode (grid per cell, anchor grid a registered buffer)."""
from __future__ import annotations

from typing import Sequence

from .. import conventions as C
from ..registry import Provenance, register
from ..symbolic import T, shape_error
from .headsx import decode_inplace, detect_convs
from .necks import weights_read
from .sources import YOLOAIR_AT

YOLOR = "Wang, Yeh, Liao, You Only Learn One Representation: Unified Network for Multiple Tasks, arXiv 2105.04206 (2021)"
YOLOAIR = Provenance(YOLOAIR_AT, "models/Detect/MuitlHead.py, models/Models/research.py", YOLOR)
RESEARCH = Provenance("positive666/yolo_research@f5795f27a56c", "models/yolo.py, models/common.py", YOLOR)
HEADSX = "yanalyze.verify.headsx_blocks_idetect"


def implicit(x: T) -> T:
    """ImplicitA (x + a) or ImplicitM (x * m): a (1, C, 1, 1) parameter broadcast over the map."""
    c = x.c
    x.trace.record(C.op(params=c))
    x.trace.record(weights_read(C.elementwise(x.numel, x.numel + c), c))
    return x


def _idetect(xs: Sequence[T], nc: int, anchors: object, ch: Sequence[int], scale: bool) -> list[T]:
    for x in xs:
        implicit(x)
    ys, na = detect_convs(xs, nc + 5, anchors, ch)
    for y in ys:
        if scale:
            implicit(y)
        else:  # built, never called
            y.trace.record(C.op(params=y.c))
    return decode_inplace(ys, na, nc + 5, grid_per_anchor=False, offset=True, anchor_buffer=True)


@register("IDetect", channels="head", multi_input=True, torch=f"{HEADSX}:IDetect", source=YOLOAIR, variant="yolor")
def idetect(xs: Sequence[T], nc: int, anchors: object = (), ch: Sequence[int] = ()) -> list[T]:
    """Per level: ImplicitA(ch_i), Conv2d(ch_i, na*(nc+5), 1) with bias, ImplicitM; then
    YOLOR's in-place decode ((2 s - 0.5 + grid) * stride, (2 s)^2 * anchor_grid)."""
    return _idetect(xs, nc, anchors, ch, True)


@register("IDetect", channels="head", multi_input=True, torch=f"{HEADSX}:IDetect_a_only", source=RESEARCH,
          variant="implicit-m-unused", default=False)
def idetect_a_only(xs: Sequence[T], nc: int, anchors: object = (), ch: Sequence[int] = (),
                   inplace: bool = True) -> list[T]:
    """As IDetect, except that the forward pass never applies ImplicitM (its parameters exist)."""
    if not inplace:
        raise shape_error("only the in-place decode (inplace=True, the default) is modelled")
    return _idetect(xs, nc, anchors, ch, False)
