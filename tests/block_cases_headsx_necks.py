"""Registry cases of the weighted-fusion necks (analyzer/modules/necks.py): module ->
[(resolved constructor args, input C x H x W shapes)]."""

CASES = {
    "BiFPN_Add2": [([8, 8], [(8, 6, 6), (8, 6, 6)])],
    "BiFPN_Add3": [([8, 8], [(8, 5, 5), (8, 5, 5), (8, 5, 5)])],
    "BiFPN_Concat2": [([1], [(8, 4, 4), (16, 4, 4)])],
    "BiFPN_Concat3": [([1], [(8, 4, 4), (4, 4, 4), (16, 4, 4)])],
    "Concat_bifpn": [([8, 8], [(8, 6, 6), (8, 6, 6)]), ([8, 8], [(8, 4, 4), (8, 4, 4), (8, 4, 4)])],
}

VARIANT_CASES = {
    "BiFPN_Add3@concat-softmax": [([16, 16], [(8, 5, 5), (8, 5, 5), (16, 5, 5)])],
    "Concat_bifpn@silu": [([8, 8], [(8, 6, 6), (8, 6, 6)]), ([8, 8], [(8, 4, 4), (8, 4, 4), (8, 4, 4)])],
}
