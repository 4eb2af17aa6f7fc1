"""SPP -> SPPF in torch: cv2's weight blocks in kernel order, the checks, counterexamples."""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn as nn

from ...analyzer.layers import LayerSpec
from ...analyzer.rewrites.spp import chain, spp_kernels
from .. import blocks
from ..build import default_act
from ..equivalence import StateMap, Verdict, compare_blocks
from . import Proof


def state_map(spec: LayerSpec) -> StateMap:
    """SPP state dict -> SPPF state dict: cv2's input blocks follow the sorted kernel order."""
    ks, h = spp_kernels(spec), spec.args[0] // 2
    order = [0] + [1 + ks.index(k) for k in sorted(ks)]

    def to_b(sd: dict) -> dict:
        out = dict(sd)
        w = sd["cv2.conv.weight"]
        out["cv2.conv.weight"] = torch.cat([w[:, j * h:(j + 1) * h] for j in order], 1)
        return out
    return to_b


def counterexample(ks: list[int]) -> str:
    """A spike input where SPP's pools and the SPPF chain of min(ks) differ, checked in torch."""
    k = min(ks)
    windows = chain(k, len(ks))
    i = next(j for j, (a, b) in enumerate(zip(sorted(ks), windows)) if a != b)
    a, b = sorted(ks)[i], windows[i]
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


def forms(spec: LayerSpec, act_text: Optional[str]) -> tuple[nn.Module, nn.Module]:
    c1, c2 = spec.args[:2]
    ks = spp_kernels(spec)
    with default_act(act_text):
        return blocks.SPP(c1, c2, ks), blocks.SPPF(c1, c2, min(ks))


def verify(spec: LayerSpec, act_text: Optional[str], seed: int) -> Verdict:
    c1, c2 = spec.args[:2]
    ks = spp_kernels(spec)
    k = min(ks)
    windows = chain(k, len(ks))
    claim = f"SPP({c1}, {c2}, {tuple(ks)}) == SPPF({c1}, {c2}, {k})"
    if sorted(ks) != windows or len(ks) != 3:
        v = Verdict(spec.index, "spp", claim.replace("==", "!="), False)
        v.counterexample = counterexample(ks) if sorted(ks) != windows else f"{len(ks)} pools; YOLOv5's SPPF chains 3"
        return v
    torch.manual_seed(seed)
    spp, sppf = forms(spec, act_text)
    x = torch.randn(2, c1, 16, 16)
    exact = ks == windows  # a permuted cv2 input reassociates its sum; the pools themselves are exact
    return Verdict(spec.index, "spp", claim, True, compare_blocks(spp, sppf, state_map(spec), x, exact=exact))


PROOF = Proof(verify=verify, forms=forms, state_map=state_map)
