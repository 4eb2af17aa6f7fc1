"""Block cases of the CSP blocks with CBAM-style gates (CBAMDPN, MA2): module -> [(resolved
constructor args, [input C x H x W shapes])], each branch, small shapes."""
from __future__ import annotations

CASES: dict[str, list[tuple[list, list]]] = {
    # one unit with a projected shortcut; two units, cardinality 4 (a stride of 2 fails in the fork: the first unit has no projection)
    "CBAMDPN": [([16, 32, 1], [(16, 8, 8)]), ([32, 32, 2, 8, 4, 2, 1], [(32, 9, 9)])],
    # residual bottlenecks; no shortcut with groups; c1 below 16 (a width-0 channel MLP)
    "MA2": [([32, 32, 1], [(32, 8, 8)]), ([32, 64, 2, False, 2], [(32, 12, 12)]), ([8, 16, 1], [(8, 6, 6)])],
}
