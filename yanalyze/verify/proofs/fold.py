"""Conv+BN folding in torch: the folded conv against the unfused block, as model.fuse() does it."""
from __future__ import annotations

from typing import Optional

import torch

from ...analyzer.layers import LayerSpec
from .. import blocks
from ..build import default_act
from ..equivalence import F64_RTOL, Verdict, output_check
from . import Proof


def verify(spec: Optional[LayerSpec], act_text: Optional[str], seed: int) -> Verdict:
    """The model's first Conv (or a 3->16 3x3 one) folded with random BN statistics, eval mode,
    float64 (folding is an identity of the arithmetic; float32 would only measure rounding)."""
    c1, c2, k, s = (list(spec.args[:4]) + [1, 1])[:4] if spec is not None else (3, 16, 3, 1)
    torch.manual_seed(seed)
    with default_act(act_text):
        m = blocks.Conv(c1, c2, k, s).double().eval()
    with torch.no_grad():
        m.bn.running_mean.normal_()
        m.bn.running_var.uniform_(0.5, 2.0)
        m.bn.weight.normal_()
        m.bn.bias.normal_()
        x = torch.randn(2, c1, 32, 32, dtype=torch.float64)
        y = m(x)
        z = m.act(blocks.fuse_conv_and_bn(m.conv, m.bn)(x))
    check = output_check(f"Conv+BN folding, Conv({c1}, {c2}, {k}, {s}), float64", y, z, F64_RTOL)
    return Verdict(-1, "fold", "Conv+BN folding (model.fuse())", True, [check])


PROOF = Proof(verify=verify)
