"""Decoupled detection heads in YOLOv5 forks (YOLOX-style: separate classification and box /
objectness branches per level, anchors kept): Decoupled_Detect in three published definitions,
each followed by the YOLOv5 v6.0 in-place decode."""
from __future__ import annotations

import struct
from typing import Callable, Sequence

from .. import conventions as C
from .. import primitives as P
from ..cost import Cost
from ..registry import Provenance, register
from ..symbolic import T, shape_error
from .conv import conv
from .heads import _anchors_per_level, _box_arithmetic
from .headsx import decode_inplace
from .sources import YOLOAIR_AT

YOLOX = "Ge, Liu, Wang, Li, Sun, YOLOX: Exceeding YOLO Series in 2021, arXiv 2107.08430 (2021)"
YOLOAIR = Provenance(YOLOAIR_AT, "models/Detect/MuitlHead.py, models/Models/research.py", YOLOX)
TRICK = Provenance("xinghanliuying/yolov5-trick@d57d3c7e7d70", "models/yolo.py", YOLOX)
RESEARCH = Provenance("positive666/yolo_research@f5795f27a56c", "models/yolo.py", YOLOX)
HEADSX = "yanalyze.verify.headsx_blocks_decoupled"


def _levels(xs: Sequence[T], anchors: object, ch: Sequence[int]) -> int:
    if len(xs) != len(ch):
        raise shape_error(f"head gets {len(xs)} inputs but {len(ch)} channel counts")
    return _anchors_per_level(anchors, len(xs))


def _inplace(inplace: bool) -> None:
    if not inplace:
        raise shape_error("only the in-place decode (inplace=True, the default) is modelled")


def _pred(x: T, c1: int, c2: int) -> T:
    return P.conv2d(x, c1, c2, 1, 1, 0, bias=True)


def shared(x: T, run: Callable[[], T]) -> T:
    """A module called again (one set of weights shared by the levels): its kernels count each
    call, its parameters once."""
    before = x.trace.cost
    y = run()
    after = x.trace.cost
    x.trace.record(Cost(params=before.params - after.params, params_fused=before.params_fused - after.params_fused))
    return y


# ----------------------------------------------------------------------------- YOLOX-style DecoupledHead
def decoupled_head(x: T, c: int, nc: int, na: int) -> T:
    """Conv 1x1 to 256; two 3x3 Convs then a 1x1 conv (bias) to nc*na for classes; two 3x3 Convs
    then 1x1 convs (bias) to 4*na boxes and na objectness; concatenated (boxes, objectness, classes)."""
    x = conv(x, c, 256, 1, 1)
    cls = _pred(conv(conv(x, 256, 256, 3, 1, 1), 256, 256, 3, 1, 1), 256, nc * na)
    reg = conv(conv(x, 256, 256, 3, 1, 1), 256, 256, 3, 1, 1)
    return P.concat([_pred(reg, 256, 4 * na), _pred(reg, 256, na), cls])


@register("Decoupled_Detect", channels="head", multi_input=True, torch=f"{HEADSX}:Decoupled_Detect",
          source=YOLOAIR, variant="yolox-head")
def decoupled_detect(xs: Sequence[T], nc: int, anchors: object = (), ch: Sequence[int] = (),
                     inplace: bool = True) -> list[T]:
    """Per level a YOLOX-style DecoupledHead(ch_i, nc, anchors) (256 channels wide), then the
    in-place decode."""
    _inplace(inplace)
    na = _levels(xs, anchors, ch)
    ys = [decoupled_head(x, c, nc, na) for x, c in zip(xs, ch)]
    return decode_inplace(ys, na, nc + 5)


# ----------------------------------------------------------------------------- branches shared by the levels
@register("Decoupled_Detect", channels="head", multi_input=True, torch=f"{HEADSX}:Decoupled_Detect_shared",
          source=TRICK, variant="shared-branches", default=False)
def decoupled_detect_shared(xs: Sequence[T], nc: int, anchors: object = (), ch: Sequence[int] = (),
                            inplace: bool = True) -> list[T]:
    """Per level YOLOv5's Conv2d(ch_i, na*(nc+5), 1), then branches shared by all levels: two 3x3
    Convs and a 1x1 conv to nc*na (classes), two 3x3 Convs and 1x1 convs to 4*na and na (boxes,
    objectness); concatenated, then the in-place decode."""
    _inplace(inplace)
    na = _levels(xs, anchors, ch)
    c = na * (nc + 5)

    def branches(y: T) -> T:
        reg = conv(conv(y, c, c, 3), c, c, 3)
        cls = _pred(conv(conv(y, c, c, 3), c, c, 3), c, nc * na)
        return P.concat([_pred(reg, c, 4 * na), _pred(reg, c, na), cls])

    ys = []
    for k, (x, ci) in enumerate(zip(xs, ch)):
        y = _pred(x, ci, c)
        ys.append(branches(y) if k == 0 else shared(y, lambda: branches(y)))
    return decode_inplace(ys, na, nc + 5)


