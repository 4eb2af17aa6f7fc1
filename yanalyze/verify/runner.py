"""`yanalyze verify`: prove each rewrite finding of a config numerically, then the whole model,
then Conv+BN folding; each step a thunk so that a progress display can drive them."""
from __future__ import annotations

from functools import partial
from typing import Callable

import torch

from ..analyzer import rewrites as rw
from ..analyzer.load import ParsedModel
from .build import TorchModel
from .equivalence import F64_RTOL, Verdict, output_check
from .proofs import proof_for

Step = Callable[[], Verdict]


def end_to_end(model: ParsedModel, size: int, seed: int) -> Verdict:
    """Whole model from the config and from its rewrite, weights mapped, float64, eval mode."""
    plans = rw.applicable(rw.plans(model))
    torch.manual_seed(seed)
    a = TorchModel(model.specs, model.settings).double().eval()
    new = rw.reload(model, plans)
    b = TorchModel(new.specs, new.settings).double().eval()
    rewritten = {p.layer: p for p in plans}
    for i, (la, lb) in enumerate(zip(a.layers, b.layers)):
        p = rewritten.get(i)
        state_map = proof_for(rw.RULES[p.kind]).state_map if p else None
        lb.load_state_dict(state_map(model.specs[i])(la.state_dict()) if state_map else la.state_dict())
    x = torch.randn(1, model.settings.ch, size, size, dtype=torch.float64)
    with torch.no_grad():
        ya, yb = _first(a(x)), _first(b(x))
    v = Verdict(-1, "model", f"{model.name}: original == rewritten ({len(plans)} rewrites), detections "
                f"at {size}x{size}", True)
    v.checks.append(output_check("detection outputs, float64", ya, yb, F64_RTOL))
    return v


def _first(y):
    return y[0] if isinstance(y, (tuple, list)) else y


def steps(model: ParsedModel, size: int = 256, seed: int = 0) -> list[tuple[str, Step]]:
    """The verification steps for a parsed config, as (label, thunk). size must suit the model
    (a multiple of its largest stride)."""
    act = model.settings.act_text
    out: list[tuple[str, Step]] = []
    for plan in rw.plans(model):
        spec = model.specs[plan.layer]
        out.append((f"layer {spec.index} {spec.module}", partial(proof_for(rw.RULES[plan.kind]).verify, spec, act, seed)))
    if rw.applicable(rw.plans(model)):
        out.append(("whole model", partial(end_to_end, model, size, seed)))
    conv = next((sp for sp in model.specs if sp.module == "Conv"), None)
    out.append(("Conv+BN folding", partial(proof_for(rw.RULES["fold"]).verify, conv, act, seed)))
    return out
