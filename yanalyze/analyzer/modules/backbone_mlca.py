"""The ShuffleNet V2 and MobileNetV3 building blocks of wandahangFY/MLCA (mixed local channel
attention), under the names that fork gives them. Where a block computes exactly what a built-in
one computes, the built-in cost model is reused under the fork's name; the MobileNetV3 blocks
differ from the built-in ones in running torch's fused nn.Hardswish / nn.Hardsigmoid kernels
instead of the h_swish / h_sigmoid modules, so they have cost models of their own."""
from __future__ import annotations

from typing import Callable

from .. import primitives as P
from .. import shaping as S
from ..registry import Provenance, register
from ..symbolic import ACTS, T, shape_error
from .backbone_shuffle import cbrm, shuffle_block
from .attention_coord import coord_att
from .backbone_sources import MOBILENETV3, SHUFFLENETV2

MLCA_COMMIT = "wandahangFY/MLCA@afbeb47a0f14"
MLCA_SHUFFLE = Provenance(MLCA_COMMIT, "models/common.py", SHUFFLENETV2)
MLCA_MOBILE = Provenance(MLCA_COMMIT, "models/common.py", MOBILENETV3)
BLOCKS = "yanalyze.verify.backbone_blocks"
MLCA_BLOCKS = "yanalyze.verify.backbone_blocks_mlca"

HSWISH, HSIGMOID, RELU = ACTS["Hardswish"], ACTS["Hardsigmoid"], ACTS["ReLU"]

# same constructor, submodules and forward as the built-in CBRM / Shuffle_Block (strides 1 to 3)
register("ConvBNReLUMaxpool", channels="conv", torch=f"{BLOCKS}:CBRM", source=MLCA_SHUFFLE)(cbrm)
register("ShuffleNet_Blk", channels="conv", torch=f"{BLOCKS}:Shuffle_Block", source=MLCA_SHUFFLE)(shuffle_block)


@register("ConvBNHswish", channels="conv", torch=f"{MLCA_BLOCKS}:ConvBNHswish", source=MLCA_MOBILE)
def conv_bn_hswish_fused(x: T, c1: int, c2: int, stride: int) -> T:
    """MobileNetV3 stem: 3x3 Conv2d (no bias, padding 1), BatchNorm2d, nn.Hardswish; three kernels
    (the fork's fuse() folds only its Conv and DWConv)."""
    return P.activation(P.batchnorm(P.conv2d(x, c1, c2, 3, stride, 1)), HSWISH)


def se_hardsigmoid(x: T, channel: int, reduction: int = 4) -> T:
    """The fork's SELayer: global average pool, Linear + ReLU, Linear + nn.Hardsigmoid (both Linear
    with bias), then the channel-wise product."""
    y = S.adaptive_avgpool(x, 1)
    y = P.activation(S.linear(y, channel, channel // reduction), RELU)
    y = P.activation(S.linear(y, channel // reduction, channel), HSIGMOID)
    return S.broadcast(x, y)


def inverted_residual(x: T, inp: int, oup: int, hidden_dim: int, kernel_size: int, stride: int, use_se: int,
                      use_hs: int, attention: Callable[[T, int], T]) -> T:
    """MobileNetV3 inverted residual: (1x1 expand + BN + act,) depth-wise kxk + BN, the attention
    when use_se, act, 1x1 project + BN (without expansion the act comes before the attention);
    residual at stride 1 when inp == oup. act: nn.Hardswish or ReLU."""
    if stride not in (1, 2):
        raise shape_error(f"stride must be 1 or 2, got {stride!r}")
    act = HSWISH if use_hs else RELU
    expand = inp != hidden_dim
    y = P.activation(P.batchnorm(P.conv2d(x, inp, hidden_dim, 1)), act) if expand else x
    pad = (kernel_size - 1) // 2
    y = P.batchnorm(P.conv2d(y, hidden_dim, hidden_dim, kernel_size, stride, pad, hidden_dim))
    if not expand:
        y = P.activation(y, act)
    if use_se:
        y = attention(y, hidden_dim)
    if expand:
        y = P.activation(y, act)
    y = P.batchnorm(P.conv2d(y, hidden_dim, oup, 1))
    return P.add(x, y) if stride == 1 and inp == oup else y


@register("MblNetV3_Blk", channels="conv", torch=f"{MLCA_BLOCKS}:MblNetV3_Blk", source=MLCA_MOBILE)
def mblnetv3_blk(x: T, inp: int, oup: int, hidden_dim: int, kernel_size: int, stride: int,
                 use_se: int, use_hs: int) -> T:
    """The inverted residual with the fork's Hardsigmoid squeeze-excite."""
    return inverted_residual(x, inp, oup, hidden_dim, kernel_size, stride, use_se, use_hs, se_hardsigmoid)


def ca_r16(x: T, c: int) -> T:
    """The fork's CA(c, c, 16): bias-free convs, nn.Hardswish, pools built inside forward."""
    return coord_att(x, c, c, 16, bias=False, hardswish=True, pools_counted=False)


@register("MblNetV3_BlkCA", channels="conv", torch=f"{MLCA_BLOCKS}:MblNetV3_BlkCA", source=MLCA_MOBILE)
def mblnetv3_blk_ca(x: T, inp: int, oup: int, hidden_dim: int, kernel_size: int, stride: int,
                    use_se: int, use_hs: int) -> T:
    """The inverted residual with the fork's coordinate attention (CA, reduction 16) where use_se."""
    return inverted_residual(x, inp, oup, hidden_dim, kernel_size, stride, use_se, use_hs, ca_r16)
