"""The torch side of each rewrite rule: its proof, its two forms for timing, its weight map.

A rule in yanalyze.analyzer.rewrites names its proof as 'yanalyze.verify.proofs.KIND:PROOF';
this package resolves the name.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable, Optional

import torch.nn as nn

from ...analyzer.layers import LayerSpec
from ...analyzer.rewrites import RewriteRule
from ..equivalence import StateMap, Verdict


@dataclass(frozen=True)
class Proof:
    """verify(spec, act_text, seed): the block-level proof of one finding; forms(spec,
    act_text): (before, after) torch blocks for timing; state_map(spec): the original
    block's weights mapped onto the rewritten one (whole-model check)."""

    verify: Callable[..., Verdict]  # (spec, act_text, seed); fold also takes spec=None
    forms: Optional[Callable[[LayerSpec, Optional[str]], tuple[nn.Module, nn.Module]]] = None
    state_map: Optional[Callable[[LayerSpec], StateMap]] = None


def proof_for(rule: RewriteRule) -> Proof:
    module, _, name = rule.proof.partition(":")
    return getattr(importlib.import_module(module), name)
