"""Peak activation memory: which layer outputs must stay alive while each layer runs."""
from __future__ import annotations

from typing import Sequence


def peak_activation(out_elems: Sequence[int], input_elems: int, last: Sequence[int]) -> tuple[int, int]:
    """Max over layers of (live outputs + the image while layer 0 reads it), in elements.

    An output is live from the layer that writes it until its last reader finishes; a
    running sum adds each output when it is written and drops it after its last reader.
    Returns (peak elements, index of the layer where the peak occurs).
    """
    dies: list[int] = [0] * (len(out_elems) + 1)
    for j, end in enumerate(last):
        dies[end + 1] += out_elems[j]
    best, where, live = 0, 0, 0
    for i, n in enumerate(out_elems):
        live += n - dies[i]
        here = live + (input_elems if i == 0 else 0)
        if here > best:
            best, where = here, i
    return best, where
