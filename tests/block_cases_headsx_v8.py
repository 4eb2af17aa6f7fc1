"""Block cases of the anchor-free V8_Detect head: module -> [(resolved constructor args, [input
C x H x W shapes])]; two and three levels, a class count above the first level's channels."""
from __future__ import annotations

CASES: dict[str, list[tuple[list, list]]] = {
    "V8_Detect": [([3, [8, 16]], [(8, 8, 8), (16, 4, 4)]),
                  ([20, [16, 32, 64]], [(16, 8, 8), (32, 4, 4), (64, 2, 2)])],
}
