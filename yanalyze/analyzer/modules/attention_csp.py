"""C3 blocks with attention, as YOLOv5 forks publish them: C3CBAM, C3CA, C3SE, C3_CA, C3EMA and
CBAMC3, on the C3 skeleton (csp.c3_body).

Two bottleneck forms recur: the attention inside the bottleneck, on its 3x3 Conv's output
before the residual (hidden channels int(c2 * 0.5), as YOLOv5's Bottleneck default), or after
the residual (hidden int(c2 * 1.0), as inside YOLOv5's C3). Forks also differ in their parser:
most insert the repeat count into the block ('csp'); some build the block n times instead
(the '-repeated' definitions), which also shifts a written shortcut flag into n.
"""
from __future__ import annotations

from typing import Callable, Optional

from .. import primitives as P
from .. import shaping as S
from ..registry import Provenance, register
from ..symbolic import T
from .attention_cbam import CBAM_PAPER, channel_gate, spatial_gate
from .attention_coord import CA_PAPER, EMA_PAPER, batched, coord_att, ema_group
from .attention_gates import SENET, squeeze_excite
from .conv import conv
from .csp import bottleneck, c3_body

BLOCKS = "yanalyze.verify.attention_blocks_csp"
MANHHV87 = "manhhv87/PCBYOLOv5@b783901ca620"
MLCA = "wandahangFY/MLCA@afbeb47a0f14"
PASSENGER = "dccdcc7/passenger-head-detection-based-on-yolov5@f8554de3f503"
HDUWUJING = "hduwujing/YOLOv5s_final@bb27eeb8a175"
Attend = Callable[[T, int], T]


def cbam_gates(y: T, c: int) -> T:
    """The conv-MLP CBAM (ratio 16, 7x7 spatial gate without bias) applied to y."""
    y = S.broadcast(channel_gate(y, c, c // 16), y)
    return S.broadcast(spatial_gate(y, 7, 3), y)


def ca_gates(hardswish: bool = False) -> Attend:
    return lambda y, c: coord_att(y, c, c, 32, hardswish=hardswish)


def se_gates(y: T, c: int) -> T:
    return squeeze_excite(y, c, c // 16)


def ema_gates(y: T, c: int) -> T:
    return batched(y, 8, ema_group)


Block = Callable[[T, int, bool, int], T]


def in_bottleneck(attend: Attend, e: float = 0.5, grouped: bool = False) -> Block:
    """1x1 Conv to int(h * e), 3x3 Conv back to h (groups g where the fork passes them),
    attention, residual when shortcut."""
    def block(y: T, h: int, shortcut: bool, g: int) -> T:
        a = attend(conv(conv(y, h, int(h * e), 1, 1), int(h * e), h, 3, 1, None, g if grouped else 1), h)
        return P.add(y, a) if shortcut else a
    return block


def after_residual(attend: Attend, always_add: bool = False) -> Block:
    """1x1 then 3x3 Conv with groups g (hidden h), residual when shortcut (always, in C3_CA's
    form), attention."""
    def block(y: T, h: int, shortcut: bool, g: int) -> T:
        a = conv(conv(y, h, h, 1, 1), h, h, 3, 1, None, g)
        return attend(P.add(y, a) if shortcut or always_add else a, h)
    return block


def c3_with(x: T, c1: int, c2: int, n: int, shortcut: bool, g: int, e: float, block: Block) -> T:
    """C3 whose m is n attention bottlenecks on the hidden channels."""
    def inner(y: T, h: int) -> T:
        for _ in range(n):
            y = block(y, h, shortcut, g)
        return y
    return c3_body(x, c1, c2, e, inner)


def _c3(name: str, variant: Optional[str], cls: str, repo: str, paper: str, block: Block, csp: bool = True,
        default: bool = False) -> None:
    """Register one published C3-with-attention definition."""
    src = Provenance(repo, "models/common.py", paper)

    def build(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
        return c3_with(x, c1, c2, n, shortcut, g, e, block)
    build.__doc__ = f"{name} ({variant}): C3 whose bottlenecks carry attention; see the module docstring."
    register(name, channels="csp" if csp else "conv", torch=f"{BLOCKS}:{cls}", source=src, variant=variant,
             default=default)(build)


CBAM_IN, CA_IN, SE_IN = in_bottleneck(cbam_gates), in_bottleneck(ca_gates()), in_bottleneck(se_gates)
_c3("C3CBAM", "in-bottleneck", "C3CBAM", MANHHV87, CBAM_PAPER, CBAM_IN, default=True)
_c3("C3CBAM", "in-bottleneck-repeated", "C3CBAM", MLCA, CBAM_PAPER, CBAM_IN, csp=False)
_c3("C3CBAM", "after-residual", "C3CBAMAfter", HDUWUJING, CBAM_PAPER, after_residual(cbam_gates))
_c3("C3CA", "in-bottleneck", "C3CA", MANHHV87, CA_PAPER, CA_IN, default=True)
_c3("C3CA", "hardswish-repeated", "C3CAHardswish", MLCA, CA_PAPER, in_bottleneck(ca_gates(True)), csp=False)
_c3("C3CA", "after-residual", "C3CAAfter", HDUWUJING, CA_PAPER, after_residual(ca_gates()))
_c3("C3SE", "in-bottleneck", "C3SE", MANHHV87, SENET, SE_IN, default=True)
_c3("C3SE", "in-bottleneck-repeated", "C3SE", PASSENGER, SENET, SE_IN, csp=False)
_c3("C3_CA", "after-add", "C3_CA", "Wu-didi/dangerous_be@09d686d1ebbd", CA_PAPER,
    after_residual(ca_gates(), always_add=True), default=True)
_c3("C3_CA", "in-bottleneck-repeated", "C3_CAIn", "Liudongyun-max/yolov5-7.0-weed-detect@d522e84f716f", CA_PAPER,
    in_bottleneck(ca_gates(), e=1.0, grouped=True), csp=False)
_c3("C3EMA", None, "C3EMA", HDUWUJING, EMA_PAPER, after_residual(ema_gates), default=True)


def cbam_c3(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """YOLOv5's C3 followed by CBAM's channel gate (ratio 16) and 7x7 spatial gate."""
    h = int(c2 * e)

    def inner(y: T, _h: int) -> T:
        for _ in range(n):
            y = bottleneck(y, h, h, shortcut, g, 1.0)
        return y
    return cbam_gates(c3_body(x, c1, c2, e, inner), c2)


CBAMC3_SRC = Provenance("xieyifang0508/yolo@f47479867c43", "models/common.py", CBAM_PAPER)
CBAMC3_REP = Provenance(PASSENGER, "models/common.py", CBAM_PAPER)
register("CBAMC3", channels="csp", torch=f"{BLOCKS}:CBAMC3", source=CBAMC3_SRC, variant="csp")(cbam_c3)
register("CBAMC3", channels="conv", torch=f"{BLOCKS}:CBAMC3", source=CBAMC3_REP, variant="repeated",
         default=False)(cbam_c3)
