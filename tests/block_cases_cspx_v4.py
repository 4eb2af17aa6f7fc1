"""Block cases of the Scaled-YOLOv4 CSP blocks in yoloair (BottleneckCSP2, SPPCSP): module ->
[(resolved constructor args, [input C x H x W shapes])]; with and without the residual, odd sizes."""
from __future__ import annotations

CASES: dict[str, list[tuple[list, list]]] = {
    "BottleneckCSP2": [([16, 32, 2], [(16, 8, 8)]), ([32, 16, 1, True, 2], [(32, 7, 9)])],
    "SPPCSP": [([16, 32, 1], [(16, 13, 13)]), ([32, 16, 1, False, 1, 0.5, [3, 5, 7]], [(32, 6, 8)])],
}