# ----------------------------------------------------------------------------- Decouple (channel descent)
_DESCENT = (0.6666666269302368, 0.3333333432674408)  # float32 torch.linspace(1, 0, 4)[1:3]


def _f32(v: float) -> float:
    return struct.unpack("f", struct.pack("f", v))[0]


def descent(c_: int, na: int) -> tuple[int, int]:
    """int((c_ - 5na) * linspace(1, 0, 4)[k] + 5na) for k = 1, 2, in float32 as torch computes it."""
    return tuple(int(_f32(_f32((c_ - 5 * na) * t) + 5 * na)) for t in _DESCENT)  # type: ignore[return-value]


def decouple(x: T, c1: int, nc: int, na: int) -> T:
    """Conv 1x1 to c_ = min(c1, 256); boxes+objectness: Conv 3x3 down a linear channel descent
    to 5*na (1x1 conv with bias last); classes: two 1x1 Convs and a 1x1 conv (bias) to nc*na;
    the two concatenated per anchor."""
    c_ = min(c1, 256)
    d1, d2 = descent(c_, na)
    x = conv(x, c1, c_, 1)
    b = _pred(conv(conv(x, c_, d1, 3), d1, d2, 3), d2, 5 * na)
    c = _pred(conv(conv(x, c_, c_, 1), c_, c_, 1), c_, nc * na)
    return P.concat([b, c])


@register("Decoupled_Detect", channels="head", multi_input=True, torch=f"{HEADSX}:Decoupled_Detect_decouple",
          source=RESEARCH, variant="decouple", default=False)
def decoupled_detect_decouple(xs: Sequence[T], nc: int, anchors: object = (), ch: Sequence[int] = (),
                              inplace: bool = True) -> list[T]:
    """Per level a Decouple(ch_i, nc, na) block, then the in-place decode."""
    _inplace(inplace)
    na = _levels(xs, anchors, ch)
    ys = [decouple(x, c, nc, na) for x, c in zip(xs, ch)]
    return decode_inplace(ys, na, nc + 5)


# ----------------------------------------------------------------------------- stem + branches, v7.0 decode
MLN = Provenance("mi-luo/MLN@f93227186bcf", "models/yolo.py", YOLOX)


def _to_anchor_last(y: T, na: int, k: int) -> T:
    """view(bs, na, k, ny, nx).permute(0, 1, 3, 4, 2).contiguous(): a copy unless already contiguous."""
    if k > 1 and y.shape.h * y.shape.w > 1:
        y.trace.record(C.copy(y.numel, y.numel))
    return y


@register("Decoupled_Detect", channels="head", multi_input=True, torch=f"{HEADSX}:Decoupled_Detect_stem",
          source=MLN, variant="stem-branches", default=False)
def decoupled_detect_stem(xs: Sequence[T], nc: int, anchors: object = (), ch: Sequence[int] = (),
                          inplace: bool = True) -> list[T]:
    """Per level (ch_i wide): a stem of two 3x3 Convs; classes: a 3x3 Conv and a 1x1 conv (bias)
    to nc*na; boxes and objectness: a 3x3 Conv, then 1x1 convs (bias) to 4*na and na; each
    permuted to anchor-last layout, concatenated; then YOLOv5 v7.0's decode (sigmoid, split)."""
    na = _levels(xs, anchors, ch)
    ys = []
    for x, c in zip(xs, ch):
        s = conv(conv(x, c, c, 3), c, c, 3)
        cls = _to_anchor_last(_pred(conv(s, c, c, 3), c, na * nc), na, nc)
        rc = conv(s, c, c, 3)
        reg, obj = _to_anchor_last(_pred(rc, c, 4 * na), na, 4), _to_anchor_last(_pred(rc, c, na), na, 1)
        y = P.concat([reg, obj, cls])
        n, cells = y.numel, na * y.shape.h * y.shape.w
        y.trace.record(C.activation("Sigmoid", n))
        y.trace.record(_box_arithmetic(cells, na))
        y.trace.record(C.copy(n, n))                                   # cat(xy, wh, conf)
        ys.append(y)
    total = sum(y.numel for y in ys)
    ys[0].trace.record(C.copy(total, total))                           # cat over levels
    return ys
