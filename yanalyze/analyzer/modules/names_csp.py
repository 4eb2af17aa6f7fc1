"""CSP and SPP blocks of the yoloY / yoloair / LMSD-YOLO family that YOLOv5 does not have: CTR3 and BoT3
(C3 around BoTNet's bottleneck transformer), SPPFCSPC and GhostSPPFCSPC (SPPCSPC with the SPPF
pooling chain), VoVCSP (Scaled-YOLOv4's), ParNetAttention (ParNet's SSE block) and C3GC (C3
with GCNet's global-context block on its cv2 branch: ReLU in yoloair, SiLU in yoloY), and
RFBNet's BasicRFB (ReLU and scale 0.1 in yoloair / yolov5-parts, SiLU and scale 1.0 in yoloY).

Channel rules as the forks' parse_model apply them: CTR3, BoT3 (the same block under yoloair's
name), GhostSPPFCSPC, VoVCSP and C3GC are C3-like ('csp': the repeat count is inserted as
args[2]); SPPFCSPC is 'conv' in yoloair and yolov5-parts (its k=5 definition) and 'csp' in yoloY
(whose definition pools with k=3); ParNetAttention and BasicRFB are 'conv'.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

from .. import conventions as C
from .. import primitives as P
from .. import shaping as S
from ..model import Shape
from ..registry import Provenance, register
from ..symbolic import ACTS, Act, T, shape_error
from . import attention_ops as O
from .backbone_shuffle import chunk2, idle
from .conv import conv, ghost_conv
from .csp import bottleneck, c3_body
from .sources import YOLOAIR_AT, YOLOY_AT

BLOCKS = "yanalyze.verify.names_blocks_csp"
BOTNET = "Srinivas et al., Bottleneck Transformers for Visual Recognition, CVPR 2021"
CSPNET = "Wang et al., Scaled-YOLOv4: Scaling Cross Stage Partial Network, CVPR 2021"
YOLOV7 = ("Wang et al., YOLOv7: Trainable bag-of-freebies sets new state-of-the-art for real-time object "
          "detectors, CVPR 2023")
PARNET = "Goyal et al., Non-deep Networks, NeurIPS 2022"
CTR3_SRC = Provenance(YOLOY_AT, "models/common.py", BOTNET)
BOT3_SRC = Provenance(YOLOAIR_AT, "models/Models/research.py", BOTNET)
SPPFCSPC_SRC = Provenance(YOLOAIR_AT, "models/common.py", YOLOV7)
SPPFCSPC_K3_SRC = Provenance(YOLOY_AT, "models/common.py", YOLOV7)
GHOST_SPPFCSPC_SRC = Provenance(YOLOY_AT, "models/common.py", YOLOV7)
VOVCSP_SRC = Provenance(YOLOY_AT, "models/common.py", CSPNET)
PARNET_SRC = Provenance(YOLOY_AT, "models/common.py", PARNET)
GCNET = "Cao et al., GCNet: Non-local Networks Meet Squeeze-Excitation Networks and Beyond, ICCVW 2019"
C3GC_SRC = Provenance(YOLOAIR_AT, "models/Models/muitlbackbone.py", GCNET)
C3GC_SILU_SRC = Provenance(YOLOY_AT, "models/common.py", GCNET)
RFBNET = "Liu et al., Receptive Field Block Net for Accurate and Fast Object Detection, ECCV 2018"
BASICRFB_SRC = Provenance(YOLOAIR_AT, "models/common.py", RFBNET)
BASICRFB_SILU_SRC = Provenance(YOLOY_AT, "models/common.py", RFBNET)

SIGMOID, SILU, RELU = ACTS["Sigmoid"], ACTS["SiLU"], ACTS["ReLU"]


def mhsa(x: T, c: int, heads: int) -> T:
    """BoTNet's MHSA without position encoding: q, k, v 1x1 convs with bias; per head the
    (L x L) scores q^T k, nn.Softmax over the keys, v times the transposed weights. Every
    output position sees the whole map."""
    if c % heads:
        raise shape_error(f"MHSA of {c} channels in {heads} heads")
    q, k, v = (P.conv2d(x, c, c, 1, bias=True) for _ in range(3))
    y = replace(P.join([q, k, v], c, "attention"), glob=True)
    L, n = S.tokens(y), y.numel
    scores = heads * L * L
    x.trace.record(C.matmul(scores, c // heads, n, n))                        # q^T k
    x.trace.record(C.softmax(scores, C.softmax_thop(heads * L, L)))          # nn.Softmax(dim=-1)
    x.trace.record(C.matmul(n, L, n, scores))                                 # v (attn)^T
    return y


def bottleneck_transformer(x: T, c: int, heads: int, expansion: float) -> T:
    """BottleneckTransformer(c, c): 1x1 Conv, MHSA, plus the input; an unused Linear(c, c) is
    built (its parameters count)."""
    if int(c * expansion) != c or c != expansion * c:
        raise shape_error(f"BottleneckTransformer with expansion {expansion} feeds {int(c * expansion)} channels "
                          f"to an MHSA built for {c}")
    idle(x, c, lambda t: S.linear(t, c, c, True))
    return P.add(x, mhsa(conv(x, c, c, 1, 1), c, heads))


@register("CTR3", channels="csp", torch=f"{BLOCKS}:CTR3", source=CTR3_SRC)
def ctr3(x: T, c1: int, c2: int, n: int = 1, e: float = 0.5, e2: float = 1, w: int = 20, h: int = 20) -> T:
    """C3 whose inner blocks are n BoTNet bottleneck transformers (4 heads, no position
    encoding, so w and h are unused)."""
    def inner(y: T, hidden: int) -> T:
        for _ in range(n):
            y = bottleneck_transformer(y, hidden, 4, e2)
        return y
    return c3_body(x, c1, c2, e, inner)


@register("BoT3", channels="csp", torch=f"{BLOCKS}:BoT3", source=BOT3_SRC)
def bot3(x: T, c1: int, c2: int, n: int = 1, e: float = 0.5, e2: float = 1, w: int = 20, h: int = 20) -> T:
    """yoloair's name for the same C3 around n BoTNet bottleneck transformers (as CTR3)."""
    return ctr3(x, c1, c2, n, e, e2, w, h)


