"""CoordConv (Liu et al.): two channels holding each position's x and y coordinate in [-1, 1]
(and optionally its distance from the centre) concatenated to the map before a YOLOv5 Conv.

Two published definitions:
- 'addcoords' (YOLOv5 forks' common.py): AddCoords builds the ramps from arange, repeat, a
  cast and three arithmetic kernels each; CoordConv(c1, c2, kernel_size=1, stride=1,
  with_r=False), conv-like for the channel rule.
- 'ppyolo' (PP-YOLO's form, in yoloair's resnet.py): the ramps come from linspace and are
  expanded views concatenated once; CoordConv(ch_in, ch_out, filter_size, padding) with its
  args as written (c2 = ch_out), and the inner Conv's activation is always SiLU.

Generating a ramp (arange, linspace) is a creation op and is not priced, as everywhere in
yanalyze; the copies and arithmetic that follow are, with analyzer.conventions' functions.
"""
from __future__ import annotations

from dataclasses import replace

from .. import conventions as C
from .. import primitives as P
from ..model import Shape
from ..registry import Provenance, register
from ..symbolic import ACTS, T, shape_error
from .conv import autopad, conv
from .sources import YOLOAIR_AT

BLOCKS = "yanalyze.verify.coordconv_blocks"
PAPER = ("Liu et al., An Intriguing Failing of Convolutional Neural Networks and the CoordConv Solution, "
         "NeurIPS 2018")
ADDCOORDS = Provenance("zurichscud/yolov5-se@f5736f456f07", "models/common.py", PAPER)
PPYOLO = Provenance(YOLOAIR_AT, "models/Models/resnet.py",
                    "Long et al., PP-YOLO: An Effective and Efficient Implementation of Object Detector, "
                    "arXiv 2007.12099 (2020); " + PAPER)


def coordinate_plane(x: T) -> T:
    """A one-channel map on x's grid that depends only on the position (its field is x's)."""
    return replace(x, shape=Shape(1, x.shape.h, x.shape.w))


def add_coords(x: T, with_r: bool) -> T:
    """AddCoords: per axis the ramp is repeated over the other axis (a copy from h or w elements
    to h*w), cast to float (a copy), divided by (size - 1), times 2, minus 1, repeated over the
    batch (a copy); both concatenated after x. with_r: sqrt((xx - .5)^2 + (yy - .5)^2) in six
    element-wise kernels, concatenated after that."""
    h, w = x.shape.h, x.shape.w
    n = h * w
    rec = x.trace.record
    for ramp in (h, w):
        rec(C.copy(ramp, n))                       # arange(...).repeat(1, other, 1)
        rec(C.copy(n, n))                          # .float()
        for _ in range(3):                         # / (size - 1), * 2, - 1
            rec(C.elementwise(n, n))
        rec(C.copy(n, n))                          # .repeat(batch, 1, 1, 1)
    plane = coordinate_plane(x)
    y = P.concat([x, plane, plane])
    if with_r:
        for _ in range(2):                         # (xx - 0.5) ** 2, (yy - 0.5) ** 2
            rec(C.elementwise(n, n))
            rec(C.elementwise(n, n))
        rec(C.elementwise(n, 2 * n))               # sum
        rec(C.elementwise(n, n))                   # sqrt
        y = P.concat([y, plane])
    return y


@register("CoordConv", channels="conv", torch=f"{BLOCKS}:CoordConv", source=ADDCOORDS, variant="addcoords")
def coord_conv(x: T, c1: int, c2: int, kernel_size=1, stride=1, with_r: bool = False) -> T:
    """AddCoords (x, y and, with_r, the radius), then Conv(c1 + 2 [+ 1], c2, kernel_size, stride)."""
    cin = c1 + 2 + (1 if with_r else 0)
    return conv(add_coords(x, bool(with_r)), cin, c2, kernel_size, stride)


def _ppyolo_rule(c1: int, args: list, ctx: object) -> tuple[list, int]:
    """yoloair's parse_model: c2 = args[1], args as written (ch_in is the row's own number)."""
    if len(args) < 4:
        raise shape_error(f"CoordConv (PP-YOLO form) takes ch_in, ch_out, filter_size, padding; got {args!r}")
    return list(args), args[1]


@register("CoordConv", channels=_ppyolo_rule, torch=f"{BLOCKS}:CoordConvPP", source=PPYOLO, variant="ppyolo",
          default=False)
def coord_conv_pp(x: T, ch_in: int, ch_out: int, filter_size, padding, data_format: str = "NCHW") -> T:
    """Coordinate ramps from linspace, expanded and concatenated (one copy reading h + w
    elements), then concatenated after x; Conv(ch_in + 2, ch_out, filter_size, 1, padding) with SiLU."""
    if x.c != ch_in:
        raise shape_error(f"CoordConv({ch_in}, {ch_out}, ...) gets {x.c} channels")
    h, w = x.shape.h, x.shape.w
    x.trace.record(C.copy(h + w, 2 * h * w))      # cat of the two expanded ramps
    plane = coordinate_plane(x)
    y = P.concat([x, replace(plane, shape=Shape(2, h, w))])
    return conv(y, ch_in + 2, ch_out, filter_size, 1, autopad(filter_size, padding), act=ACTS["SiLU"])
