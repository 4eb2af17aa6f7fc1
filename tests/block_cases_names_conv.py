"""Registry cases of GSConvns: resolved constructor args and input C x H x W shapes."""

CASES = {
    "GSConvns": [([16, 32, 1, 1], [(16, 8, 8)]), ([16, 32, 3, 2], [(16, 9, 9)]),
                 ([16, 16, 3, 1, 1, 2], [(16, 8, 8)])],
}

VARIANT_CASES = {
    "VoVGSCSP@gsconvns": [([16, 32, False], [(16, 8, 8)]), ([16, 32, 2], [(16, 6, 6)]),
                          ([32, 32, 1, True, 1, 0.25], [(32, 5, 5)])],
    "GSConvns@padding-arg": [([16, 32, 3, 2], [(16, 9, 9)]), ([16, 32, 3, 1, None, 1, 2, False], [(16, 8, 8)])],
}
