"""Registry cases of CTR3, SPPFCSPC, GhostSPPFCSPC, VoVCSP and ParNetAttention: resolved
constructor args and input C x H x W shapes, on small maps."""

CASES = {
    "CTR3": [([16, 32, 1], [(16, 4, 5)]), ([32, 32, 2, 0.5, 1, 20, 20], [(32, 3, 3)])],
    "BoT3": [([16, 16, 1], [(16, 4, 4)])],
    "SPPFCSPC": [([16, 32], [(16, 8, 8)]), ([16, 16, 1, False, 1, 0.25, 3], [(16, 7, 6)])],
    "GhostSPPFCSPC": [([16, 32, 1], [(16, 8, 8)]), ([16, 32, 1, False, 1, 0.5, 3], [(16, 6, 6)])],
    "VoVCSP": [([16, 32, 1], [(16, 6, 6)]), ([32, 16, 2], [(32, 5, 4)])],
    "C3GC": [([16, 32, 1], [(16, 6, 6)]), ([32, 32, 2, False, 1, 0.25], [(32, 5, 4)])],
    # [in, out, stride, scale, map_reduce, vision, groups]
    "BasicRFB": [([64, 32], [(64, 9, 9)]), ([64, 64, 2, 1.0, 4, 2, 2], [(64, 8, 8)])],
    "ParNetAttention": [([16, 16], [(16, 6, 6)])],
}

VARIANT_CASES = {
    "BasicRFB@silu": [([64, 32], [(64, 9, 9)])],
    "C3GC@silu": [([16, 32, 1], [(16, 6, 6)])],
    "SPPFCSPC@k3": [([16, 32, 1], [(16, 8, 8)]), ([16, 32, 1, False, 1, 0.5, 5], [(16, 6, 6)])],
}
