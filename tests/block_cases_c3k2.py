"""Block cases of pleb631/yolov5-advanced's YOLO11 blocks (C3k2, C2PSA): (resolved args, [input C x H x W]);
C2PSA with one and two attention heads, and on a single position."""
from __future__ import annotations

CASES: dict[str, list[tuple[list, list]]] = {
    "C3k2": [([16, 32, 1, False, 0.25], [(16, 8, 8)]), ([16, 32, 2, True], [(16, 6, 6)]),
             ([32, 32, 1, False, 0.5, 1, False], [(32, 5, 5)]), ([16, 16, 1, True, 0.5, 2, False], [(16, 4, 4)])],
    "C2PSA": [([128, 128], [(128, 4, 5)]), ([256, 256, 2], [(256, 3, 3)]), ([128, 128, 1, 1.0], [(128, 2, 3)]),
              ([256, 256], [(256, 1, 1)])],
}
