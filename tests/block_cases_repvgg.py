"""Block cases of the re-parameterisable (RepVGG-style) blocks and YOLOv5-Lite's PP-LCNet blocks:
module -> [(resolved constructor args, [input C x H x W shapes])], every branch of each
definition, small shapes. tests/test_registry.py runs them through the cost model, the traced
torch block and ultralytics-thop."""
from __future__ import annotations

CASES: dict[str, list[tuple[list, list]]] = {
    # strided (no identity: the literal + 0), same shape (identity BN), SE, grouped, deployed
    "RepVGGBlock": [([8, 16, 3, 2], [(8, 9, 9)]), ([16, 16, 3, 1], [(16, 8, 8)]),
                    ([16, 32, 3, 1, 1, 1, 1, "zeros", False, True], [(16, 6, 6)]),
                    ([16, 16, 3, 1, 1, 1, 4], [(16, 5, 5)]),
                    ([16, 32, 3, 2, 2, 2, 1, "zeros", True, True], [(16, 8, 8)])],
    "RepConv": [([8, 16, 3, 2], [(8, 9, 9)]), ([16, 16], [(16, 6, 6)]), ([16, 16, 3, 1, None, 2, False], [(16, 5, 5)]),
                ([8, 16, 3, 1, 1, 1, True, True], [(8, 6, 6)])],
    # YOLOv6: strided, same shape, grouped, deployed; a stage of one and of three blocks
    "RepVGGBlockv6": [([8, 16, 3, 2], [(8, 9, 9)]), ([16, 16], [(16, 6, 6)]), ([16, 16, 3, 1, 1, 1, 4], [(16, 5, 5)]),
                      ([16, 32, 3, 2, 1, 1, 1, "zeros", True], [(16, 8, 8)])],
    "RepBlock": [([8, 16], [(8, 6, 6)]), ([16, 16, 3], [(16, 5, 5)])],
    # PP-LCNet: strided without SE, SE, kernel 5
    "LC_Block": [([16, 32, 2, 3, False], [(16, 9, 9)]), ([16, 16, 1, 5, True], [(16, 8, 8)]),
                 ([32, 64, 2, 5, True], [(32, 7, 7)])],
    "Dense": [([16, 32, 1, 0.2], [(16, 5, 5)]), ([16, 16, 3, 0.0], [(16, 6, 6)])],
}

VARIANT_CASES: dict[str, list[tuple[list, list]]] = {
    "RepConv@leaky": [([8, 16, 3, 2], [(8, 9, 9)]), ([16, 16], [(16, 6, 6)]), ([8, 16, 3, 1, 1, 1, True, True],
                                                                               [(8, 6, 6)])],
}
