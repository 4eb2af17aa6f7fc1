"""Other published definitions of SE and CA: a875560134/yoloY's.

SE of yoloY: the two bias-free Linear layers reduce by 8 unless told and SiLU sits between them.
CA of yoloY: Hou et al.'s coordinate attention (convs with bias, the h_swish module, strip pools
built inside forward, so thop does not see them) reducing by 8 unless told."""
from __future__ import annotations

from ..registry import Provenance, register
from ..symbolic import ACTS, T
from .attention_coord import CA_PAPER, coord_att
from .attention_gates import SENET, squeeze_excite
from .sources import YOLOY_AT

BLOCKS = "yanalyze.verify.attention_blocks_variants"
YOLOY_SE = Provenance(YOLOY_AT, "models/common.py", SENET)
YOLOY_CA = Provenance(YOLOY_AT, "models/common.py", CA_PAPER)


@register("SE", channels="conv", torch=f"{BLOCKS}:SESiLU", source=YOLOY_SE, variant="silu-r8", default=False)
def se_silu_r8(x: T, c1: int, c2: int, ratio: int = 8) -> T:
    """SE with bias-free Linear(c1, c1 // ratio) and back, SiLU between them, Sigmoid gate."""
    return squeeze_excite(x, c1, c1 // ratio, act=ACTS["SiLU"])


@register("CA", channels="conv", torch=f"{BLOCKS}:CAInlineR8", source=YOLOY_CA, variant="inline-pools-r8",
          default=False)
def ca_inline_r8(x: T, inp: int, oup: int, reduction: int = 8) -> T:
    """Coordinate attention, convs with bias, h_swish, strip pools made in forward (not seen by
    thop), mip = max(8, inp // 8) by default."""
    return coord_att(x, inp, oup, reduction, pools_counted=False)
