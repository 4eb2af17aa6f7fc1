"""YOLO-FaceV2's occlusion-aware gates SEAM and MultiSEAM, and GAMAttention (GAM under the name the
yoloair family uses), as the forks that build them publish them.

SEAM and MultiSEAM: depth-wise / point-wise residual convolutions (GELU, then a standalone
BatchNorm2d), pooled to a channel vector, Linear - act - Linear - Sigmoid, exp, and the input
scaled by it. Both keep their input's channels (the constructor replaces c2 by c1), while the
forks' parsers record the width-scaled args[0]: a row where the two differ cannot be built.
The two published definitions differ in the fc activation only (ReLU in yoloair's
models/Models/FaceV2.py, SiLU in yoloY's models/common.py).

LSEFast (MLCA's local squeeze-excite): a 2x2 adaptive average pool, a grouped 1x1 conv, Hardswish
and a sigmoid, stretched back to the map by F.adaptive_avg_pool2d (an enlarging adaptive pool,
written here from conventions.py's adaptive-pool price; as a function, thop does not count it).
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

from .. import conventions as C
from .. import primitives as P
from .. import shaping as S
from ..model import Shape
from ..registry import Provenance, register
from ..symbolic import ACTS, Act, T, shape_error
from . import attention_ops as O
from .attention_gates import gam_body
from .sources import YOLOAIR_AT, YOLOY_AT

BLOCKS = "yanalyze.verify.names_blocks_attention"
FACEV2 = "Yu et al., YOLO-FaceV2: A Scale and Occlusion Aware Face Detector, 2022"
GAM = "Liu et al., Global Attention Mechanism: Retain Information to Enhance Channel-Spatial Interactions, arXiv 2021"
SEAM_AIR = Provenance(YOLOAIR_AT, "models/Models/FaceV2.py", FACEV2)
SEAM_YOLOY = Provenance(YOLOY_AT, "models/common.py", FACEV2)
GAM_AIR = Provenance(YOLOAIR_AT, "models/Models/Attention/GAMAttention.py", GAM)
GAM_YOLOY = Provenance(YOLOY_AT, "models/common.py", GAM)

MLCA = "wandahangFY/MLCA@afbeb47a0f14"
LSEFAST_SRC = Provenance(MLCA, "models/common.py",
                         "Wan et al., Mixed local channel attention for object detection, Engineering Applications "
                         "of Artificial Intelligence 2023")

GELU, SIGMOID, RELU, SILU = ACTS["GELU"], ACTS["Sigmoid"], ACTS["ReLU"], ACTS["SiLU"]
HSWISH = ACTS["Hardswish"]


def _keeps_channels(what: str, c1: int, c2: int) -> None:
    if c1 != c2:
        raise shape_error(f"{what} outputs its {c1} input channels while the parser records {c2}: "
                          f"the fork's next layer would be built for {c2} channels")


def conv_gelu_bn(x: T, c1: int, c2: int, k: int, s: int = 1, p: int = 0, g: int = 1) -> T:
    """nn.Conv2d with bias, GELU, then a standalone BatchNorm2d (not folded by fuse())."""
    return P.batchnorm(P.activation(P.conv2d(x, c1, c2, k, s, p, g, bias=True), GELU))


def mixer_stage(x: T, c: int, k: int) -> T:
    """Residual(depth-wise k x k conv (padding 1), GELU, BN), then a 1x1 conv, GELU, BN."""
    y = P.add(conv_gelu_bn(x, c, c, k, 1, 1, c), x)
    return conv_gelu_bn(y, c, c, 1)


def exp_gate(x: T, pooled: T, c: int, reduction: int, act: Act) -> T:
    """Linear(c, c // r) without bias, act, Linear back, Sigmoid, exp; x times the result."""
    y = S.linear(pooled, c, c // reduction, False)
    y = P.activation(S.linear(P.activation(y, act), c // reduction, c, False), SIGMOID)
    return S.broadcast(x, S.scalar_op(y))


def seam_body(x: T, c1: int, c2: int, n: int, reduction: int, act: Act) -> T:
    _keeps_channels("SEAM", c1, c2)
    y = x
    for _ in range(n):
        y = mixer_stage(y, c1, 3)
    return exp_gate(x, S.adaptive_avgpool(y, 1), c1, reduction, act)


@register("SEAM", channels="conv", torch=f"{BLOCKS}:SEAM", source=SEAM_AIR, variant="relu")
def seam(x: T, c1: int, c2: int, n: int, reduction: int = 16) -> T:
    """SEAM: n depth-wise/point-wise residual stages, pooled, an exp'd SE gate with ReLU."""
    return seam_body(x, c1, c2, n, reduction, RELU)


@register("SEAM", channels="conv", torch=f"{BLOCKS}:SEAMSiLU", source=SEAM_YOLOY, variant="silu", default=False)
def seam_silu(x: T, c1: int, c2: int, n: int, reduction: int = 16) -> T:
    """SEAM whose gate uses SiLU between its two Linear layers."""
    return seam_body(x, c1, c2, n, reduction, SILU)


def multiseam_body(x: T, c1: int, c2: int, depth: int, kernel_size: int, patch_size: Optional[Sequence[int]],
                   reduction: int, act: Act) -> T:
    _keeps_channels("MultiSEAM", c1, c2)
    patches = [3, 5, 7] if patch_size is None else list(patch_size)
    pooled = []
    for p in patches[:3]:
        y = conv_gelu_bn(x, c1, c1, p, p)
        for _ in range(depth):
            y = mixer_stage(y, c1, kernel_size)
        pooled.append(S.adaptive_avgpool(y, 1))
    pooled.append(S.adaptive_avgpool(x, 1))
    mean = P.add(P.add(P.add(pooled[0], pooled[1]), pooled[2]), pooled[3])
    return exp_gate(x, S.scalar_op(mean), c1, reduction, act)


@register("MultiSEAM", channels="conv", torch=f"{BLOCKS}:MultiSEAM", source=SEAM_AIR, variant="relu")
def multiseam(x: T, c1: int, c2: int, depth: int, kernel_size: int = 3, patch_size=None,
              reduction: int = 16) -> T:
    """MultiSEAM: three patch-embedding branches (k = stride = patch size) with depth residual
    stages each, pooled and averaged with the pooled input, an exp'd SE gate with ReLU."""
    return multiseam_body(x, c1, c2, depth, kernel_size, patch_size, reduction, RELU)


@register("MultiSEAM", channels="conv", torch=f"{BLOCKS}:MultiSEAMSiLU", source=SEAM_YOLOY, variant="silu",
          default=False)
def multiseam_silu(x: T, c1: int, c2: int, depth: int, kernel_size: int = 3, patch_size=None,
                   reduction: int = 16) -> T:
    """MultiSEAM whose gate uses SiLU between its two Linear layers."""
    return multiseam_body(x, c1, c2, depth, kernel_size, patch_size, reduction, SILU)


@register("GAMAttention", channels="conv", torch="yanalyze.verify.attention_blocks:GAMAttentionGrouped",
          source=GAM_AIR, variant="relu")
def gam_attention_relu(x: T, c1: int, c2: int, group: bool = True, rate: int = 4) -> T:
    """GAM: per-position channel MLP (ReLU), then two 7x7 convs (grouped by rate unless group is
    False) with BN and ReLU, sigmoid, channel shuffle in 4 groups; the Conv channel rule."""
    return gam_body(x, c1, c2, rate, rate if group else 1, True)


@register("GAMAttention", channels="conv", torch=f"{BLOCKS}:GAMAttentionSiLU", source=GAM_YOLOY, variant="silu",
          default=False)
def gam_attention_silu(x: T, c1: int, c2: int, group: bool = True, rate: int = 8) -> T:
    """The same GAM with SiLU in both branches and rate 8 by default."""
    hidden, groups = int(c1 / rate), rate if group else 1
    if x.c != c1 or c2 != c1:
        raise shape_error(f"GAMAttention({c1}, {c2}) on {x.c} channels: it multiplies its input by a "
                          f"{c2}-channel gate")
    t = S.linear(x, c1, hidden, False)  # Linear on the permuted 3-d map: product, then the bias add
    t.trace.record(C.bias_add(t.numel, hidden))
    t = S.linear(P.activation(t, SILU), hidden, c1, True)
    x = S.broadcast(x, t)
    g = P.activation(P.batchnorm(P.conv2d(x, c1, hidden, 7, 1, 3, groups, bias=True)), SILU)
    g = P.activation(P.batchnorm(P.conv2d(g, hidden, c2, 7, 1, 3, groups, bias=True)), SIGMOID)
    return S.broadcast(x, S.contiguous(g))


def adaptive_avgpool_to(x: T, oh: int, ow: int) -> T:
    """F.adaptive_avg_pool2d to (oh, ow), also to a larger size (each output averages the input
    window [j*i//o, ceil((j+1)*i/o))): thop's window sum plus a divide per output, one FLOP per
    input element; it depends on the input's size, so it is marked global."""
    h, w = x.shape.h, x.shape.w
    y = T(Shape(x.c, oh, ow), x.fh, x.fw, True, x.trace)
    x.trace.record(C.adaptive_avgpool(x.numel, y.numel, x.c * C.adaptive_span(h, oh) * C.adaptive_span(w, ow)))
    return y


def lsefast_groups(in_size: int, gamma: float, b: float) -> int:
    """LSEFast's conv groups: scanning up from round(c / t), t = int(|log2 c + b| / gamma), the
    first divisor of c (the scan's last value, c - 1, when none is found), capped at 128 and
    c // 4."""
    t = int(abs(math.log(in_size, 2) + b) / gamma)
    if t == 0:
        raise shape_error(f"LSEFast's group search divides by int(|log2 {in_size} + {b}| / {gamma}) = 0")
    scan = range(round(in_size / t), in_size)
    if not scan:
        raise shape_error(f"LSEFast's group search for {in_size} channels starts past them (its constructor fails)")
    first = next((i for i in scan if in_size % i == 0), scan[-1])
    return min(first, 128, in_size // 4)


@register("LSEFast", channels="conv", torch=f"{BLOCKS}:LSEFast", source=LSEFAST_SRC)
def lsefast(x: T, in_size: int, out_size: int, local_size: int = 2, gamma: float = 1, b: float = 1) -> T:
    """x times sigmoid(Hardswish(grouped 1x1 conv (no bias) of the local_size x local_size
    average pool)), stretched back to the map's size; needs out_size == in_size."""
    if out_size != in_size:
        raise shape_error(f"LSEFast({in_size}, {out_size}) multiplies its {in_size}-channel input by a "
                          f"{out_size}-channel gate")
    k = lsefast_groups(in_size, gamma, b)
    g = P.conv2d(S.adaptive_avgpool(x, local_size), in_size, out_size, 1, g=k)
    g = P.activation(P.activation(g, HSWISH), SIGMOID)
    g = O.unseen_by_thop(g, lambda t: adaptive_avgpool_to(t, x.shape.h, x.shape.w))
    return S.broadcast(x, g)
