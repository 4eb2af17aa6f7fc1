"""Layers that route or reshape feature maps: Concat, nn.Upsample, Contract, Expand, nn.BatchNorm2d."""
from __future__ import annotations

from typing import Optional, Sequence

from . import primitives as P
from .primitives import T
from .registry import register


@register("Concat", channels="concat", multi_input=True)
def concat(xs: Sequence[T], dimension: int = 1) -> T:
    """torch.cat on channels; other dimensions are not meaningful for a YOLOv5 layer list."""
    if dimension != 1:
        raise P.shape_error(f"Concat along dimension {dimension} is not supported (only 1, channels)")
    return P.concat(list(xs))


@register("nn.Upsample", channels="same")
def upsample(x: T, size: Optional[object] = None, scale_factor: object = None,
             mode: str = "nearest", align_corners: Optional[bool] = None) -> T:
    """nn.Upsample(None, 2, 'nearest'): integer scale factor, nearest mode."""
    if size is not None:
        raise P.shape_error("nn.Upsample with a fixed size is not supported yet; use scale_factor")
    scale = int(scale_factor) if isinstance(scale_factor, float) and scale_factor.is_integer() else scale_factor
    if isinstance(scale, bool) or not isinstance(scale, int):
        raise P.shape_error(f"upsample needs an integer scale factor, got {scale_factor!r}")
    return P.upsample(x, scale, mode)


@register("Contract", channels="contract")
def contract(x: T, gain: int = 2) -> T:
    """Width-height into channels: c * gain^2 at 1/gain size."""
    return P.space_to_depth(x, gain)


@register("Expand", channels="expand")
def expand(x: T, gain: int = 2) -> T:
    """Channels into width-height: c / gain^2 at gain times the size."""
    return P.depth_to_space(x, gain)


@register("nn.BatchNorm2d", channels="bn")
def batchnorm2d(x: T, c1: int) -> T:
    """Standalone BatchNorm2d (not folded by model.fuse())."""
    if x.c != c1:
        raise P.shape_error(f"BatchNorm2d expects {c1} channels, gets {x.c}")
    return P.batchnorm(x)
