"""Block cases of wandahangFY/MLCA's ShuffleNet V2 and MobileNetV3 blocks: module -> [(resolved
constructor args, [input C x H x W shapes])], every branch, small shapes."""
from __future__ import annotations

CASES: dict[str, list[tuple[list, list]]] = {
    "ConvBNReLUMaxpool": [([3, 16], [(3, 16, 16)]), ([3, 8], [(3, 13, 11)])],
    "ShuffleNet_Blk": [([16, 32, 2], [(16, 9, 9)]), ([32, 32, 1], [(32, 8, 8)]), ([8, 16, 3], [(8, 9, 9)])],
    "ConvBNHswish": [([3, 16, 2], [(3, 16, 16)]), ([8, 8, 1], [(8, 7, 7)])],
    # no expansion with SE; expansion without SE (ReLU); expansion with SE and Hardswish, residual
    "MblNetV3_Blk": [([16, 16, 16, 3, 2, 1, 0], [(16, 8, 8)]), ([16, 24, 72, 3, 2, 0, 0], [(16, 9, 9)]),
                     ([24, 24, 88, 5, 1, 1, 1], [(24, 6, 6)]), ([16, 16, 16, 3, 1, 0, 1], [(16, 5, 5)])],
    "MblNetV3_BlkCA": [([16, 16, 16, 3, 2, 1, 0], [(16, 8, 8)]), ([16, 24, 72, 3, 2, 0, 0], [(16, 9, 9)]),
                       ([24, 24, 96, 5, 1, 1, 1], [(24, 6, 5)])],
}
