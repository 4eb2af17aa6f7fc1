"""Where the cost goes: the layers' params, GFLOPs, memory access and activation memory grouped by
module type, by section (backbone, neck, head), by the output levels a layer feeds, and the
top layers; every grouping sums to the model's totals, so its shares sum to one."""
from __future__ import annotations

import heapq
from typing import Callable, Iterable

from .model import DTYPE_BYTES, Analysis, Breakdown, Group, LayerResult

METRICS = ("params", "gflops", "mem_bytes", "activation_bytes")
LABELS = {"params": "params", "gflops": "GFLOPs", "mem_bytes": "memory access",
          "activation_bytes": "activation memory"}
TOP_N = 10


def _table(a: Analysis) -> list[dict[str, float]]:
    """Each layer's value of every metric, computed once; activation_bytes: the bytes of the
    layer's outputs at the analysed batch and element type (each written once)."""
    scale = a.input.batch * DTYPE_BYTES[a.input.dtype]
    return [{"params": r.params, "gflops": r.gflops, "mem_bytes": r.mem_bytes,
             "activation_bytes": sum(o.shape.numel for o in r.outputs) * scale} for r in a.layers]


def _group(key: str, layers: Iterable[int], table: list[dict[str, float]], totals: dict[str, float]) -> Group:
    idx = tuple(layers)
    values = {m: sum(table[i][m] for i in idx) for m in METRICS}
    return Group(key=key, layers=idx, values=values,
                 shares={m: values[m] / totals[m] if totals[m] else 0.0 for m in METRICS})


def _partition(a: Analysis, key: Callable[[LayerResult], str], table: list[dict[str, float]],
               totals: dict[str, float], order: Iterable[str] = ()) -> list[Group]:
    """Groups in a fixed order (given keys first, the rest by GFLOPs, largest first)."""
    members: dict[str, list[int]] = {}
    for r in a.layers:
        members.setdefault(key(r), []).append(r.index)
    groups = [_group(k, idx, table, totals) for k, idx in members.items()]
    rank = {k: i for i, k in enumerate(order)}
    return sorted(groups, key=lambda g: (rank.get(g.key, len(rank)), -g.values["gflops"], g.key))


def section(r: LayerResult) -> str:
    """backbone as the YAML says; in its head section the detection layer is the head and the rest
    the neck (FPN/PAN)."""
    if r.is_head:
        return "head"
    return "backbone" if r.section == "backbone" else "neck"


def level_inputs(a: Analysis) -> dict[str, int]:
    """Each output level and the layer whose output it is computed from (the detection layer's
    inputs in order; Segment's prototypes come from its first input)."""
    last = a.layers[-1]
    if not last.is_head or not last.inputs:
        return {lv.name: lv.layer for lv in a.levels}
    ins = list(last.inputs)
    return {lv.name: ins[k] if k < len(ins) else ins[0] for k, lv in enumerate(a.levels)}


def ancestors(a: Analysis, start: int) -> set[int]:
    """The layer and every layer it reads, transitively."""
    seen, todo = {start}, [start]
    while todo:
        for j in a.layers[todo.pop()].inputs:
            if j not in seen:
                seen.add(j)
                todo.append(j)
    return seen


def breakdown(a: Analysis) -> Breakdown:
    table = _table(a)
    totals = {m: float(sum(row[m] for row in table)) for m in METRICS}
    paths = {name: ancestors(a, j) for name, j in level_inputs(a).items()}
    last = a.layers[-1].index

    def fed(r: LayerResult) -> str:
        names = [n for n, members in paths.items() if r.index in members or r.index == last]
        return "+".join(names) if names else "no output (unused)"

    by_level = _partition(a, fed, table, totals, order=["+".join(paths), *paths])
    level_paths = [_group(name, sorted(members | {last}), table, totals) for name, members in paths.items()]
    top = {m: [_group(f"{i} {a.layers[i].module}", [i], table, totals) for i in _largest(table, m)]
           for m in METRICS}
    return Breakdown(totals=totals,
                     by_module=_partition(a, lambda r: r.module, table, totals),
                     by_section=_partition(a, section, table, totals, order=("backbone", "neck", "head")),
                     by_level=by_level, level_paths=level_paths, top=top)


def _largest(table: list[dict[str, float]], metric: str) -> list[int]:
    """The TOP_N layers with the most of a metric (ties: the earlier layer first)."""
    return heapq.nsmallest(TOP_N, range(len(table)), key=lambda i: (-table[i][metric], i))


def of(a: Analysis) -> Breakdown:
    """The analysis's breakdown (computed here for an Analysis built by hand)."""
    return a.breakdown if a.breakdown is not None else breakdown(a)
