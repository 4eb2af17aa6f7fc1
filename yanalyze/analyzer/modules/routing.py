"""YOLOv5 layers that route or reshape feature maps: Concat, Contract, Expand."""
from __future__ import annotations

from typing import Sequence

from .. import primitives as P
from ..registry import register
from ..symbolic import T, shape_error
from .sources import BLOCKS, COMMON


@register("Concat", channels="concat", multi_input=True, torch=f"{BLOCKS}:Concat", source=COMMON)
def concat(xs: Sequence[T], dimension: int = 1) -> T:
    """torch.cat on channels; other dimensions are not meaningful for a YOLOv5 layer list."""
    if dimension != 1:
        raise shape_error(f"Concat along dimension {dimension} is not supported (only 1, channels)")
    return P.concat(list(xs))


@register("Contract", channels="contract", torch=f"{BLOCKS}:Contract", source=COMMON)
def contract(x: T, gain: int = 2) -> T:
    """Width-height into channels: c * gain^2 at 1/gain size (a view, a permute and one copy)."""
    return P.space_to_depth(x, gain)


@register("Expand", channels="expand", torch=f"{BLOCKS}:Expand", source=COMMON)
def expand(x: T, gain: int = 2) -> T:
    """Channels into width-height: c / gain^2 at gain times the size (one copy)."""
    return P.depth_to_space(x, gain)
