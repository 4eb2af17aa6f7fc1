"""attention_model from IRSTD-yolov5 (ASF-YOLO's channel and position attention mechanism, CPAM):
an ECA-style channel attention on the first input, added to the second input, then a
coordinate-style local attention (means over each axis, a shared 1x1 bottleneck, per-axis
sigmoid gates)."""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Sequence

from .. import conventions as C
from .. import primitives as P
from .. import shaping as S
from ..errors import ConfigError
from ..model import Shape
from ..registry import Provenance, register
from ..symbolic import ACTS, T, shape_error

IRSTD = Provenance("oYoYo-jio/IRSTD-yolov5@4c616816e419", "models/common.py",
                   "Kang, Ting, Phan, Wong, ASF-YOLO: A Novel YOLO Model with Attentional Scale Sequence Fusion "
                   "for Cell Instance Segmentation, Image and Vision Computing 2024")
BLOCKS = "yanalyze.verify.headsx_blocks_irstd"


def eca_kernel(c: int, b: int = 1, gamma: int = 2) -> int:
    """ECA's adaptive 1-D kernel: |log2(c) + b| / gamma, made odd."""
    k = int(abs((math.log(c, 2) + b) / gamma))
    return k if k % 2 else k + 1


def channel_att(x: T, c: int) -> T:
    """Global average pool, Conv1d(1, 1, k) across the channels (no bias), sigmoid, channel gate."""
    k = eca_kernel(c)
    y = S.adaptive_avgpool(x, 1)
    seq = replace(y, shape=Shape(1, 1, c))                      # (1, C) sequence for Conv1d
    g = P.activation(P.conv2d(seq, 1, 1, (1, k), 1, (0, (k - 1) // 2)), ACTS["Sigmoid"])
    return S.broadcast(x, replace(g, shape=Shape(c, 1, 1)))


def local_att(x: T, c: int, reduction: int = 16) -> T:
    """Means over W and over H, concatenated along one axis; Conv2d 1x1 to c // r (no bias),
    BatchNorm2d, ReLU; split back; per axis a 1x1 Conv2d to c (no bias) and a sigmoid; the map
    times both gates."""
    m = c // reduction
    if m < 1:
        raise shape_error(f"local attention needs at least {reduction} channels, got {c}")
    h, w = x.shape.h, x.shape.w
    xh, xw = S.mean(x, "w"), S.mean(x, "h")                      # (c, h, 1), (c, 1, w)
    joined = replace(xw, shape=Shape(c, 1, h + w), glob=True)
    x.trace.record(C.copy(xh.numel + xw.numel, joined.numel))   # cat((x_h.permute, x_w), 3)
    y = P.activation(P.batchnorm(P.conv2d(joined, c, m, 1)), ACTS["ReLU"])
    yh, yw = replace(y, shape=Shape(m, h, 1)), replace(y, shape=Shape(m, 1, w))
    sh = P.activation(P.conv2d(yh, m, c, 1), ACTS["Sigmoid"])
    sw = P.activation(P.conv2d(yw, m, c, 1), ACTS["Sigmoid"])
    return S.broadcast(S.broadcast(x, sh), sw)


def last_input_channels(c1: int, args: list, ctx: object) -> tuple[list, int]:
    """parse_model: c2 = channels of the last input, args = [c2]; the sum in the forward needs
    both inputs to have them, so the first input's count is the same in any model that runs."""
    if isinstance(c1, bool) or not isinstance(c1, int):
        raise ConfigError(f"attention_model needs integer channels, got {c1!r}", code="parse/args")
    return [c1], c1


@register("attention_model", channels=last_input_channels, multi_input=True, torch=f"{BLOCKS}:attention_model",
          source=IRSTD)
def attention_model(xs: Sequence[T], ch: int = 256) -> T:
    """channel_att(x[0]) + x[1], then local_att."""
    if len(xs) != 2:
        raise shape_error(f"takes 2 inputs, 'from' lists {len(xs)}")
    if xs[0].c != ch:
        raise shape_error(f"expects {ch} channels, gets {xs[0].c}")
    return local_att(P.add(channel_att(xs[0], ch), xs[1]), ch)
