"""Registry cases of BiFormer's bi-level routing attention (analyzer/modules/routing_attention.py)."""

I = "identity"
CASES = {
    "BiLevelRoutingAttention": [
        ([16, 2, 2], [(16, 6, 6)]),                     # regions of 3x3, no padding
        ([16, 2, 2], [(16, 5, 7)]),                     # padded, then cropped
        ([16, 7, 8], [(16, 1, 1)]),                     # YOLOv5's probe: 1x1 padded to 7x7
        ([16, 7, 8], [(16, 20, 20)]),
        ([16, 3, 4, 8, None, 4, 4, None, I, 2, "qkv", True, True, True, 0], [(16, 7, 7)]),
        ([16, 2, 1, None, None, 4, 4, None, I, 4, "qkvo", False, False, True, 5], [(16, 4, 6)]),
        ([16, 4, 4], [(16, 8, 2)]),
        ([16, 1, 1, None, None, 4, 4, None, I, 1], [(16, 4, 4)]),
        ([16, 1, 2, None, None, 4, 4, None, I, 1], [(16, 1, 1)]),
        ([16, 2, 2, None, None, 4, 4, None, I, 2, "qkvo", False, False, False, 3, False], [(16, 6, 4)]),
    ],
}
VARIANT_CASES = {
    "BiLevelRoutingAttention@nchw": [
        ([16, 16], [(16, 20, 20)]),
        ([16, 2, 3], [(16, 7, 9)]),
        ([16, 4, 2, None, 3, 0], [(16, 6, 6)]),
        ([16, 1, 1, None, 1], [(16, 3, 5)]),
        ([32, 32, 7], [(32, 14, 14)]),
        ([16, 8, 4, None, 2], [(16, 4, 8)]),
    ],
}
