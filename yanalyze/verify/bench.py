"""`yanalyze verify --bench`: time both forms of each rewrite, as the published comparison did.

torch.utils.benchmark on the CPU (and on a GPU when one is present), batch 1 and 16,
forward alone and forward plus backward, at the layer's real input size.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import torch
from torch.utils import benchmark

from ..analyzer import rewrites as rw
from ..analyzer.load import ParsedModel
from ..analyzer.model import Analysis
from .proofs import proof_for


@dataclass(frozen=True)
class Timing:
    layer: int
    pair: str
    device: str
    batch: int
    mode: str
    before_ms: float
    after_ms: float

    @property
    def speedup(self) -> float:
        return self.before_ms / self.after_ms


def _time(fn: Callable[[], object], min_run_time: float) -> float:
    return benchmark.Timer(stmt="fn()", globals={"fn": fn}).blocked_autorange(min_run_time=min_run_time).median * 1e3


def _runner(m: torch.nn.Module, x: torch.Tensor, mode: str) -> Callable[[], object]:
    if mode == "forward":
        def forward():
            with torch.no_grad():
                return m(x)
        return forward

    def forward_backward():
        m.zero_grad(set_to_none=True)
        m(x).mean().backward()
    return forward_backward


def bench(model: ParsedModel, a: Analysis, batches=(1, 16), min_run_time: float = 0.3,
          progress: Optional[Callable[[str], None]] = None) -> list[Timing]:
    """Median milliseconds of each applicable rewrite's two forms on every available device."""
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    out = []
    for plan in rw.applicable(rw.plans(model)):
        spec, rule = model.specs[plan.layer], rw.RULES[plan.kind]
        forms = proof_for(rule).forms
        if forms is None:
            continue
        before, after = forms(spec, model.settings.act_text)
        src = a.layers[spec.inputs[0]].out.shape if spec.inputs else None
        c, h, w = (src.c, src.h, src.w) if src else (model.settings.ch, *a.input.imgsz)
        name = rule.title.replace(" ", "")
        for device in devices:
            before, after = before.to(device).train(), after.to(device).train()
            for batch in batches:
                x = torch.randn(batch, c, h, w, device=device)
                for mode in ("forward", "forward+backward"):
                    if progress:
                        progress(f"layer {spec.index} {name} {device} batch {batch} {mode}")
                    out.append(Timing(spec.index, name, device, batch, mode,
                                      _time(_runner(before, x, mode), min_run_time),
                                      _time(_runner(after, x, mode), min_run_time)))
    return out
