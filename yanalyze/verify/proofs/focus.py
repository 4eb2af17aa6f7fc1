"""Focus -> Conv in torch: the weight interleaving and the checks."""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn as nn

from ...analyzer.layers import LayerSpec
from ...analyzer.rewrites.base import pair, same
from ...analyzer.rewrites.focus import FOCUS_PHASES, focus_args
from .. import blocks
from ..build import default_act
from ..equivalence import StateMap, Verdict, compare_blocks
from . import Proof


def _args(spec: LayerSpec) -> tuple:
    c1, c2, k, s, p, g, act = focus_args(spec)
    return c1, c2, k, s, (same(tuple(x // 2 for x in pair(k))) if p is None else p), g, act


def _double(v: object) -> object:
    a, b = pair(v)
    return same((2 * a, 2 * b))


def weight_to_conv(w: torch.Tensor, c1: int) -> torch.Tensor:
    """Focus conv weight (c2, 4*c1, kh, kw) -> Conv weight (c2, c1, 2kh, 2kw) with interleaved taps."""
    c2, _, kh, kw = w.shape
    out = w.new_zeros(c2, c1, 2 * kh, 2 * kw)
    for i, (r, q) in enumerate(FOCUS_PHASES):
        out[:, :, r::2, q::2] = w[:, i * c1:(i + 1) * c1]
    return out


def state_map(spec: LayerSpec) -> StateMap:
    """Focus state dict -> Conv state dict: interleave the kernel, keep the BatchNorm."""
    c1 = spec.args[0]

    def to_b(sd: dict) -> dict:
        out = {k.removeprefix("conv."): v for k, v in sd.items() if k != "conv.conv.weight"}
        out["conv.weight"] = weight_to_conv(sd["conv.conv.weight"], c1)
        return out
    return to_b


def forms(spec: LayerSpec, act_text: Optional[str]) -> tuple[nn.Module, nn.Module]:
    c1, c2, k, s, p, g, act = _args(spec)
    with default_act(act_text):
        return blocks.Focus(c1, c2, k, s, p, g, act), blocks.Conv(c1, c2, _double(k), _double(s), _double(p), 1, 1, act)


def verify(spec: LayerSpec, act_text: Optional[str], seed: int) -> Verdict:
    c1, c2, k, s, p, g, act = _args(spec)
    claim = f"Focus({c1}, {c2}, {k}, {s}, {p}, {g}) == Conv({c1}, {c2}, {_double(k)}, {_double(s)}, {_double(p)})"
    torch.manual_seed(seed)
    focus, conv = forms(spec, act_text)
    if g != 1:
        v = Verdict(spec.index, "focus", claim.replace("==", "!=") + f" with g={g}", False)
        n_focus = sum(t.numel() for t in focus.parameters())
        grouped = (f"Conv(g={g}) cannot exist ({c1} input channels are not divisible by {g})" if c1 % g else
                   f"Conv(g={g}) has {sum(t.numel() for t in blocks.Conv(c1, c2, _double(k), _double(s), _double(p), g).parameters())}"
                   f" params against Focus's {n_focus}")
        v.counterexample = (f"{grouped}; the Focus groups split pixel phases, not channels, so no weight "
                            "mapping exists; the exact form is a dense Conv (g=1) with zero taps")
        return v
    x = torch.randn(2, c1, 64, 64)
    return Verdict(spec.index, "focus", claim, True, compare_blocks(focus, conv, state_map(spec), x, exact=False))


PROOF = Proof(verify=verify, forms=forms, state_map=state_map)
