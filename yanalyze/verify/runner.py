"""`yanalyze verify`: prove each rewrite finding of a config numerically, then the whole model."""
from __future__ import annotations

from functools import partial
from typing import Callable, Optional

import torch

from ..analyzer import config as config_mod
from ..analyzer import rewrites as rw
from ..analyzer.layers import LayerSpec, resolve_rows, settings
from . import blocks
from .build import TorchModel, default_act
from .equivalence import F64_RTOL, Verdict, compare_blocks, focus_map, fold_check, output_check, spp_map

Step = Callable[[], Verdict]


def _focus_args(spec: LayerSpec) -> tuple:
    c1, c2, *given = spec.args
    k, s, p, g, act = (given + [1, 1, None, 1, True][len(given):])[:5]
    return c1, c2, k, s, (k // 2 if p is None else p), g, act


def verify_focus(spec: LayerSpec, act_text: Optional[str], seed: int) -> Verdict:
    c1, c2, k, s, p, g, act = _focus_args(spec)
    claim = f"Focus({c1}, {c2}, {k}, {s}, {p}, {g}) == Conv({c1}, {c2}, {2 * k}, {2 * s}, {2 * p})"
    torch.manual_seed(seed)
    with default_act(act_text):
        focus = blocks.Focus(c1, c2, k, s, p, g, act)
        conv = blocks.Conv(c1, c2, 2 * k, 2 * s, 2 * p, 1, 1, act)
    x = torch.randn(2, c1, 64, 64)
    if g != 1:
        v = Verdict(spec.index, "focus", claim.replace("==", "!=") + f" with g={g}", False)
        n_focus = sum(t.numel() for t in focus.parameters())
        grouped = (f"Conv(g={g}) cannot exist ({c1} input channels are not divisible by {g})" if c1 % g else
                   f"Conv(g={g}) has {sum(t.numel() for t in blocks.Conv(c1, c2, 2 * k, 2 * s, 2 * p, g).parameters())}"
                   f" params against Focus's {n_focus}")
        v.counterexample = (f"{grouped}; the Focus groups split pixel phases, not channels, so no weight "
                            "mapping exists; the exact form is a dense Conv (g=1) with zero taps")
        return v
    return Verdict(spec.index, "focus", claim, True, compare_blocks(focus, conv, focus_map(c1), x, exact=False))


def spp_counterexample(ks: list[int]) -> str:
    """A spike input where SPP's pools and the SPPF chain of min(ks) differ, checked in torch."""
    k = min(ks)
    chain = [1 + i * (k - 1) for i in range(1, len(ks) + 1)]
    i = next(j for j, (a, b) in enumerate(zip(sorted(ks), chain)) if a != b)
    a, b = sorted(ks)[i], chain[i]
    size, c, d = 2 * max(a, b) + 1, max(a, b), min(a, b) // 2 + 1
    x = torch.zeros(1, 1, size, size)
    x[0, 0, c, c + d] = 1.0
    pool = torch.nn.functional.max_pool2d
    spp = float(pool(x, a, 1, a // 2)[0, 0, c, c])
    y = x
    for _ in range(i + 1):
        y = pool(y, k, 1, k // 2)
    sppf = float(y[0, 0, c, c])
    assert spp != sppf
    return (f"input {size}x{size} zeros with a 1 at row {c}, column {c + d}: at ({c}, {c}) SPP's {a}x{a} "
            f"pool gives {spp:g}, SPPF's chain of {i + 1} {k}x{k} pools gives {sppf:g}")


def verify_spp(spec: LayerSpec, act_text: Optional[str], seed: int) -> Verdict:
    c1, c2 = spec.args[:2]
    ks = list(spec.args[2]) if len(spec.args) > 2 else [5, 9, 13]
    k, h = min(ks), c1 // 2
    chain = [1 + i * (k - 1) for i in range(1, len(ks) + 1)]
    claim = f"SPP({c1}, {c2}, {tuple(ks)}) == SPPF({c1}, {c2}, {k})"
    if sorted(ks) != chain or len(ks) != 3:
        v = Verdict(spec.index, "spp", claim.replace("==", "!="), False)
        v.counterexample = spp_counterexample(ks) if sorted(ks) != chain else \
            f"{len(ks)} pools; YOLOv5's SPPF chains 3"
        return v
    torch.manual_seed(seed)
    with default_act(act_text):
        spp, sppf = blocks.SPP(c1, c2, ks), blocks.SPPF(c1, c2, k)
    x = torch.randn(2, c1, 16, 16)
    exact = ks == chain  # a permuted cv2 input reassociates its sum; the pools themselves are exact
    return Verdict(spec.index, "spp", claim, True, compare_blocks(spp, sppf, spp_map(ks, h), x, exact=exact))


VERIFIERS = {"Focus": verify_focus, "SPP": verify_spp}


def end_to_end(source, variant: Optional[str], size: int, seed: int) -> Verdict:
    """Whole model from the config and from its rewrite, weights mapped, float64, eval mode."""
    cfg = config_mod.load(source, variant)
    s = settings(cfg)
    specs = resolve_rows(cfg, s)
    plans = rw.applicable(rw.plans(cfg, specs))
    torch.manual_seed(seed)
    a = TorchModel(specs, s).double().eval()
    new_cfg = config_mod.load(rw.rewritten_data(cfg, plans))
    b = TorchModel(resolve_rows(new_cfg, settings(new_cfg)), s).double().eval()
    for plan in plans:
        spec = specs[plan.layer]
        to_b = focus_map(spec.args[0]) if plan.kind == "focus" else \
            spp_map(list(spec.args[2]) if len(spec.args) > 2 else [5, 9, 13], spec.args[0] // 2)
        b.layers[plan.layer].load_state_dict(to_b(a.layers[plan.layer].state_dict()))
    for i, (la, lb) in enumerate(zip(a.layers, b.layers)):
        if i not in {p.layer for p in plans}:
            lb.load_state_dict(la.state_dict())
    x = torch.randn(1, s.ch, size, size, dtype=torch.float64)
    with torch.no_grad():
        ya, yb = _first(a(x)), _first(b(x))
    v = Verdict(-1, "model", f"{cfg.name}: original == rewritten ({len(plans)} rewrites), detections "
                f"at {size}x{size}", True)
    v.checks.append(output_check("detection outputs, float64", ya, yb, F64_RTOL))
    return v


def _first(y):
    return y[0] if isinstance(y, (tuple, list)) else y


def steps(source, variant: Optional[str], size: int = 256, seed: int = 0) -> list[tuple[str, Step]]:
    """The verification steps for a config, as (label, thunk) so a progress bar can drive them."""
    cfg = config_mod.load(source, variant)
    s = settings(cfg)
    specs = resolve_rows(cfg, s)
    out: list[tuple[str, Step]] = []
    for spec in specs:
        if spec.module in VERIFIERS:
            out.append((f"layer {spec.index} {spec.module}", partial(VERIFIERS[spec.module], spec, s.act_text, seed)))
    if rw.applicable(rw.plans(cfg, specs)):
        out.append(("whole model", lambda: end_to_end(source, variant, size, seed)))
    conv = next((sp for sp in specs if sp.module == "Conv"), None)
    c1, c2, k, st = (conv.args[:4] + [1, 1])[:4] if conv else (3, 16, 3, 1)
    out.append(("Conv+BN folding", lambda: Verdict(-1, "fold", "Conv+BN folding (model.fuse())", True,
                                                   [fold_check(c1, c2, k, st, seed)])))
    return out
