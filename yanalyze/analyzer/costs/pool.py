"""Spatial pyramid pooling: SPP (parallel pools) and SPPF (chained pools)."""
from __future__ import annotations

from typing import Sequence, Union

from . import primitives as P
from .conv import conv
from .primitives import T
from .registry import register


def _kernels(k: Union[int, Sequence[int]]) -> list[int]:
    ks: list[int] = []
    for kk in list(k) if isinstance(k, (list, tuple)) else [k]:
        if isinstance(kk, bool) or not isinstance(kk, int) or kk < 1 or kk % 2 == 0:
            raise P.shape_error(f"SPP pool kernels must be odd positive integers, got {kk!r}")
        ks.append(kk)
    return ks


@register("SPP", channels="conv")
def spp(x: T, c1: int, c2: int, k=(5, 9, 13)) -> T:
    """cv1 to c1//2, max-pools of each k (stride 1, 'same') in parallel, concat, cv2 to c2."""
    ks = _kernels(k)
    h = c1 // 2
    y = conv(x, c1, h, 1, 1)
    pools = [P.maxpool(y, kk, 1, kk // 2) for kk in ks]
    return conv(P.concat([y, *pools]), h * (len(ks) + 1), c2, 1, 1)


@register("SPPF", channels="conv")
def sppf(x: T, c1: int, c2: int, k: int = 5) -> T:
    """cv1 to c1//2, three chained max-pools of k, concat of all four, cv2 to c2."""
    (kk,) = _kernels(k)
    h = c1 // 2
    y = conv(x, c1, h, 1, 1)
    y1 = P.maxpool(y, kk, 1, kk // 2)
    y2 = P.maxpool(y1, kk, 1, kk // 2)
    y3 = P.maxpool(y2, kk, 1, kk // 2)
    return conv(P.concat([y, y1, y2, y3]), 4 * h, c2, 1, 1)


@register("nn.MaxPool2d", channels="same")
def maxpool2d(x: T, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
              ceil_mode: bool = False) -> T:
    """torch.nn.MaxPool2d; stride defaults to the kernel size."""
    if ceil_mode or return_indices:
        raise P.shape_error("MaxPool2d with ceil_mode or return_indices is not supported")
    return P.maxpool(x, kernel_size, kernel_size if stride is None else stride, padding, dilation)


@register("nn.ZeroPad2d", channels="same")
def zeropad2d(x: T, padding) -> T:
    """torch.nn.ZeroPad2d: an int, or (left, right, top, bottom)."""
    if isinstance(padding, int) and not isinstance(padding, bool):
        return P.pad(x, padding, padding, padding, padding)
    if isinstance(padding, (list, tuple)) and len(padding) == 4:
        return P.pad(x, *(int(v) for v in padding))
    raise P.shape_error(f"ZeroPad2d padding must be an int or [left, right, top, bottom], got {padding!r}")
