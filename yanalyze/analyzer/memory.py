"""Peak activation memory: which layer outputs must stay alive while each layer runs."""
from __future__ import annotations

from typing import Sequence


def peak_activation(out_elems: Sequence[int], input_elems: int, last: Sequence[int]) -> tuple[int, int]:
    """Max over layers of (live outputs + the image while layer 0 reads it), in elements.

    An output is live from the layer that writes it until its last reader finishes.
    Returns (peak elements, index of the layer where the peak occurs).
    """
    best, where = 0, 0
    for i in range(len(out_elems)):
        live = sum(out_elems[j] for j in range(i + 1) if last[j] >= i)
        if i == 0:
            live += input_elems
        if live > best:
            best, where = live, i
    return best, where
