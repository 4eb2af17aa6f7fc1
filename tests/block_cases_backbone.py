"""Block cases of the backbone kit (ShuffleNet, MobileNet, YOLOv5-Lite, YOLO5Face, DenseNet/ResNet,
DPN, ELAN-style): module -> [(resolved constructor args, [input C x H x W shapes])], every branch
of each definition, small shapes. tests/test_registry.py runs them through the cost model, the
traced torch block and ultralytics-thop."""
from __future__ import annotations

CASES: dict[str, list[tuple[list, list]]] = {
    # ShuffleNet V2 units: stride 1 (split, one branch), stride 2 (two branches), odd sizes
    "Shuffle_Block": [([16, 32, 2], [(16, 9, 9)]), ([32, 32, 1], [(32, 8, 8)]), ([8, 16, 3], [(8, 9, 9)])],
    "ShuffleNetV2_InvertedResidual": [([16, 32, 2], [(16, 8, 8)]), ([32, 32, 1], [(32, 5, 5)])],
    "ShuffleV2Block": [([16, 32, 2], [(16, 8, 8)]), ([32, 32, 1], [(32, 8, 8)])],
    "ShuffleNetV2Block": [([16, 32, 2], [(16, 7, 7)]), ([32, 32, 1], [(32, 8, 8)])],
    "Shuffle_Block_Lite": [([16, 24, 2], [(16, 8, 8)]), ([24, 24, 1], [(24, 8, 8)])],
    "SBLL": [([16, 24, 2], [(16, 9, 9)]), ([24, 24, 1], [(24, 8, 8)])],
    "ES_Bottleneck": [([16, 32, 2], [(16, 8, 8)]), ([32, 32, 1], [(32, 8, 8)]), ([32, 48, 2], [(32, 7, 7)])],
    "CBRM": [([3, 16], [(3, 16, 16)])],
    "conv_bn_relu_maxpool": [([3, 8], [(3, 15, 15)])],
    "Conv_maxpool": [([3, 8], [(3, 16, 16)])],
    "Convfirst_maxpool": [([3, 8], [(3, 16, 16)])],
    "space_to_depth": [([1], [(8, 8, 8)]), ([], [(3, 6, 4)])],
    # MobileNet blocks: expand or not, SE, hard-swish or ReLU, residual or not
    "MobileNetV3": [([16, 16, 16, 3, 2, 1, 0], [(16, 8, 8)]), ([16, 24, 72, 5, 1, 1, 1], [(16, 8, 8)]),
                    ([24, 24, 88, 3, 1, 0, 0], [(24, 8, 8)])],
    "InvertedResidual": [([16, 16, 16, 3, 2, 1, 0], [(16, 8, 8)]), ([16, 24, 72, 3, 2, 0, 0], [(16, 8, 8)]),
                         ([40, 40, 240, 5, 1, 1, 1], [(40, 6, 6)]), ([24, 24, 24, 3, 1, 0, 1], [(24, 5, 5)])],
    "Conv3BN": [([3, 16, 2], [(3, 16, 16)])],
    "MobileNetV2Block": [([16, 16, 1, 1], [(16, 8, 8)]), ([16, 32, 2, 6], [(16, 9, 9)]), ([16, 16, 1, 6], [(16, 6, 6)])],
    "DWConvblock": [([16, 24, 3, 1], [(16, 8, 8)]), ([16, 16, 5, 2], [(16, 9, 9)])],
    "CBH": [([3, 16, 3, 2], [(3, 16, 16)]), ([16, 16, 5, 1, 16], [(16, 8, 8)]), ([16, 32, 1, 1], [(16, 8, 8)])],
    "ADD": [([1], [(16, 8, 8), (16, 8, 8)]), ([0.5], [(8, 4, 4), (8, 4, 4)])],
    # stems, BlazeFace, DenseNet/ResNet stages, Sum, DPN, ELAN-style
    "StemBlock": [([3, 16, 3, 2], [(3, 16, 16)]), ([3, 16, 3, 2], [(3, 13, 13)]), ([8, 16, 3, 1, None, 1, False], [(8, 7, 7)])],
    "Stem": [([3, 16], [(3, 16, 16)])],
    "BlazeBlock": [([16, 16], [(16, 8, 8)]), ([16, 32, None, 2], [(16, 8, 8)]), ([8, 16, 16, 2], [(8, 8, 8)])],
    "DoubleBlazeBlock": [([16, 32, 8, 2], [(16, 8, 8)]), ([32, 32, 8], [(32, 6, 6)])],
    "Convfirst": [([3, 16, 6, 2, 2], [(3, 8, 8)]), ([8, 16], [(8, 5, 5)])],
    "DenseBlock": [([16, 32, 2], [(16, 6, 6)]), ([8, 20, 3], [(8, 5, 5)])],
    "DenseNetTrasition": [([16, 8], [(16, 8, 8)]), ([8, 8], [(8, 7, 7)])],
    "ResNetBlock": [([16, 32, 2], [(16, 8, 8)]), ([16, 32, 1, False], [(16, 6, 6)]), ([32, 32, 2, False], [(32, 6, 6)])],
    "Sum": [([2, True], [(8, 6, 6), (8, 6, 6)]), ([3, True], [(8, 4, 4), (8, 4, 4), (8, 4, 4)]),
            ([2], [(8, 4, 4), (8, 4, 4)]), ([2, False], [(8, 4, 4), (8, 4, 4), (8, 4, 4)])],
    "DPN": [([16, 32, 1, 8, 4, 2, 1], [(16, 8, 8)]), ([16, 32, 2, 8, 4, 4, 1], [(16, 6, 6)]),
            ([16, 32, 1, 8, 4, 2, 1, 0.25], [(16, 7, 7)])],
    "INSNs": [([32, 32, 1], [(32, 6, 6)]), ([16, 24, 1, False, 0.25], [(16, 5, 5)])],
    "INSNl": [([32, 32, 1], [(32, 6, 6)]), ([16, 24, 1], [(16, 5, 5)])],
}

# "Name@variant" -> cases of the definitions that are not a name's default
VARIANT_CASES: dict[str, list[tuple[list, list]]] = {
    "InvertedResidual@mobilenetv2": [([16, 16, 1, 1], [(16, 8, 8)]), ([16, 24, 2, 6], [(16, 9, 9)]),
                                     ([24, 24, 1, 6], [(24, 6, 6)])],
}
