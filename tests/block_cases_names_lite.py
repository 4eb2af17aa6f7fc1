"""Registry cases of the EfficientNet-Lite stem, MobileNetV3_InvertedResidual and DepthSepConv:
resolved constructor args and input C x H x W shapes, every branch, on small maps."""

CASES = {
    "stem": [([3, 16, "ReLU6"], [(3, 16, 16)]), ([3, 8], [(3, 9, 9)])],
    # [inp, oup, hidden, k, stride, use_se, use_hs]: both layouts, SE on and off, both activations
    "MobileNetV3_InvertedResidual": [([16, 16, 16, 3, 2, 1, 0], [(16, 8, 8)]),
                                     ([16, 24, 72, 3, 2, 0, 0], [(16, 8, 8)]),
                                     ([24, 24, 88, 3, 1, 0, 1], [(24, 6, 6)]),
                                     ([24, 24, 96, 5, 1, 1, 1], [(24, 6, 5)]),
                                     ([16, 16, 16, 3, 1, 0, 1], [(16, 5, 5)])],
    # [inp, oup, k, s, expand, drop_connect_rate, has_se]
    "MBConvBlock": [([32, 16, 3, 1, 1, 0], [(32, 8, 8)]), ([16, 24, 3, 2, 6, 0.028, True], [(16, 8, 8)]),
                    ([24, 24, 5, 1, 6, 0.057], [(24, 5, 6)])],
    "DepthSepConv": [([16, 32, 3, 2, False], [(16, 8, 8)]), ([32, 32, 5, 1, True], [(32, 6, 6)])],
}

VARIANT_CASES = {
    "stem@lite-relu": [([3, 16], [(3, 16, 16)])],
    "MBConvBlock@lite": [([16, 16, 3, 1], [(16, 8, 8)]), ([16, 16, 5, 2], [(16, 9, 9)])],
    "MobileNetV3_InvertedResidual@silu": [([16, 16, 16, 3, 2, 1, 0], [(16, 8, 8)]),
                                          ([24, 24, 96, 5, 1, 1, 1], [(24, 6, 5)]),
                                          ([16, 24, 72, 3, 2, 0, 0], [(16, 8, 8)])],
}
