"""Focus -> Conv: space-to-depth then a k x k conv is one 2k x 2k stride-2s conv.

Focus(c1, c2, k, s, p, g=1) equals Conv(c1, c2, 2k, 2s, 2p): phase (r, q) of the
space-to-depth stack (order (0,0), (1,0), (0,1), (1,1)) supplies the kernel taps
[2t + r, 2u + q]; the products are the same, only summed in another order. With g > 1 the
groups of the Focus conv split phases, not channels, so no grouped Conv matches.
"""
from __future__ import annotations

from ..config import Row
from ..layers import LayerSpec
from .base import Plan, RewriteRule, given, pair, same

FOCUS_PHASES = ((0, 0), (1, 0), (0, 1), (1, 1))  # (row, col) offsets, in Focus's concat order


def focus_args(spec: LayerSpec) -> tuple:
    """(c1, c2, k, s, p, g, act) of a Focus row, YOLOv5's defaults filled in (p: autopad)."""
    c1, c2, *rest = spec.args
    k, s, p, g, act = given(rest, [1, 1, None, 1, True])
    return c1, c2, k, s, p, g, act


def plan(row: Row, spec: LayerSpec) -> Plan:
    """Focus(c1, c2, k, s, p, g, act) -> Conv(c2, 2k, 2s, 2p[, 1, 1, act]) in YAML terms."""
    c1, _, k, s, p, g, act = focus_args(spec)
    kh, kw = pair(k)
    ph, pw = pair(p) if p is not None else (kh // 2, kw // 2)
    sh, sw = pair(s)
    written = row.args if isinstance(row.args, list) else [row.args]
    new = [written[0], same((2 * kh, 2 * kw)), same((2 * sh, 2 * sw)), same((2 * ph, 2 * pw))]
    if act is not True:
        new += [1, 1, act]
    mapping = (f"Conv weight[:, :, r::2, q::2] = Focus weight[:, i*{c1}:(i+1)*{c1}] for phase i = "
               f"(r, q) in (0,0), (1,0), (0,1), (1,1); BatchNorm and activation unchanged")
    if g != 1:
        return Plan(kind="focus", layer=spec.index, equivalent=False, exactness="not-equivalent", module="Conv",
                    yaml_args=None, mapping=mapping,
                    reason=f"groups={g}: the Focus conv's groups split the stacked phases, not input channels, "
                    f"so Conv(..., g={g}) computes something else; only a dense Conv with zero taps matches",
                    counterexample="any input with different values in the four pixel phases of a 2x2 cell")
    return Plan(kind="focus", layer=spec.index, equivalent=True, exactness="reassociation", module="Conv",
                yaml_args=new, mapping=mapping,
                reason=f"space-to-depth then a {k}x{k} stride-{s} conv is one {2 * kh}x{2 * kw} "
                f"stride-{2 * sh} conv with padding {2 * ph} on the full-resolution input")


RULE = RewriteRule(kind="focus", title="Focus -> Conv", sources=("Focus",), target="Conv", plan=plan,
                   proof="yanalyze.verify.proofs.focus:PROOF")
