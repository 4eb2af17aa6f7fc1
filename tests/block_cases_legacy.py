"""Test cases of YOLOv5 v1.0's definitions (analyzer/modules/legacy.py); see test_registry.py."""
from __future__ import annotations

A2 = [[116, 90, 156, 198, 373, 326], [30, 61, 62, 45, 59, 119]]  # two levels, P5 first as v1.0 wrote them

CASES: dict = {}
VARIANT_CASES = {
    "nn.Conv2d@yolov5-v1.0": [([16, 24, 1, 1], [(16, 8, 8)]), ([16, 255, 1, 1], [(16, 4, 4)])],
    "BottleneckCSP@yolov5-v1.0": [([16, 32, 2], [(16, 8, 8)]), ([32, 32, 1, False], [(32, 4, 4)])],
    "Detect@yolov5-v1.0": [([3, A2], [(24, 2, 2), (24, 4, 4)])],
}
