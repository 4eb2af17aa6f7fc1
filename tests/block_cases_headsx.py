"""Registry cases of the ASFF heads (analyzer/modules/headsx.py): module -> [(resolved constructor
args, input C x H x W shapes)]; the heads are primed with strides from an image of 64 px."""

A3 = [[10, 13, 16, 30, 33, 23], [30, 61, 62, 45, 59, 119], [116, 90, 156, 198, 373, 326]]
SMALL = [(4, 8, 8), (8, 4, 4), (16, 2, 2)]  # P3, P4, P5 with multiplier 1/64: 256m, 512m, 1024m channels

CASES = {
    "ASFF_Detect": [([3, A3, [4, 8, 16], 1 / 64], SMALL), ([2, A3, [4, 8, 16], 1 / 64, True], SMALL)],
    "DWASFF_Detect": [([3, A3, [4, 8, 16], 1 / 64], SMALL), ([1, A3, [4, 8, 16], 1 / 64], [(4, 4, 4), (8, 2, 2), (16, 1, 1)])],
}

VARIANT_CASES = {
    "ASFF_Detect@asffv5-unused-gam": [([3, A3, [4, 8, 16], 1 / 64], SMALL)],
    "ASFF_Detect@asff-leaky-chained": [([2, A3, [128, 256, 512]], [(128, 8, 8), (256, 4, 4), (512, 2, 2)])],
}

A2 = [[10, 13, 16, 30, 33, 23], [30, 61, 62, 45, 59, 119]]
CASES["IDetect"] = [([3, A2, [8, 16]], [(8, 8, 8), (16, 4, 4)])]
VARIANT_CASES["IDetect@implicit-m-unused"] = [([3, A2, [8, 16]], [(8, 8, 8), (16, 4, 4)])]
CASES["Decoupled_Detect"] = [([3, A2, [8, 16]], [(8, 8, 8), (16, 4, 4)])]
VARIANT_CASES["Decoupled_Detect@shared-branches"] = [([3, A2, [8, 16]], [(8, 8, 8), (16, 4, 4)])]
VARIANT_CASES["Decoupled_Detect@decouple"] = [([3, A2, [8, 16]], [(8, 8, 8), (16, 4, 4)]),
                                              ([2, A3, [32, 300, 24]], [(32, 8, 8), (300, 4, 4), (24, 2, 2)])]
VARIANT_CASES["Decoupled_Detect@stem-branches"] = [([3, A2, [8, 16]], [(8, 8, 8), (16, 4, 4)]),
                                                   ([1, A2, [8, 16]], [(8, 4, 4), (16, 1, 1)])]
