"""Numerical proofs of the equivalence rewrites, block by block and end to end.

For each finding both forms are built with random weights; the original's parameters are
mapped onto the rewritten form (`to_b`), then the forms must agree: forward in eval and
train mode, every parameter gradient of a mean loss, and again after one SGD step.
Every check reports the largest absolute difference and the relative error: that difference
over the scale of what is compared (the largest |output| or |parameter|, at least 1; the
largest |gradient|). Blocks run in float32: the relative error must stay below 1e-6 (a few
units in the last place) for Focus -> Conv, whose products are the same but summed in
another order, and be exactly 0 for SPP -> SPPF outputs (max is exact). Gradients are sums
over the batch in another order, so they, and everything after an optimizer step, get the
1e-6 bound. Whole models and Conv+BN folding run in float64 (bound 1e-12), so those
comparisons speak about the arithmetic, not about rounding.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import torch
import torch.nn as nn

from ..analyzer.rewrites import FOCUS_PHASES
from . import blocks

StateMap = Callable[[dict], dict]
OUT_RTOL = 1e-6   # float32: relative error bound of outputs, gradients and parameters
F64_RTOL = 1e-12  # float64 (whole models, Conv+BN folding)


@dataclass
class Check:
    """One comparison: the largest difference, the scale it is relative to, and the bound."""

    name: str
    abs_error: float
    scale: float
    bound: float

    @property
    def error(self) -> float:
        """Relative error: the largest difference over the scale of the compared values."""
        return self.abs_error / self.scale if self.scale else self.abs_error

    @property
    def passed(self) -> bool:
        return self.error <= self.bound


def output_check(name: str, ya: torch.Tensor, yb: torch.Tensor, rtol: float) -> Check:
    """Largest |ya - yb| relative to max(1, max |ya|) against rtol; rtol 0 demands bit equality."""
    ya, yb = ya.detach(), yb.detach()
    return Check(name, float((ya - yb).abs().max()), max(1.0, float(ya.abs().max())), rtol)


@dataclass
class Verdict:
    """The outcome for one layer: the claim, whether it should hold, and the checks run."""

    layer: int
    kind: str
    claim: str
    expected: bool
    checks: list[Check] = field(default_factory=list)
    counterexample: Optional[str] = None

    @property
    def passed(self) -> bool:
        """Equivalent claims hold in every check; non-equivalent ones are shown to differ."""
        if self.expected:
            return all(c.passed for c in self.checks)
        return self.counterexample is not None


def focus_weight_to_conv(w: torch.Tensor, c1: int) -> torch.Tensor:
    """Focus conv weight (c2, 4*c1, k, k) -> Conv weight (c2, c1, 2k, 2k) with interleaved taps."""
    c2, _, kh, kw = w.shape
    out = w.new_zeros(c2, c1, 2 * kh, 2 * kw)
    for i, (r, q) in enumerate(FOCUS_PHASES):
        out[:, :, r::2, q::2] = w[:, i * c1:(i + 1) * c1]
    return out


def focus_map(c1: int) -> StateMap:
    """Focus state dict -> Conv state dict: interleave the kernel, keep the BatchNorm."""
    def to_b(sd: dict) -> dict:
        out = {k.removeprefix("conv."): v for k, v in sd.items() if k != "conv.conv.weight"}
        out["conv.weight"] = focus_weight_to_conv(sd["conv.conv.weight"], c1)
        return out
    return to_b


def spp_map(ks: list[int], h: int) -> StateMap:
    """SPP state dict -> SPPF state dict: cv2's input blocks follow the sorted kernel order."""
    order = [0] + [1 + ks.index(k) for k in sorted(ks)]

    def to_b(sd: dict) -> dict:
        out = dict(sd)
        w = sd["cv2.conv.weight"]
        out["cv2.conv.weight"] = torch.cat([w[:, j * h:(j + 1) * h] for j in order], 1)
        return out
    return to_b


def _max_diff(a: dict, b: dict) -> float:
    return max((float((a[k].double() - b[k].double()).abs().max()) for k in b if b[k].is_floating_point()),
               default=0.0)


def _grads(m: nn.Module) -> dict:
    return {n: p.grad for n, p in m.named_parameters()}


def _scale(tensors: dict, floor: float = 0.0) -> float:
    return max([floor, *(float(v.detach().abs().max()) for v in tensors.values() if v.is_floating_point())])


def compare_blocks(a: nn.Module, b: nn.Module, to_b: StateMap, x: torch.Tensor, exact: bool) -> list[Check]:
    """Forward in eval and train mode, gradients of a mean loss, and after one SGD step (float32)."""
    rtol = 0.0 if exact else OUT_RTOL
    b.load_state_dict(to_b(a.state_dict()))
    checks = []
    a.eval(), b.eval()
    with torch.no_grad():
        checks.append(output_check("forward, eval mode", a(x), b(x), rtol))
    a.train(), b.train()
    ya, yb = a(x), b(x)
    checks.append(output_check("forward, train mode", ya, yb, rtol))
    ya.mean().backward()
    yb.mean().backward()
    ga = to_b({**a.state_dict(), **_grads(a)})
    gb = {**b.state_dict(), **_grads(b)}
    names = [n for n, _ in b.named_parameters()]
    checks.append(Check("gradients (mean loss)", _max_diff({n: ga[n] for n in names}, {n: gb[n] for n in names}),
                        _scale(_grads(b)), OUT_RTOL))
    for m in (a, b):
        opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
        opt.step()
    checks.append(Check("parameters after one SGD step", _max_diff(to_b(a.state_dict()), b.state_dict()),
                        _scale(b.state_dict(), 1.0), OUT_RTOL))
    a.eval(), b.eval()
    with torch.no_grad():  # the step applied reassociated gradients: not bit-exact any more
        checks.append(output_check("forward after the step, eval mode", a(x), b(x), OUT_RTOL))
    return checks


def fold_check(c1: int, c2: int, k: int, s: int, seed: int = 0) -> Check:
    """Conv+BN folding (model.fuse()) against the unfused block: eval mode, random BN statistics,
    float64 (folding is an identity of the arithmetic; float32 would only measure rounding)."""
    torch.manual_seed(seed)
    m = blocks.Conv(c1, c2, k, s).double().eval()
    with torch.no_grad():
        m.bn.running_mean.normal_()
        m.bn.running_var.uniform_(0.5, 2.0)
        m.bn.weight.normal_()
        m.bn.bias.normal_()
        x = torch.randn(2, c1, 32, 32, dtype=torch.float64)
        y = m(x)
        fused = blocks.fuse_conv_and_bn(m.conv, m.bn)
        z = m.act(fused(x))
    return output_check(f"Conv+BN folding, Conv({c1}, {c2}, {k}, {s}), float64", y, z, F64_RTOL)
