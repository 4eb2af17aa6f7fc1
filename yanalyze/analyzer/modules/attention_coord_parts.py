"""Coordinate attention definitions of zhang-dut/yolov5-parts and wandahangFY/MLCA.

CoordAttention (zhang-dut/yolov5-parts): Hou et al.'s coordinate attention (convs with bias, the
h_swish module, strip pools as modules) with a one-argument constructor, whose fork's parser
replaces the row's arguments by the input's channel count. CA of wandahangFY/MLCA: the
nn.Hardswish, bias-free form with pools built in forward, reducing by 16 unless told."""
from __future__ import annotations

from ..channels import RuleContext
from ..registry import Provenance, register
from ..symbolic import T
from .attention_coord import CA_PAPER, coord_att

MLCA_CA = Provenance("wandahangFY/MLCA@afbeb47a0f14", "models/common.py", CA_PAPER)
PARTS_CA = Provenance("zhang-dut/yolov5-parts@c641bf3724c5", "models/common_ca.py", CA_PAPER)


def input_channels_only(c1: int, args: list, ctx: RuleContext) -> tuple[list, int]:
    """The fork's parse_model builds CoordAttention(ch[f]): whatever the row writes is dropped
    and the block keeps its input's channels."""
    return [c1], c1


@register("CoordAttention", channels=input_channels_only, torch="yanalyze.verify.attention_blocks_coord_parts:"
          "CoordAttention", source=PARTS_CA)
def coord_attention(x: T, inp: int, reduction: int = 32) -> T:
    """Coordinate attention gating its own inp channels (mip = max(8, inp // reduction))."""
    return coord_att(x, inp, inp, reduction)


@register("CA", channels="conv", torch="yanalyze.verify.attention_blocks_coord_parts:CAHardswishR16", source=MLCA_CA,
          variant="hardswish-nobias-r16", default=False)
def ca_hardswish_r16(x: T, inp: int, oup: int, reduction: int = 16) -> T:
    """Convs without bias, nn.Hardswish, pools built inside forward (thop does not count them);
    mip = max(8, inp // 16) by default."""
    return coord_att(x, inp, oup, reduction, bias=False, hardswish=True, pools_counted=False)
