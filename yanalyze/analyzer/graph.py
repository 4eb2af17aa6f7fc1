"""Who reads whom: the liveness and dead-branch facts the analysis needs, from `from` alone.

(The networkx form of the graph is built on demand by Analysis.graph.)
"""
from __future__ import annotations

from typing import Sequence

from .layers import LayerSpec


def last_use(specs: Sequence[LayerSpec]) -> list[int]:
    """Index of the last layer that reads each layer's output; the final layer lives to the end."""
    last = list(range(len(specs)))
    for spec in specs:
        for j in spec.inputs:
            last[j] = max(last[j], spec.index)
    if specs:
        last[-1] = len(specs) - 1
    return last


def unused(specs: Sequence[LayerSpec]) -> list[int]:
    """Layers whose output nothing reads (the final layer excepted): dead branches."""
    read = {j for spec in specs for j in spec.inputs}
    return [spec.index for spec in specs[:-1] if spec.index not in read]
