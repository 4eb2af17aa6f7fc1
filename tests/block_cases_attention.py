"""Registry cases of the attention family (tests/test_registry.py reads CASES and VARIANT_CASES):
(resolved constructor args, [input C x H x W shapes]), each branch of each published definition."""
from __future__ import annotations

C3_CSP = [([16, 32, 2], [(16, 8, 8)]), ([16, 32, 1, False], [(16, 6, 7)]), ([32, 64, 1, True, 2], [(32, 8, 8)])]
C3_REPEATED = [([16, 32], [(16, 8, 8)]), ([16, 32, False], [(16, 6, 7)])]  # a written shortcut lands in n

CASES: dict[str, list[tuple[list, list]]] = {
    "SE": [([32, 32], [(32, 6, 5)]), ([32, 32, 4], [(32, 4, 4)]), ([8, 8], [(8, 4, 4)])],  # 8 // 16: width-0 Linear
    "SEAttention": [([32], [(32, 6, 5)]), ([32, 4], [(32, 4, 4)])],
    "ECA": [([16, 16], [(16, 6, 5)]), ([16, 16, 5], [(16, 4, 4)])],
    "SimAM": [([16, 16], [(16, 6, 5)]), ([16, 16, 1e-3], [(16, 2, 1)])],
    "GAM_Attention": [([16, 16], [(16, 6, 5)]), ([32, 32, 8], [(32, 4, 4)])],
    "CBAM": [([32, 32], [(32, 6, 5)]), ([32, 32, 8, 3], [(32, 4, 4)])],
    "CBAMBlock": [([32], [(32, 6, 5)]), ([32, 1, 5], [(32, 4, 4)])],
    "Conv_CBAM": [([8, 32, 3, 2], [(8, 8, 8)]), ([16, 32, 1, 1, None, 1, False], [(16, 5, 6)])],
    "TripletAttention": [([], [(8, 6, 5)]), ([8], [(8, 6, 5)])],  # a parsed [c] sets no_spatial: two branches
    "CA": [([16, 16], [(16, 6, 5)]), ([32, 32, 2], [(32, 4, 7)])],
    "CoordAtt": [([16, 16], [(16, 6, 5)]), ([32, 32, 8], [(32, 1, 1)])],
    "EMA": [([16, 16], [(16, 6, 5)]), ([32, 32, 4], [(32, 4, 3)])],
    "NAMAttention": [([16, 16], [(16, 6, 5)])],
    "ShuffleAttention": [([32], [(32, 6, 5)]), ([64, 16, 4], [(64, 4, 4)])],
    "SKAttention": [([32], [(32, 6, 5)]), ([32, [1, 3], 4, 2, 8], [(32, 4, 4)])],
    "C3CBAM": C3_CSP,
    "C3CA": C3_CSP,
    "C3SE": [([16, 64, 2], [(16, 8, 8)]), ([32, 64, 1, False], [(32, 6, 7)]), ([16, 16, 1], [(16, 4, 4)])],
    "C3_CA": C3_CSP,
    "C3EMA": [([16, 32, 1], [(16, 8, 8)]), ([16, 32, 2, False], [(16, 6, 7)])],
    "CBAMC3": [([16, 64, 2], [(16, 8, 8)]), ([32, 64, 1, False], [(32, 6, 7)])],
}

VARIANT_CASES: dict[str, list[tuple[list, list]]] = {
    "SELayer@senet": [([32], [(32, 6, 5)]), ([32, 4], [(32, 4, 4)])],
    "SE@conv-bias": [([32, 2], [(32, 6, 5)])],
    "SEAttention@channels-only": [([32], [(32, 6, 5)])],
    "SEAttention@reduction-is-c2": [([32, 8], [(32, 6, 5)])],
    "ECA@adaptive-kernel": [([16, 16], [(16, 6, 5)]), ([512, 512], [(512, 2, 2)])],
    "SimAM@plain": [([], [(16, 6, 5)]), ([1e-4], [(16, 3, 3)])],
    "GAM_Attention@grouped": [([16, 16], [(16, 6, 5)]), ([32, 32, False, 8], [(32, 4, 4)])],
    "CBAM@linear-mlp": [([32, 32], [(32, 6, 5)]), ([8, 8], [(8, 4, 4)])],
    "CBAM@single-fc": [([32, 32], [(32, 6, 5)]), ([32, 32, 3], [(32, 4, 4)])],
    "CBAM@repeats-as-ratio": [([32, 32, 3], [(32, 6, 5)])],
    "CBAM@bottleneck": [([32, 32], [(32, 6, 5)]), ([32, 64, 7, False], [(32, 4, 4)]), ([32, 32, 3, True, 2], [(32, 4, 4)])],
    "CBAM@bottleneck-spatial7": [([32, 32], [(32, 6, 5)]), ([32, 64, 3, True], [(32, 4, 4)])],
    "CA@inline-pools": [([16, 16], [(16, 6, 5)])],
    "CA@hardswish-nobias": [([16, 16], [(16, 6, 5)]), ([32, 32, 2], [(32, 4, 7)])],
    "CoordAtt@inline-pools": [([16, 16], [(16, 6, 5)])],
    "EMA@channels-factor": [([16], [(16, 6, 5)]), ([32, 4], [(32, 4, 3)])],
    "SKAttention@silu-5-kernels": [([32], [(32, 6, 5)]), ([32, [3, 5], 4], [(32, 4, 4)])],
    "C3CBAM@in-bottleneck-repeated": C3_REPEATED,
    "C3CBAM@after-residual": C3_CSP,
    "C3CA@hardswish-repeated": C3_REPEATED,
    "C3CA@after-residual": C3_CSP,
    "C3SE@in-bottleneck-repeated": [([16, 64], [(16, 8, 8)]), ([16, 64, False], [(16, 6, 7)])],
    "C3_CA@in-bottleneck-repeated": C3_REPEATED + [([32, 32, 1, True, 2], [(32, 8, 8)])],
    "CBAMC3@repeated": [([16, 64], [(16, 8, 8)])],
}
