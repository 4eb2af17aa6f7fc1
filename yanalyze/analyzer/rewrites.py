"""Equivalence rewrites: where Focus -> Conv and SPP -> SPPF apply, and what they change.

Focus(c1, c2, k, s, p, g=1) equals Conv(c1, c2, 2k, 2s, 2p): phase (r, q) of the
space-to-depth stack (order (0,0), (1,0), (0,1), (1,1)) supplies the kernel taps
[2t + r, 2u + q]; the products are the same, only summed in another order. With g > 1 the
groups of the Focus conv split phases, not channels, so no grouped Conv matches.

SPP(c1, c2, (k1..km)) equals SPPF(c1, c2, k) when the sorted kernels are
1 + i*(k-1), i = 1..m, and m = 3 (YOLOv5's SPPF chains three pools): stride-1 'same'
max-pools compose, max(max) over nested windows is the max over the union, bit for bit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional, Sequence

from .config import Config, Row
from .layers import LayerSpec

FOCUS_PHASES = ((0, 0), (1, 0), (0, 1), (1, 1))  # (row, col) offsets, in Focus's concat order


@dataclass(frozen=True)
class Plan:
    """A candidate rewrite of one row, before its numbers are known."""

    kind: str
    layer: int
    equivalent: bool
    exactness: str
    module: str
    yaml_args: Optional[list]
    mapping: str
    reason: str
    counterexample: Optional[str] = None


def _pair(v: Any) -> tuple[int, int]:
    return (v[0], v[1]) if isinstance(v, (list, tuple)) else (v, v)


def _same(v: tuple[int, int]) -> Any:
    return v[0] if v[0] == v[1] else list(v)


def focus_plan(row: Row, spec: LayerSpec) -> Plan:
    """Focus(c1, c2, k, s, p, g, act) -> Conv(c2, 2k, 2s, 2p[, 1, 1, act]) in YAML terms."""
    c1, _, *given = spec.args
    k, s, p, g, act = (given + [1, 1, None, 1, True][len(given):])[:5]
    kh, kw = _pair(k)
    ph, pw = _pair(p) if p is not None else (kh // 2, kw // 2)
    sh, sw = _pair(s)
    written = row.args if isinstance(row.args, list) else [row.args]
    new = [written[0], _same((2 * kh, 2 * kw)), _same((2 * sh, 2 * sw)), _same((2 * ph, 2 * pw))]
    if act is not True:
        new += [1, 1, act]
    mapping = (f"Conv weight[:, :, r::2, q::2] = Focus weight[:, i*{c1}:(i+1)*{c1}] for phase i = "
               f"(r, q) in (0,0), (1,0), (0,1), (1,1); BatchNorm and activation unchanged")
    if g != 1:
        return Plan("focus", spec.index, False, "not-equivalent", "Conv", None, mapping,
                    f"groups={g}: the Focus conv's groups split the stacked phases, not input channels, "
                    f"so Conv(..., g={g}) computes something else; only a dense Conv with zero taps matches",
                    "any input with different values in the four pixel phases of a 2x2 cell")
    return Plan("focus", spec.index, True, "reassociation", "Conv", new,
                mapping, f"space-to-depth then a {k}x{k} stride-{s} conv is one {2 * kh}x{2 * kw} "
                f"stride-{2 * sh} conv with padding {2 * ph} on the full-resolution input")


def spp_plan(row: Row, spec: LayerSpec) -> Plan:
    """SPP(c1, c2, ks) -> SPPF(c2, k) when the kernels are the chain 1 + i*(k-1)."""
    ks = spec.args[2] if len(spec.args) > 2 else [5, 9, 13]
    ks = list(ks) if isinstance(ks, (list, tuple)) else [ks]
    k, m = min(ks), len(ks)
    chain = [1 + i * (k - 1) for i in range(1, m + 1)]
    written = row.args if isinstance(row.args, list) else [row.args]
    order = "" if ks == sorted(ks) else f"; cv2's input channels are permuted to the order {sorted(ks)}"
    mapping = (f"cv1 and cv2 weights copied{order}; pool i of SPP (kernel {', '.join(map(str, sorted(ks)))}) "
               f"is i chained {k}x{k} pools of SPPF")
    if sorted(ks) == chain and m == 3:
        # the pools are exact either way; a permuted cv2 sums its input blocks in another order
        return Plan("spp", spec.index, True, "bit-exact" if ks == chain else "reassociation", "SPPF",
                    [written[0], k], mapping,
                    f"{m} chained stride-1 max-pools of {k} cover windows {', '.join(map(str, chain))}")
    if sorted(ks) == chain:
        return Plan("spp", spec.index, True, "bit-exact", "SPPF", None, mapping,
                    f"equals a chain of {m} pools of {k}, but YOLOv5's SPPF chains exactly 3; no rewrite")
    i = next(j for j, (a, b) in enumerate(zip(sorted(ks), chain)) if a != b)
    a, b = sorted(ks)[i], chain[i]
    d = min(a, b) // 2 + 1
    return Plan("spp", spec.index, False, "not-equivalent", "SPPF", None, mapping,
                f"SPPF({k}) chains windows {', '.join(map(str, chain))}; SPP has {', '.join(map(str, sorted(ks)))}",
                f"after cv1, a single 1 at {d} px beside an output pixel (zeros elsewhere): SPP's "
                f"{a}x{a} pool gives {1 if a > b else 0} there, SPPF's chain of {i + 1} pools "
                f"({b}x{b}) gives {1 if b > a else 0}")


PLANNERS = {"Focus": focus_plan, "SPP": spp_plan}


def plans(cfg: Config, specs: Sequence[LayerSpec], only: Optional[str] = None) -> list[Plan]:
    """Every row a rewrite rule speaks about (equivalent or not), optionally one kind only."""
    out = []
    for row, spec in zip(cfg.rows, specs):
        planner = PLANNERS.get(spec.module)
        if planner and (only is None or only == spec.module.lower()):
            out.append(planner(row, spec))
    return out


def applicable(ps: Sequence[Plan]) -> list[Plan]:
    return [p for p in ps if p.equivalent and p.yaml_args is not None]


def rewritten_data(cfg: Config, ps: Sequence[Plan]) -> dict:
    """The config mapping with the applicable rows replaced (for analysing the result)."""
    data = {k: (list(v) if isinstance(v, list) else v) for k, v in cfg.data.items()}
    for p in applicable(ps):
        row = cfg.rows[p.layer]
        data[row.key][row.pos] = [row.src_from, row.number, p.module, p.yaml_args]
    return data


def flow(v: Any) -> str:
    """A value as YAML flow text, as people write YOLOv5 rows: [64, 6, 2, 2]."""
    if isinstance(v, list):
        return "[" + ", ".join(flow(x) for x in v) + "]"
    if v is None:
        return "None"
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, str) and not re.fullmatch(r"[A-Za-z0-9_.*+/() -]+", v):
        return "'" + v.replace("'", "''") + "'"
    return str(v)


def rewritten_text(cfg: Config, ps: Sequence[Plan]) -> str:
    """The file text with only the module name and args of each rewritten row replaced."""
    assert cfg.text is not None
    text = cfg.text
    edits = []
    for p in applicable(ps):
        span = cfg.rows[p.layer].span
        if span is None:
            raise ValueError(f"layer {p.layer}: row is not a plain 4-item sequence in the file")
        edits += [(span.module, p.module), (span.args, flow(p.yaml_args))]
    for (start, end), new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def check(before: Sequence, after: Sequence, found: Sequence) -> list[str]:
    """What differs between the analyses of a config and of its rewrite, beyond what was promised.

    Every layer must keep its output shapes, strides and receptive fields; rewritten layers
    must have the module and numbers their finding announced, the others their own numbers.
    """
    promised = {r.layer: r.after for r in found if r.applicable}
    problems = []
    if len(before) != len(after):
        return [f"{len(before)} layers became {len(after)}"]
    for b, a in zip(before, after):
        if [(o.shape, o.stride, o.rf, o.rf_min, o.rf_max) for o in b.outputs] != \
                [(o.shape, o.stride, o.rf, o.rf_min, o.rf_max) for o in a.outputs]:
            problems.append(f"layer {b.index}: output shape, stride or receptive field changed")
        want = promised.get(b.index)
        expect = (want.module, want.params, want.gflops) if want else (b.module, b.params, b.gflops)
        if (a.module, a.params, a.gflops) != expect:
            problems.append(f"layer {b.index}: got {a.module} with {a.params} params, expected {expect}")
    return problems
