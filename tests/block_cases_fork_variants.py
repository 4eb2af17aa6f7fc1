"""Registry cases of the fork-specific definitions of built-in names (tests/test_registry.py
reads VARIANT_CASES): (resolved constructor args, [input C x H x W shapes])."""
from __future__ import annotations

CASES: dict[str, list[tuple[list, list]]] = {}

VARIANT_CASES: dict[str, list[tuple[list, list]]] = {
    "SE@silu-r8": [([32, 32], [(32, 6, 5)]), ([32, 32, 4], [(32, 4, 4)])],
    "CA@inline-pools-r8": [([16, 16], [(16, 6, 5)]), ([128, 128, 4], [(128, 4, 7)])],
    "C3TR@layernorm": [([16, 32, 1], [(16, 4, 5)]), ([32, 32, 2, False], [(32, 4, 4)])],
    "C3TR@tph": [([16, 32, 1], [(16, 4, 5)]), ([32, 32, 2, False], [(32, 4, 4)])],
}
VARIANT_CASES["ShuffleNetV2_InvertedResidual@dw-bias"] = [([16, 32, 2], [(16, 8, 8)]), ([32, 32, 1], [(32, 6, 5)])]
VARIANT_CASES["GhostBottleneck@mid-channels-se"] = [
    ([16, 16, 16, 3, 1], [(16, 6, 5)]), ([16, 24, 48, 3, 2], [(16, 8, 8)]),
    ([24, 40, 72, 5, 2, True], [(24, 8, 7)]), ([40, 40, 120, 3, 1, True], [(40, 4, 4)]),
    ([40, 80, 240, 3, 1], [(40, 4, 4)])]
_ANCHORS = [[10, 13, 16, 30, 33, 23], [30, 61, 62, 45, 59, 119]]
VARIANT_CASES["Detect@face-landmarks"] = [
    ([1, _ANCHORS, [8, 16]], [(8, 8, 8), (16, 4, 4)]), ([3, [[4, 5, 8, 10], [16, 20, 30, 40]], [8, 16]],
                                                        [(8, 8, 8), (16, 4, 4)])]
