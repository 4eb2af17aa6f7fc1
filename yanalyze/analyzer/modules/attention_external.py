"""External attention (EA) and the EMA + coordinate-attention pair (EC) of hduwujing/YOLOv5s_final.

EA: a 1x1 conv (bias), then every position is scored against 64 learned memory units (a
Conv1d, no bias), softmax over the positions, each position's scores renormalized over the
units (sum, + 1e-9, divide), a Conv1d back to the channels (no bias), a 1x1 conv and a
BatchNorm (a Sequential, which YOLOv5's fuse() leaves alone), the input added, ReLU. The
softmax over all positions makes every output see the whole map.

EC: the fork's EMA and CA on the same input, concatenated, and a YOLOv5 Conv 1x1 to c2.

Both are in the fork's Conv-like set (c1 inserted, the first arg width-scaled to c2); EA keeps
its input's channels, so c2 must equal c1.
"""
from __future__ import annotations

from dataclasses import replace

from .. import conventions as C
from .. import primitives as P
from ..model import Shape
from ..registry import Provenance, register
from ..symbolic import ACTS, T, shape_error
from .attention_coord import EMA_C1C2, batched, coord_att, ema_group
from .conv import conv

FORK = "hduwujing/YOLOv5s_final@bb27eeb8a175"
EA_SRC = Provenance(FORK, "models/common.py", "Guo, Liu, Mu, Hu, Beyond Self-attention: External Attention using "
                    "Two Linear Layers for Visual Tasks, TPAMI 2022")
EC_SRC = Provenance(FORK, "models/common.py", f"no paper: the fork's EMA and coordinate attention in parallel; "
                    f"EMA: {EMA_C1C2.paper}; CA: Hou et al., CVPR 2021")
BLOCKS = "yanalyze.verify.attention_blocks_external"
MEMORY = 64  # the fork's fixed number of memory units


@register("EA", channels="conv", torch=f"{BLOCKS}:EA", source=EA_SRC)
def ea(x: T, c: int, out: int) -> T:
    """External attention over MEMORY units; `out` is unused (channels kept)."""
    if x.c != c or out != c:
        raise shape_error(f"EA({c}, {out}) on {x.c} channels: it keeps its input's channels")
    rec, n = x.trace.record, x.shape.h * x.shape.w
    y = P.conv2d(x, c, c, 1, bias=True)
    seq = replace(y, shape=Shape(c, 1, n), glob=True)                  # view (c, h*w) for Conv1d
    attn = P.conv2d(seq, c, MEMORY, 1)
    rec(C.softmax(attn.numel))                                          # F.softmax over positions
    rec(C.reduction(attn.numel, n))                                     # sum over the units
    rec(C.elementwise(n, n))                                            # + 1e-9
    rec(C.elementwise(attn.numel, attn.numel + n))                      # divide
    back = P.conv2d(attn, MEMORY, c, 1)
    z = P.batchnorm(P.conv2d(replace(back, shape=Shape(c, x.shape.h, x.shape.w)), c, c, 1))
    z = P.add(z, replace(x, glob=True))
    return P.activation(z, ACTS["ReLU"])


@register("EC", channels="conv", torch=f"{BLOCKS}:EC", source=EC_SRC)
def ec(x: T, c1: int, c2: int) -> T:
    """EMA(c1) and CA(c1) side by side (both keep c1 channels), concatenated, Conv(2 c1, c2)."""
    if x.c != c1:
        raise shape_error(f"EC({c1}, {c2}) on {x.c} channels")
    a = batched(x, 8, ema_group)
    b = coord_att(x, c1, c1, 32)
    return conv(P.concat([a, b]), 2 * c1, c2)
