"""Spatial pyramid pooling: SPP (parallel pools) and SPPF (chained pools)."""
from __future__ import annotations

from typing import Sequence, Union

from .. import primitives as P
from ..registry import register
from ..symbolic import T, shape_error
from .conv import conv
from .sources import BLOCKS, COMMON


def kernels(k: Union[int, Sequence[int]], listed: bool = False) -> list[int]:
    """SPP's kernel list as ints (odd and positive, so 'same' padding keeps the size); listed:
    the module iterates over k, so a single number fails in its constructor."""
    if listed and not isinstance(k, (list, tuple)):
        raise shape_error(f"SPP pool kernels must be a list such as [5, 9, 13], got {k!r}")
    ks: list[int] = []
    for kk in list(k) if isinstance(k, (list, tuple)) else [k]:
        if isinstance(kk, bool) or not isinstance(kk, int) or kk < 1 or kk % 2 == 0:
            raise shape_error(f"SPP pool kernels must be odd positive integers, got {kk!r}")
        ks.append(kk)
    if not ks:
        raise shape_error("SPP needs at least one pool kernel")
    return ks


@register("SPP", channels="conv", torch=f"{BLOCKS}:SPP", source=COMMON)
def spp(x: T, c1: int, c2: int, k=(5, 9, 13)) -> T:
    """cv1 to c1//2, max-pools of each k (stride 1, 'same') in parallel, concat, cv2 to c2."""
    ks = kernels(k, listed=True)
    h = c1 // 2
    y = conv(x, c1, h, 1, 1)
    pools = [P.maxpool(y, kk, 1, kk // 2) for kk in ks]
    return conv(P.concat([y, *pools]), h * (len(ks) + 1), c2, 1, 1)


@register("SPPF", channels="conv", torch=f"{BLOCKS}:SPPF", source=COMMON)
def sppf(x: T, c1: int, c2: int, k: int = 5) -> T:
    """cv1 to c1//2, three chained max-pools of k, concat of all four, cv2 to c2."""
    (kk,) = kernels(k)
    h = c1 // 2
    y = conv(x, c1, h, 1, 1)
    y1 = P.maxpool(y, kk, 1, kk // 2)
    y2 = P.maxpool(y1, kk, 1, kk // 2)
    y3 = P.maxpool(y2, kk, 1, kk // 2)
    return conv(P.concat([y, y1, y2, y3]), 4 * h, c2, 1, 1)
