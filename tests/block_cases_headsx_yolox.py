"""Block cases of yoloair's YOLOX head (DetectX): module -> [(resolved constructor args, [input
C x H x W shapes])]; (class, box) input pairs for three levels, one and two anchors."""
from __future__ import annotations

CASES: dict[str, list[tuple[list, list]]] = {
    "DetectX": [([3, 1, [8, 8, 16, 16, 32, 32]], [(8, 8, 8), (8, 8, 8), (16, 4, 4), (16, 4, 4), (32, 2, 2), (32, 2, 2)]),
                ([5, 2, [8, 16, 8, 16, 8, 16]], [(8, 8, 6), (16, 8, 6), (8, 4, 3), (16, 4, 3), (8, 2, 2), (16, 2, 2)])],
}
