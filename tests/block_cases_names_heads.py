"""Registry cases of yolo_research's V8_Segment head: resolved constructor args (nc, nm, npr,
input channels) and input C x H x W shapes."""

CASES = {
    "V8_Segment": [([3, 8, 16, [8, 16]], [(8, 8, 8), (16, 4, 4)]),
                   ([5, 16, 8, [32, 16, 8]], [(32, 8, 8), (16, 4, 4), (8, 2, 2)])],
}

A2 = [[10, 13, 16, 30, 33, 23], [30, 61, 62, 45, 59, 119]]
CASES["ISegment"] = [([3, A2, 4, 16, [8, 16]], [(8, 8, 8), (16, 4, 4)])]
VARIANT_CASES = {
    "Segment@proto-transposed": [([3, A2, 4, 16, [8, 16]], [(8, 8, 8), (16, 4, 4)])],
}