def sppfcspc_body(x: T, c1: int, c2: int, e: float, k: int, cv) -> T:
    """cv1, 3x3 cv3, cv4; three chained k x k max-pools (stride 1); cat of the four; cv5, 3x3
    cv6; beside cv2 of the input; cat; cv7 to c2. Hidden width int(2 * c2 * e)."""
    h = int(2 * c2 * e)
    x1 = cv(cv(cv(x, c1, h, 1), h, h, 3), h, h, 1)
    x2 = P.maxpool(x1, k, 1, k // 2)
    x3 = P.maxpool(x2, k, 1, k // 2)
    y1 = cv(cv(P.concat([x1, x2, x3, P.maxpool(x3, k, 1, k // 2)]), 4 * h, h, 1), h, h, 3)
    return cv(P.concat([y1, cv(x, c1, h, 1)]), 2 * h, c2, 1)


@register("SPPFCSPC", channels="conv", torch=f"{BLOCKS}:SPPFCSPC", source=SPPFCSPC_SRC, variant="k5")
def sppfcspc(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = False, g: int = 1, e: float = 0.5,
             k: int = 5) -> T:
    """SPPCSPC with SPPF's chained pooling (5x5 by default); n, shortcut and g are unused."""
    return sppfcspc_body(x, c1, c2, e, k, conv)


@register("SPPFCSPC", channels="csp", torch=f"{BLOCKS}:SPPFCSPCK3", source=SPPFCSPC_K3_SRC, variant="k3",
          default=False)
def sppfcspc_k3(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = False, g: int = 1, e: float = 0.5,
                k: int = 3) -> T:
    """The same block pooling 3x3 by default, with C3's channel rule."""
    return sppfcspc_body(x, c1, c2, e, k, conv)


@register("GhostSPPFCSPC", channels="csp", torch=f"{BLOCKS}:GhostSPPFCSPC", source=GHOST_SPPFCSPC_SRC)
def ghost_sppfcspc(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = False, g: int = 1, e: float = 0.5,
                   k: int = 5) -> T:
    """SPPFCSPC whose seven Convs are GhostConvs (5x5 pooling by default)."""
    return sppfcspc_body(x, c1, c2, e, k, lambda t, a, b, kk: ghost_conv(t, a, b, kk, 1))


@register("VoVCSP", channels="csp", torch=f"{BLOCKS}:VoVCSP", source=VOVCSP_SRC)
def vovcsp(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """The second half of the input's channels (chunk 2): 3x3 Conv to c2 // 2, another 3x3
    Conv, both concatenated, 1x1 Conv to c2 (n, shortcut, g and e are unused)."""
    _, b = chunk2(x)
    if b.c != c1 // 2:
        raise shape_error(f"VoVCSP's second half of {c1} channels has {b.c}, its conv expects {c1 // 2}")
    x1 = conv(b, c1 // 2, c2 // 2, 3)
    return conv(P.concat([x1, conv(x1, c2 // 2, c2 // 2, 3)]), c2, c2)


@register("ParNetAttention", channels="conv", torch=f"{BLOCKS}:ParNetAttention", source=PARNET_SRC)
def parnet_attention(x: T, channel: int = 1024, out_channel: int = 1024) -> T:
    """ParNet's SSE block: 1x1 conv + BN, 3x3 conv + BN, and x gated by a pooled 1x1 conv with
    Sigmoid; summed, SiLU (the gate product needs out_channel == channel)."""
    if out_channel != channel:
        raise shape_error(f"ParNetAttention({channel}, {out_channel}) multiplies its {channel}-channel input by "
                          f"a {out_channel}-channel gate")
    x1 = P.batchnorm(P.conv2d(x, channel, out_channel, 1, bias=True))
    x2 = P.batchnorm(P.conv2d(x, channel, out_channel, 3, 1, 1, bias=True))
    g = P.activation(P.conv2d(S.adaptive_avgpool(x, 1), channel, out_channel, 1, bias=True), SIGMOID)
    x3 = S.broadcast(g, x)
    return P.activation(P.add(P.add(x1, x2), x3), SILU)


def context_block(x: T, c: int, act: Act) -> T:
    """GCNet's ContextBlock2d (attention pooling, both fusions): a 1x1 conv to one channel,
    nn.Softmax over the positions, the map's channels weighted by it (a matrix product) to a
    (c, 1, 1) context; two transforms of it (1x1 conv to c // 4, LayerNorm, act, 1x1 conv
    back, all with bias): x times sigmoid(the first), plus the second."""
    p = c // 4
    mask = O.softmax_over(P.conv2d(x, c, 1, 1, bias=True), 1, S.tokens(x))
    context = T(Shape(c, 1, 1), x.fh, x.fw, True, x.trace)
    x.trace.record(C.matmul(c, S.tokens(x), x.numel, mask.numel))

    def transform(t: T) -> T:
        y = P.activation(P.layer_norm(P.conv2d(t, c, p, 1, bias=True), p), act)
        return P.conv2d(y, p, c, 1, bias=True)

    out = S.broadcast(x, P.activation(transform(context), SIGMOID))
    return S.broadcast(out, transform(context))


def c3gc_body(x: T, c1: int, c2: int, n: int, shortcut: bool, g: int, e: float, act: Act) -> T:
    h = int(c2 * e)
    a = conv(x, c1, h, 1, 1)
    for _ in range(n):
        a = bottleneck(a, h, h, shortcut, g, 1.0)
    return conv(P.concat([a, conv(context_block(x, c1, act), c1, h, 1, 1)]), 2 * h, c2, 1)


@register("C3GC", channels="csp", torch=f"{BLOCKS}:C3GC", source=C3GC_SRC, variant="relu")
def c3gc(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """C3 whose cv2 branch reads a global-context block (ReLU in its transforms) of the input."""
    return c3gc_body(x, c1, c2, n, shortcut, g, e, RELU)


@register("C3GC", channels="csp", torch=f"{BLOCKS}:C3GCSiLU", source=C3GC_SILU_SRC, variant="silu", default=False)
def c3gc_silu(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """The same C3GC with SiLU in the context block's transforms."""
    return c3gc_body(x, c1, c2, n, shortcut, g, e, SILU)


def basic_conv(x: T, c1: int, c2: int, k: int, s: int = 1, p: int = 0, d: int = 1, g: int = 1,
               act: Optional[Act] = None) -> T:
    """RFBNet's BasicConv: bias-free Conv2d, BatchNorm2d (not a YOLOv5 Conv: fuse() keeps it),
    then the activation unless it is a linear one (act None)."""
    y = P.batchnorm(P.conv2d(x, c1, c2, k, s, p, g, d))
    return y if act is None else P.activation(y, act)


def basic_rfb_body(x: T, c1: int, c2: int, stride: int, map_reduce: int, vision: int, groups: int,
                   act: Act) -> T:
    """Three branches from a 1x1 to c1 // map_reduce: 3x3 then a 3x3 dilated vision + 1; 3x3 then
    dilated vision + 2; two 3x3 (the second strided) then dilated vision + 4; concatenated, a
    linear 1x1 to c2, scaled, plus a strided linear 1x1 shortcut of the input; act."""
    i = c1 // map_reduce
    branches = []
    for dil, mid in ((vision + 1, None), (vision + 2, None), (vision + 4, (i // 2) * 3)):
        y = basic_conv(x, c1, i, 1, g=groups)
        if mid is None:
            y = basic_conv(y, i, 2 * i, 3, stride, 1, g=groups, act=act)
        else:
            y = basic_conv(basic_conv(y, i, mid, 3, 1, 1, g=groups, act=act), mid, 2 * i, 3, stride, 1, g=groups,
                           act=act)
        branches.append(basic_conv(y, 2 * i, 2 * i, 3, 1, dil, dil, groups))
    out = S.scalar_op(basic_conv(P.concat(branches), 6 * i, c2, 1))
    return P.activation(P.add(out, basic_conv(x, c1, c2, 1, stride)), act)


@register("BasicRFB", channels="conv", torch=f"{BLOCKS}:BasicRFB", source=BASICRFB_SRC, variant="relu")
def basic_rfb(x: T, in_planes: int, out_planes: int, stride: int = 1, scale: float = 0.1, map_reduce: int = 8,
              vision: int = 1, groups: int = 1) -> T:
    """RFBNet's BasicRFB with ReLU; the branch sum is scaled by 0.1 by default."""
    return basic_rfb_body(x, in_planes, out_planes, stride, map_reduce, vision, groups, RELU)


@register("BasicRFB", channels="conv", torch=f"{BLOCKS}:BasicRFBSiLU", source=BASICRFB_SILU_SRC, variant="silu",
          default=False)
def basic_rfb_silu(x: T, in_planes: int, out_planes: int, stride: int = 1, scale: float = 1.0, map_reduce: int = 8,
                   vision: int = 1, groups: int = 1) -> T:
    """The same block with SiLU and scale 1.0 by default."""
    return basic_rfb_body(x, in_planes, out_planes, stride, map_reduce, vision, groups, SILU)
