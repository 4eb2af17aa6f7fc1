"""CSP-style blocks with CBAM-style gates that YOLOv5 forks publish: laoresh's CBAMDPN (the dual-path
C3 of DPN followed by a channel and a spatial gate) and RFENet's MA2 (a C3-like branch with a
dilated 3x3 conv, concatenated with channel-gated and spatially-gated copies of the input)."""
from __future__ import annotations

from .. import primitives as P
from .. import shaping as S
from ..registry import Provenance, register
from ..symbolic import T
from .attention_cbam import channel_gate, spatial_gate
from .backbone_misc import dpn
from .conv import conv
from .csp import bottleneck

BLOCKS = "yanalyze.verify.attention_blocks_hybrid"
CBAM_PAPER = "Woo et al., CBAM: Convolutional Block Attention Module, ECCV 2018"
LAORESH = Provenance("laoresh/yolov5@1ed4a995d539", "models/common.py",
                     "Chen et al., Dual Path Networks, NeurIPS 2017; " + CBAM_PAPER)
RFENET = Provenance("object9detection/RFENet@f405a2b00ee7", "models/common.py",
                    "RFENet (the fork's multi-dimensional attention module MDAM); " + CBAM_PAPER)


@register("CBAMDPN", channels="csp", torch=f"{BLOCKS}:CBAMDPN", source=LAORESH)
def cbam_dpn(x: T, c1: int, c2: int, block: int = 1, cat_chnl: int = 16, cardinality: int = 16, d: int = 3,
             stride: int = 1, e: float = 0.5) -> T:
    """DPN's dual-path C3 (the row's repeat count is the number of dual-path units), then a CBAM
    channel gate (1x1-conv MLP without bias, ReLU, c2 // 16 hidden) and a 7x7 spatial gate
    without bias, each multiplied into the map."""
    y = dpn(x, c1, c2, block, cat_chnl, cardinality, d, stride, e)
    y = S.broadcast(y, channel_gate(y, c2, c2 // 16))
    return S.broadcast(y, spatial_gate(y, 7, 3))


@register("MA2", channels="csp", torch=f"{BLOCKS}:MA2", source=RFENET)
def ma2(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """On the input: a channel gate (Linear MLP with bias and LeakyReLU(0.1), c1 // 16 hidden)
    times x and a 7x7 spatial gate with bias times x; beside them a 1x1 Conv to h = int(c2 * e),
    n Bottlenecks, a biased 3x3 conv with dilation 5 whose output is concatenated with its input
    and brought back to c1 by a 1x1 Conv; the four c1-channel maps concatenated, 1x1 Conv to c2."""
    h = int(c2 * e)
    gated_c = S.broadcast(channel_gate(x, c1, c1 // 16, linear=True), x)
    gated_s = S.broadcast(spatial_gate(x, 7, 3, bias=True), x)
    a = conv(x, c1, h, 1, 1)
    for _ in range(n):
        a = bottleneck(a, h, h, shortcut, g, 1.0)
    b = P.conv2d(a, h, h, 3, 1, 5, 1, 5, bias=True)
    mixed = conv(P.concat([a, b]), 2 * h, c1, 1)
    return conv(P.concat([mixed, gated_c, gated_s, x]), 4 * c1, c2, 1)
