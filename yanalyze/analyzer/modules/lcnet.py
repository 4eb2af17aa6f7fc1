"""PP-LCNet blocks as YOLOv5-Lite publishes them (v5Lite-c): LC_Block (depth-wise CBH, optional
SE, point-wise CBH) and the Dense head conv."""
from __future__ import annotations

from .. import primitives as P
from .. import shaping as S
from ..registry import Provenance, register
from ..symbolic import ACTS, T, shape_error
from .backbone_mobile import cbh

LCNET = "Cui et al., PP-LCNet: A Lightweight CPU Convolutional Neural Network, arXiv 2021"
LITE = Provenance("ppogg/YOLOv5-Lite@9d649a64f829", "models/common.py", LCNET)
BLOCKS = "yanalyze.verify.repvgg_blocks"


def lc_se(x: T, reduction: int = 4) -> T:
    """Adaptive average pool, biased 1x1 to c/4, ReLU, biased 1x1 back, SiLU (YOLOv5-Lite's choice
    instead of a hard sigmoid), channel gate."""
    c = x.c
    if c // reduction < 1:
        raise shape_error(f"LC_Block's SE needs at least {reduction} channels, got {c}")
    g = P.conv2d(S.adaptive_avgpool(x, 1), c, c // reduction, 1, bias=True)
    g = P.conv2d(P.activation(g, ACTS["ReLU"]), c // reduction, c, 1, bias=True)
    return S.broadcast(x, P.activation(g, ACTS["SiLU"]))


@register("LC_Block", channels="conv", torch=f"{BLOCKS}:LC_Block", source=LITE)
def lc_block(x: T, num_channels: int, num_filters: int, stride: int, dw_size: int, use_se: bool = False) -> T:
    """Depth-wise CBH(dw_size, stride), SE when use_se, point-wise CBH to num_filters; every CBH's
    BN folds in YOLOv5-Lite's fuse()."""
    y = cbh(x, num_channels, num_channels, dw_size, stride, num_channels)
    return cbh(lc_se(y) if use_se else y, num_channels, num_filters, 1, 1)


@register("Dense", channels="conv", torch=f"{BLOCKS}:Dense", source=LITE)
def dense(x: T, num_channels: int, num_filters: int, filter_size: int, dropout_prob: float) -> T:
    """A bias-free filter_size conv with no padding, Hardswish; the Dropout does nothing at
    inference."""
    return P.activation(P.conv2d(x, num_channels, num_filters, filter_size, 1, 0), ACTS["Hardswish"])
