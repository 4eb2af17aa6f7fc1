"""Registry cases of yoloair's C3C2: resolved args [c1, c2, n, shortcut, g, e] and input shapes."""

CASES = {
    "C3C2": [([16, 32, 2], [(16, 6, 5)]), ([32, 32, 1, False, 1, 0.25], [(32, 4, 4)]),
             ([16, 16, 1, True, 2], [(16, 3, 3)])],
}
