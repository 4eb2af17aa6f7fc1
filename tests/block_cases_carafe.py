"""Block cases of the CARAFE upsamplers: module -> [(resolved constructor args, [input C x H x W])];
one-pixel-wide maps (where the window reshapes are views) included."""
from __future__ import annotations

CASES: dict[str, list[tuple[list, list]]] = {
    "CARAFE": [([16, 8, 3, 2], [(16, 5, 6)]), ([16, 16], [(16, 4, 1)]), ([32, 16, 5, 2], [(32, 3, 4)]),
               ([16, 8, 3, 3], [(16, 2, 3)]), ([16, 8, 3, 2], [(16, 1, 1)])],
}

VARIANT_CASES: dict[str, list[tuple[list, list]]] = {
    "CARAFE@fixed-k3-x2": [([16, 8, 5, 2], [(16, 5, 6)]), ([16, 8], [(16, 1, 3)])],
    "CARAFE@keep-channels": [([16], [(16, 5, 6)]), ([16, 3, 3, 8, 2], [(16, 4, 1)]), ([8, 1, 5, 16, 3], [(8, 3, 2)]),
                             ([16], [(16, 1, 1)])],
}
