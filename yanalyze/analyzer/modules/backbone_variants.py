"""Other published definitions of backbone units, both of Gumpest/YOLOv5-Multibackbone-Compression:
ShuffleNetV2_InvertedResidual whose depth-wise convolutions keep nn.Conv2d's bias, and
GhostBottleneck taking its middle width and an SE switch (GhostNet's own signature)."""
from __future__ import annotations

from .. import primitives as P
from ..registry import Provenance, register
from ..symbolic import T, shape_error
from .attention_gates import squeeze_excite
from .backbone_shuffle import RELU, down_branch, main_branch, shuffle_unit
from .backbone_sources import SHUFFLENETV2
from .conv import conv
from .sources import GUMPEST_AT

GUMPEST_SHUFFLE = Provenance(GUMPEST_AT, "models/common.py",
                             SHUFFLENETV2)


@register("ShuffleNetV2_InvertedResidual", channels="conv", torch="yanalyze.verify.backbone_blocks:ShuffleNetV2Block",
          source=GUMPEST_SHUFFLE, variant="dw-bias", default=False)
def shufflenetv2_inverted_residual_dw_bias(x: T, inp: int, oup: int, stride: int) -> T:
    """The ShuffleNet V2 unit with biased depth-wise convolutions; strides 1 and 2."""
    return shuffle_unit(x, inp, oup, stride, down_branch(RELU, dw_bias=True), main_branch(RELU, dw_bias=True),
                        (1, 2))


GHOSTNET = "Han et al., GhostNet: More Features from Cheap Operations, CVPR 2020"
GUMPEST_GHOST = Provenance(GUMPEST_AT, "models/common.py", GHOSTNET)


def ghost_conv3(x: T, c1: int, c2: int, act: bool = True) -> T:
    """This fork's GhostConv as the bottleneck builds it: a 1x1 Conv to c2 // 2 and a depth-wise
    3x3 Conv of that, concatenated."""
    h = c2 // 2
    y = conv(x, c1, h, 1, 1, act=act)
    return P.concat([y, conv(y, h, h, 3, 1, 1, h, act=act)])


@register("GhostBottleneck", channels="conv", torch="yanalyze.verify.backbone_blocks_variants:GhostBottleneckMid",
          source=GUMPEST_GHOST, variant="mid-channels-se", default=False)
def ghost_bottleneck_mid(x: T, c1: int, c2: int, midc: int, k: int = 5, s: int = 1, use_se: bool = False) -> T:
    """GhostConv to midc, a depth-wise 3x3 stride-2 Conv (no act) when s == 2, an optional SE
    (1x1 convs with bias, reduction 4), GhostConv to c2 without act; plus the input, or when
    c1 != c2 or s == 2 a depth-wise 3x3 Conv and a 1x1 Conv (no act). k is not used."""
    if s not in (1, 2):
        raise shape_error(f"GhostBottleneck stride must be 1 or 2, got {s!r}")
    y = ghost_conv3(x, c1, midc)
    if s == 2:
        y = conv(y, midc, midc, 3, 2, 1, midc, act=False)
    if use_se:
        y = squeeze_excite(y, midc, midc // 4, conv=True, bias=True)
    y = ghost_conv3(y, midc, c2, act=False)
    if c1 == c2 and s == 1:
        return P.add(y, x)
    return P.add(y, conv(conv(x, c1, c1, 3, s, 1, c1, act=False), c1, c2, 1, 1, act=False))
