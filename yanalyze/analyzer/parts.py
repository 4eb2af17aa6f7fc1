"""A block's internals from the kernels its cost model recorded: Conv2d + BatchNorm + activation
read as one Conv step, identical steps in a row counted once, each with its cost."""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from .cost import Cost

Step = tuple[str, str, int, Cost]  # name, detail, count, summed cost

NAMES = {"conv2d": "Conv2d", "batchnorm": "BatchNorm", "activation": "activation", "maxpool": "MaxPool",
         "avgpool": "AvgPool", "adaptive_avgpool": "AdaptiveAvgPool", "upsample": "Upsample",
         "upsample_bilinear": "Upsample (bilinear)", "concat": "Concat", "add": "Add",
         "pad": "Pad", "space_to_depth": "space-to-depth", "depth_to_space": "depth-to-space",
         "linear": "Linear", "broadcast": "element-wise", "scalar_op": "element-wise",
         "contiguous": "copy (contiguous)", "mean": "mean", "conv_transpose2d": "ConvTranspose2d",
         "group_norm": "GroupNorm", "layer_norm": "LayerNorm"}
MAX_PARTS = 200  # a transformer stage records thousands of kernels; the rest are summed as one step


def _steps(ops: Sequence[tuple[str, str, Cost]]) -> list[tuple[str, str, Cost]]:
    """Conv2d followed by its BatchNorm (and activation) becomes one 'Conv' step."""
    out: list[tuple[str, str, Cost]] = []
    k = 0
    while k < len(ops):
        what, detail, cost = ops[k]
        if what == "conv2d" and k + 1 < len(ops) and ops[k + 1][0] == "batchnorm":
            cost, extra, k = cost + ops[k + 1][2], " +BN", k + 2
            if k < len(ops) and ops[k][0] == "activation":
                cost, extra, k = cost + ops[k][2], f"{extra} +{ops[k][1]}", k + 1
            out.append(("Conv", detail + extra, cost))
            continue
        if what == "activation":  # a lone activation is named by its function: Sigmoid, SiLU
            what, detail = detail, ""
        out.append((NAMES.get(what, what.strip("_").replace("_", " ")), detail, cost))
        k += 1
    return out


MAX_PERIOD = 8  # the longest repeated group of steps folded (a bottleneck is 2-3 steps, a transformer layer ~8)


def _fold(steps: list[list]) -> list[list]:
    """Repeats folded: a group of steps that recurs back to back (C3's bottlenecks: 1x1, 3x3, add,
    n times) becomes the group once, each step counted n times with the costs summed."""
    keys = [(st[0], st[1]) for st in steps]
    out: list[list] = []
    i, n = 0, len(steps)
    while i < n:
        best_k, best_len = 1, 1
        for period in range(1, min(MAX_PERIOD, (n - i) // 2) + 1):
            unit, k = keys[i:i + period], 1
            while keys[i + k * period:i + (k + 1) * period] == unit:
                k += 1
            if k > 1 and k * period > best_k * best_len:
                best_k, best_len = k, period
        for j in range(best_len):
            group = steps[i + j:i + best_k * best_len:best_len]
            cost = group[0][3]
            for st in group[1:]:
                cost = cost + st[3]
            out.append([group[0][0], group[0][1], sum(st[2] for st in group), cost])
        i += best_k * best_len
    return out


@lru_cache(maxsize=4096)  # a big model repeats the same block, kernel for kernel, many times
def steps(ops: tuple[tuple[str, str, Cost], ...]) -> tuple[Step, ...]:
    """The steps of one layer, with repeats folded (SPPF's three pools, C3's n bottlenecks)."""
    runs = _fold([[name, detail, 1, cost] for name, detail, cost in _steps(ops)])
    if len(runs) > MAX_PARTS:
        rest = runs[MAX_PARTS - 1:]
        total = sum((r[3] for r in rest), Cost())
        runs = runs[:MAX_PARTS - 1] + [["more steps", f"{len(rest)} further steps", 1, total]]
    return tuple((name, detail, count, cost) for name, detail, count, cost in runs)
