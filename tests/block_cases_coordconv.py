"""Block cases of CoordConv's two definitions: module -> [(resolved constructor args, [input
C x H x W shapes])]; 1x1 and strided 3x3, with and without the radius channel, non-square maps."""
from __future__ import annotations

CASES: dict[str, list[tuple[list, list]]] = {
    "CoordConv": [([8, 16, 1, 1], [(8, 6, 8)]), ([8, 16, 3, 2, True], [(8, 9, 7)])],
}
VARIANT_CASES: dict[str, list[tuple[list, list]]] = {
    "CoordConv@ppyolo": [([8, 16, 1, 0], [(8, 6, 8)]), ([8, 16, 3, 1], [(8, 7, 5)])],
}
