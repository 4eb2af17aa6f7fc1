"""Where the cost goes: the layers' params, GFLOPs, memory access and activation memory grouped by
module type, by section (backbone, neck, head), by the output levels a layer feeds, and the
top layers; every grouping sums to the model's totals, so its shares sum to one."""
from __future__ import annotations

from typing import Callable, Iterable

from .model import DTYPE_BYTES, Analysis, Breakdown, Group, LayerResult

METRICS = ("params", "gflops", "mem_bytes", "activation_bytes")
LABELS = {"params": "params", "gflops": "GFLOPs", "mem_bytes": "memory access",
          "activation_bytes": "activation memory"}
TOP_N = 10


def activation_bytes(a: Analysis, r: LayerResult) -> int:
    """Bytes of the layer's outputs at the analysed batch and element type (written once each)."""
    return sum(o.shape.numel for o in r.outputs) * a.input.batch * DTYPE_BYTES[a.input.dtype]


def _value(a: Analysis, r: LayerResult, metric: str) -> float:
    return activation_bytes(a, r) if metric == "activation_bytes" else getattr(r, metric)


def _group(a: Analysis, key: str, layers: Iterable[LayerResult], totals: dict[str, float]) -> Group:
    rows = list(layers)
    values = {m: sum(_value(a, r, m) for r in rows) for m in METRICS}
    return Group(key=key, layers=tuple(r.index for r in rows), values=values,
                 shares={m: values[m] / totals[m] if totals[m] else 0.0 for m in METRICS})


def _partition(a: Analysis, key: Callable[[LayerResult], str], totals: dict[str, float],
               order: Iterable[str] = ()) -> list[Group]:
    """Groups in a fixed order (given keys first, the rest by GFLOPs, largest first)."""
    members: dict[str, list[LayerResult]] = {}
    for r in a.layers:
        members.setdefault(key(r), []).append(r)
    groups = [_group(a, k, rs, totals) for k, rs in members.items()]
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
    totals = {m: float(sum(_value(a, r, m) for r in a.layers)) for m in METRICS}
    paths = {name: ancestors(a, j) for name, j in level_inputs(a).items()}
    last = a.layers[-1].index

    def fed(r: LayerResult) -> str:
        names = [n for n, members in paths.items() if r.index in members or r.index == last]
        return "+".join(names) if names else "no output (unused)"

    by_level = _partition(a, fed, totals, order=["+".join(paths), *paths])
    level_paths = [_group(a, name, (a.layers[i] for i in sorted(members | {last})), totals)
                   for name, members in paths.items()]
    singles = [_group(a, f"{r.index} {r.module}", [r], totals) for r in a.layers]
    top = {m: _largest(singles, m) for m in METRICS}
    return Breakdown(totals=totals,
                     by_module=_partition(a, lambda r: r.module, totals),
                     by_section=_partition(a, section, totals, order=("backbone", "neck", "head")),
                     by_level=by_level, level_paths=level_paths, top=top)


def _largest(groups: list[Group], metric: str) -> list[Group]:
    return sorted(groups, key=lambda g: (-g.values[metric], g.layers))[:TOP_N]


def of(a: Analysis) -> Breakdown:
    """The analysis's breakdown (computed here for an Analysis built by hand)."""
    return a.breakdown if a.breakdown is not None else breakdown(a)
