"""The layer graph: one networkx node per YAML layer, edges from `from`."""
from __future__ import annotations

from typing import Sequence

import networkx as nx

from .layers import LayerSpec


def build_graph(specs: Sequence[LayerSpec]) -> nx.DiGraph:
    """Nodes carry their spec (and later their result); edge j -> i when layer i reads layer j."""
    g = nx.DiGraph()
    for spec in specs:
        g.add_node(spec.index, spec=spec)
        for j in spec.inputs:
            g.add_edge(j, spec.index)
    return g


def last_use(g: nx.DiGraph, count: int) -> list[int]:
    """Index of the last layer that reads each layer's output; the final layer lives to the end."""
    last = [max(g.successors(i), default=i) for i in range(count)]
    if count:
        last[-1] = count - 1
    return last


def unused(g: nx.DiGraph, count: int) -> list[int]:
    """Layers whose output nothing reads (the final layer excepted): dead branches."""
    return [i for i in range(count - 1) if g.out_degree(i) == 0]
