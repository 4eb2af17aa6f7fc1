"""Block cases of zhang-dut/yolov5-parts' CoordAttention: (resolved args, [input C x H x W])."""
from __future__ import annotations

CASES: dict[str, list[tuple[list, list]]] = {
    "CoordAttention": [([16], [(16, 8, 6)]), ([64, 4], [(64, 5, 7)]), ([512], [(512, 3, 3)])],
}

VARIANT_CASES: dict[str, list[tuple[list, list]]] = {
    "CA@hardswish-nobias-r16": [([512, 512], [(512, 3, 4)]), ([64, 64, 32], [(64, 5, 5)]), ([16, 16], [(16, 4, 6)])],
}
