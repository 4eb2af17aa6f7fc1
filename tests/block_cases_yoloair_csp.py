"""Registry cases of iscyy/yoloair's YOLOR and YOLOv7 CSP blocks, MobileOne, RFEM and the PP-YOLOE
stem: resolved constructor args and input
C x H x W shapes, every branch of each definition, on small maps."""

CASES = {
    "BottleneckCSPF": [([16, 32, 2], [(16, 8, 8)]), ([32, 32, 1, False, 1, 0.25], [(32, 6, 6)])],
    # [c1, c2, n, k, stride, dilation]: stride 2 or a channel change leaves out the BN identities
    "MobileOne": [([16, 16, 2, 4, 1, False], [(16, 6, 6)]), ([16, 32, 1, 2, 2], [(16, 8, 8)]),
                  ([16, 32, 1, 1], [(16, 5, 5)])],
    "C3RFEM": [([16, 32, 1], [(16, 8, 8)]), ([32, 32, 2, False, 0.25], [(32, 6, 5)])],
    "CSPResNet_CBS": [([3, 32, True], [(3, 16, 16)]), ([3, 16, False, "relu"], [(3, 9, 9)]),
                      ([8, 16, True, "silu"], [(8, 8, 8)])],
    "ResXCSPC": [([16, 128, 2], [(16, 6, 5)]), ([64, 64, 1, False, 4, 0.5], [(64, 4, 4)])],
}

VARIANT_CASES = {
    "MobileOne@silu": [([16, 16, 2, 4, 1, False], [(16, 6, 6)]), ([16, 32, 1, 2, 2], [(16, 8, 8)])],
}
