"""Block cases of yoloair's ConvNeXt blocks (ConvNextBlock as its parser builds a row, CNeB):
module -> [(resolved constructor args, [input C x H x W shapes])]; non-square maps."""
from __future__ import annotations

CASES: dict[str, list[tuple[list, list]]] = {
    "ConvNextBlock": [([16, 16, 3], [(16, 4, 6)]), ([8, 8, 1], [(8, 9, 9)])],
    "CNeB": [([16, 32, 1], [(16, 6, 4)]), ([32, 32, 2, True, 1, 1.0], [(32, 5, 5)])],
}
