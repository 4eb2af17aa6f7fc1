"""SPP -> SPPF: parallel max-pools of a kernel chain are chained pools of the smallest.

SPP(c1, c2, (k1..km)) equals SPPF(c1, c2, k) when the sorted kernels are 1 + i*(k-1),
i = 1..m, and m = 3 (YOLOv5's SPPF chains three pools): stride-1 'same' max-pools compose,
max(max) over nested windows is the max over the union, bit for bit.
"""
from __future__ import annotations

from ..config import Row
from ..layers import LayerSpec
from .base import Plan, RewriteRule

DEFAULT_KERNELS = [5, 9, 13]


def spp_kernels(spec: LayerSpec) -> list[int]:
    ks = spec.args[2] if len(spec.args) > 2 else DEFAULT_KERNELS
    return list(ks) if isinstance(ks, (list, tuple)) else [ks]


def chain(k: int, m: int) -> list[int]:
    """The windows of m chained stride-1 pools of k: 1 + i(k - 1)."""
    return [1 + i * (k - 1) for i in range(1, m + 1)]


def plan(row: Row, spec: LayerSpec) -> Plan:
    """SPP(c1, c2, ks) -> SPPF(c2, k) when the kernels are the chain 1 + i*(k-1)."""
    ks = spp_kernels(spec)
    k, m = min(ks), len(ks)
    windows = chain(k, m)
    written = row.args if isinstance(row.args, list) else [row.args]
    order = "" if ks == sorted(ks) else f"; cv2's input channels are permuted to the order {sorted(ks)}"
    mapping = (f"cv1 and cv2 weights copied{order}; pool i of SPP (kernel {', '.join(map(str, sorted(ks)))}) "
               f"is i chained {k}x{k} pools of SPPF")
    if sorted(ks) == windows and m == 3:
        # the pools are exact either way; a permuted cv2 sums its input blocks in another order
        return Plan(kind="spp", layer=spec.index, equivalent=True,
                    exactness="bit-exact" if ks == windows else "reassociation", module="SPPF",
                    yaml_args=[written[0], k], mapping=mapping,
                    reason=f"{m} chained stride-1 max-pools of {k} cover windows {', '.join(map(str, windows))}")
    if sorted(ks) == windows:
        return Plan(kind="spp", layer=spec.index, equivalent=True, exactness="bit-exact", module="SPPF",
                    yaml_args=None, mapping=mapping,
                    reason=f"equals a chain of {m} pools of {k}, but YOLOv5's SPPF chains exactly 3; no rewrite")
    i = next(j for j, (a, b) in enumerate(zip(sorted(ks), windows)) if a != b)
    a, b = sorted(ks)[i], windows[i]
    d = min(a, b) // 2 + 1
    return Plan(kind="spp", layer=spec.index, equivalent=False, exactness="not-equivalent", module="SPPF",
                yaml_args=None, mapping=mapping,
                reason=f"SPPF({k}) chains windows {', '.join(map(str, windows))}; SPP has "
                f"{', '.join(map(str, sorted(ks)))}",
                counterexample=f"after cv1, a single 1 at {d} px beside an output pixel (zeros elsewhere): SPP's "
                f"{a}x{a} pool gives {1 if a > b else 0} there, SPPF's chain of {i + 1} pools "
                f"({b}x{b}) gives {1 if b > a else 0}")


RULE = RewriteRule(kind="spp", title="SPP -> SPPF", sources=("SPP",), target="SPPF", plan=plan,
                   proof="yanalyze.verify.proofs.spp:PROOF")
