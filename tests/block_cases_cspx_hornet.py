"""Block cases of yoloair's HorNet blocks (HorBlock as its parser builds a row, C3HB): module ->
[(resolved constructor args, [input C x H x W shapes])]; widths divisible by 16, non-square maps."""
from __future__ import annotations

CASES: dict[str, list[tuple[list, list]]] = {
    # the row's repeat count lands in the layer scale (3), one block either way
    "HorBlock": [([32, 32, 3], [(32, 4, 6)]), ([16, 16, 1], [(16, 5, 5)])],
    "C3HB": [([16, 64, 1], [(16, 6, 4)]), ([32, 32, 2, True, 1, 1.0], [(32, 4, 4)])],
}
