"""Layers that route or reshape feature maps: Concat, nn.Upsample, Contract, Expand, nn.BatchNorm2d."""
from __future__ import annotations

from typing import Optional, Sequence

from . import primitives as P
from .primitives import T
from .shaping import upsample_bilinear
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
    """nn.Upsample by an integer factor (or to a size that is an integer multiple), nearest or
    bilinear (align_corners=False)."""
    if size is not None:
        hw = size if isinstance(size, (list, tuple)) else (size, size)
        if len(hw) != 2 or hw[0] % x.shape.h or hw[1] % x.shape.w or hw[0] // x.shape.h != hw[1] // x.shape.w:
            raise P.shape_error(f"upsample to size {size} from {x.shape.h}x{x.shape.w} is not an integer "
                                "scale on both axes")
        scale_factor = hw[0] // x.shape.h
    scale = int(scale_factor) if isinstance(scale_factor, float) and scale_factor.is_integer() else scale_factor
    if isinstance(scale, bool) or not isinstance(scale, int):
        raise P.shape_error(f"upsample needs an integer scale factor, got {scale_factor!r}")
    if mode == "bilinear":
        if align_corners:
            raise P.shape_error("bilinear upsampling with align_corners=True is not supported")
        return upsample_bilinear(x, scale)
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
