"""Registry cases of SEAM, MultiSEAM (YOLO-FaceV2) and GAMAttention: resolved constructor args
and input C x H x W shapes, on small maps."""

CASES = {
    "SEAM": [([32, 32, 1, 16], [(32, 6, 6)]), ([32, 32, 2, 8], [(32, 5, 4)])],
    "MultiSEAM": [([32, 32, 1, 3, [6, 7, 8], 16], [(32, 16, 16)]), ([16, 16, 2], [(16, 15, 14)])],
    # [in, out, local_size, gamma, b]: maps that divide by the pool and maps that do not
    "LSEFast": [([64, 64], [(64, 8, 8)]), ([32, 32, 3, 2, 1], [(32, 7, 5)]), ([128, 128], [(128, 5, 6)])],
    "GAMAttention": [([32, 32], [(32, 6, 6)]), ([32, 32, False, 8], [(32, 5, 5)])],
}

VARIANT_CASES = {
    "SEAM@silu": [([32, 32, 1, 16], [(32, 6, 6)])],
    "MultiSEAM@silu": [([32, 32, 1, 3, [6, 7, 8], 16], [(32, 16, 16)])],
    "GAMAttention@silu": [([64, 64], [(64, 6, 6)]), ([32, 32, False, 4], [(32, 5, 5)])],
}
