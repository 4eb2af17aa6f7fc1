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
