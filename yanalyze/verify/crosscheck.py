"""`yanalyze verify --crosscheck`: every layer's analytic numbers against its torch block.

Each layer with a built-in cost model is built in torch with the same resolved arguments and
run on the meta device with the input shapes the analysis computed: parameters (numel),
output shapes and multiply-accumulates of convolutions and matrix products must all equal.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.utils._pytree import tree_flatten

from ..analyzer import config as config_mod
from ..analyzer.layers import resolve_rows, settings
from ..analyzer.model import Analysis
from . import blocks
from .build import default_act, layer_module
from .trace import Tracer


@dataclass(frozen=True)
class LayerCheck:
    index: int
    module: str
    ours: tuple
    torch: tuple

    @property
    def passed(self) -> bool:
        return self.ours == self.torch


def _shapes(layer, y) -> list:
    if isinstance(layer, blocks.Detect):
        levels, proto = (y[0], [y[1]]) if isinstance(layer, blocks.Segment) else (y, [])
        return [[t.shape[1] * t.shape[4], t.shape[2], t.shape[3]] for t in levels] + [list(p.shape[1:]) for p in proto]
    return [list(t.shape[1:]) + [1] * (4 - t.dim()) for t in tree_flatten(y)[0] if isinstance(t, torch.Tensor)]


def crosscheck(source, a: Analysis, variant=None) -> list[LayerCheck]:
    """(params, output shapes, conv+matmul MACs) per built-in layer, ours and torch's."""
    cfg = config_mod.load(source, variant)
    s = settings(cfg)
    specs = resolve_rows(cfg, s)
    out = []
    for spec, r in zip(specs, a.layers):
        if spec.mdef.origin != "built-in":
            continue
        with default_act(s.act_text):
            layer = layer_module(spec).to("meta").train()  # train: attention op by op, Detect raw
        shapes = [a.layers[j].out.shape.as_list() for j in spec.inputs] or [[s.ch, *a.input.imgsz]]
        xs = [torch.empty(1, *sh, device="meta") for sh in shapes]
        tracer = Tracer(set(), {})
        with torch.no_grad(), tracer:
            y = layer(xs if spec.mdef.multi_input else xs[0])
        params = sum(p.numel() for p in layer.parameters())
        ours = (r.params, [o.shape.as_list() for o in r.outputs], r.macs)
        out.append(LayerCheck(r.index, r.module, ours, (params, _shapes(layer, y), tracer.m.cost.macs)))
    return out
