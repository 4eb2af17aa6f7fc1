"""V8_Segment and a Segment definition: yolo_research's YOLOv8-style segmentation head inside its YOLOv5 code base: the
anchor-free V8_Detect, plus a mask-coefficient branch per level and the prototypes of its own
Proto, whose upsampling is a learned ConvTranspose2d (2x2, stride 2, with bias), not YOLOv5's
nearest upsample.

Channel rule (yolo_research's parse_model, a config without anchors): the inputs' channels are
appended to the args and the prototype count npr (args[2]) is width-scaled; nm (args[1]) is
taken as written. In eval it returns the decoded boxes and classes concatenated with the mask
coefficients (one more copy), the per-level maps and the prototypes.

ISegment (its yolov7-seg config): YOLOR's IDetect as yolo_research runs it (ImplicitA before each
level's conv; the ImplicitM modules, sized for nc + 5 outputs, are built and never applied) with
nc + 5 + nm outputs per anchor and the same Proto; its parser (a config with anchors) expands an
anchor count and width-scales npr (args[3]).

yolo_research's own Segment (its yolov5*-seg configs) is YOLOv5 v7.0's Segment with that same
transposed-convolution Proto: registered as Segment's 'proto-transposed' definition (YOLOv5's
channel rule for Segment: npr width-scaled).
"""
from __future__ import annotations

from typing import Sequence

from .. import conventions as C
from .. import shaping as S
from ..channels import RuleContext
from ..errors import ConfigError
from ..registry import Provenance, register
from ..symbolic import T, shape_error
from .conv import conv
from .heads import detect_levels
from .headsx import decode_inplace, detect_convs
from .headsx_idetect import implicit
from .headsx_v8 import REG_MAX, YOLO_RESEARCH, branch, v8_detect

BLOCKS = "yanalyze.verify.names_blocks_heads"
V8_SEGMENT_SRC = Provenance(YOLO_RESEARCH.source, "models/yolo.py, models/common.py", YOLO_RESEARCH.paper)


def _input_channels(ctx: RuleContext) -> list[int]:
    """The channels of every layer the row reads (ctx.ch: the input's, then each layer's)."""
    if ctx.nc is None:
        raise ConfigError("missing 'nc' (number of classes) for the detection head", code="parse/setting")
    if ctx.row is None or len(ctx.ch) < 1:
        raise ConfigError("this head needs the channels of its inputs", code="parse/args")
    froms = ctx.row.src_from if isinstance(ctx.row.src_from, list) else [ctx.row.src_from]
    return [ctx.ch[(ctx.row.index + f if f < 0 else f) + 1] for f in froms]


def _v8_segment_rule(c1: int, args: list, ctx: RuleContext) -> tuple[list, int]:
    """[nc, nm, npr] + the inputs' channels, npr width-scaled (no anchor count to expand)."""
    chans, args = _input_channels(ctx), list(args)
    if len(args) > 2:
        args[2] = ctx.scale(args[2])
    return [*args, chans], c1


def _isegment_rule(c1: int, args: list, ctx: RuleContext) -> tuple[list, int]:
    """[nc, anchors, nm, npr] + the inputs' channels: an anchor count becomes that many anchors
    per level, npr width-scaled."""
    chans, args = _input_channels(ctx), list(args)
    if len(args) > 1 and isinstance(args[1], int) and not isinstance(args[1], bool):
        args[1] = [list(range(args[1] * 2))] * len(chans)
    if len(args) > 3:
        args[3] = ctx.scale(args[3])
    return [*args, chans], c1


def proto_transposed(x: T, c1: int, c_: int, c2: int) -> T:
    """Conv 3x3, ConvTranspose2d(c_, c_, 2, 2) with bias, Conv 3x3, Conv 1x1 to c2."""
    y = S.conv_transpose2d(conv(x, c1, c_, 3), c_, c_, 2, 2)
    return conv(conv(y, c_, c_, 3), c_, c2)


@register("V8_Segment", channels=_v8_segment_rule, multi_input=True, head=True,
          torch=f"{BLOCKS}:V8_Segment", source=V8_SEGMENT_SRC)
def v8_segment(xs: Sequence[T], nc: int = 80, nm: int = 32, npr: int = 256, ch: Sequence[int] = ()) -> list[T]:
    """Prototypes of the first level; per level Conv 3x3 to c4 = max(ch[0] // 4, nm), Conv 3x3,
    Conv2d 1x1 with bias to nm, flattened and concatenated; V8_Detect; boxes, classes and mask
    coefficients concatenated."""
    if len(xs) != len(ch):
        raise shape_error(f"V8_Segment gets {len(xs)} inputs but {len(ch)} channel counts")
    p = proto_transposed(xs[0], ch[0], npr, nm)
    c4 = max(ch[0] // 4, nm)
    coeffs = [branch(x, c, c4, nm) for x, c in zip(xs, ch)]
    a = sum(t.shape.h * t.shape.w for t in coeffs)
    rec = xs[0].trace.record
    rec(C.copy(nm * a, nm * a))                              # mask coefficients concatenated
    levels = v8_detect(xs, nc, ch)
    rec(C.copy((4 + nc + nm) * a, (4 + nc + nm) * a))        # decoded boxes + classes + coefficients
    return [*levels, p]


@register("ISegment", channels=_isegment_rule, multi_input=True, head=True, torch=f"{BLOCKS}:ISegment",
          source=V8_SEGMENT_SRC)
def isegment(xs: Sequence[T], nc: int, anchors: object = (), nm: int = 32, npr: int = 256,
             ch: Sequence[int] = (), inplace: bool = True) -> list[T]:
    """Proto of the first level; per level ImplicitA, Conv2d 1x1 with bias to na * (nc + 5 + nm)
    and an unused ImplicitM of na * (nc + 5); YOLOR's in-place decode (sigmoid of every output)."""
    if not inplace:
        raise shape_error("only the in-place decode (inplace=True, the default) is modelled")
    p = proto_transposed(xs[0], ch[0], npr, nm)
    for x in xs:
        implicit(x)
    ys, na = detect_convs(xs, nc + 5 + nm, anchors, ch)
    for y in ys:
        y.trace.record(C.op(params=na * (nc + 5)))  # ImplicitM: built, never called
    return [*decode_inplace(ys, na, nc + 5 + nm, grid_per_anchor=False, offset=True, anchor_buffer=True), p]


@register("Segment", channels="head", multi_input=True, torch=f"{BLOCKS}:SegmentTransposed", source=V8_SEGMENT_SRC,
          variant="proto-transposed", default=False)
def segment_transposed(xs: Sequence[T], nc: int, anchors: object = (), nm: int = 32, npr: int = 256,
                       ch: Sequence[int] = ()) -> list[T]:
    """YOLOv5's Segment whose Proto upsamples with a learned ConvTranspose2d."""
    p = proto_transposed(xs[0], ch[0], npr, nm)
    return [*detect_levels(xs, nc + 5 + nm, anchors, ch, nm), p]


__all__ = ["REG_MAX", "isegment", "segment_transposed", "v8_segment"]
