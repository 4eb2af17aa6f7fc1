"""Block cases of torchvision's ResNet-50 stages as RFENet wraps them: module -> [(resolved
constructor args, [input C x H x W shapes])]; odd sizes for the strided convs and the max-pool."""
from __future__ import annotations

CASES: dict[str, list[tuple[list, list]]] = {
    "resnet501": [([512], [(3, 32, 32)]), ([512], [(3, 19, 21)])],
    "resnet502": [([1024], [(512, 4, 4)]), ([1024], [(512, 5, 3)])],
    "resnet503": [([2048], [(1024, 2, 2)]), ([2048], [(1024, 3, 3)])],
}
