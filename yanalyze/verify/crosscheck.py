"""Both paths on the same block: its analytic cost model and its torch reference traced.

Each layer (or a single block) is built in torch from its registry entry with the same
resolved arguments and run on the meta device, in inference mode, on inputs of the shapes
the analysis computed. Parameters, output shapes, the ultralytics-thop count, MACs,
complete FLOPs and the elements read and written (activations and weights) must all equal
what the cost model records, because both price every kernel with analyzer.conventions.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Optional, Sequence

import torch
import torch.nn as nn
from torch.utils._pytree import tree_flatten

from ..analyzer.cost import Cost
from ..analyzer.engine import run_pass
from ..analyzer.field import AxisField
from ..analyzer.load import ParsedModel
from ..analyzer.model import Shape
from ..analyzer.registry import ModuleDef
from ..analyzer.symbolic import ACTS, T, Trace
from . import head_blocks
from .build import NoTorchReference, default_act, torch_args, torch_class
from .trace import Measured, measure_module


@dataclass(frozen=True)
class Numbers:
    """What both paths measure of one block."""

    params: int
    shapes: list
    thop: int
    macs: int
    flops: int
    act: int
    weights: int


@dataclass(frozen=True)
class LayerCheck:
    """One layer: the analytic numbers, the torch numbers, or why there is no torch side."""

    index: int
    module: str
    ours: Numbers
    torch: Optional[Numbers]
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.torch is not None and self.ours == self.torch

    @property
    def differences(self) -> list[str]:
        if self.torch is None:
            return []
        return [f.name for f in fields(Numbers) if getattr(self.ours, f.name) != getattr(self.torch, f.name)]


def numbers(cost: Cost, shapes: list) -> Numbers:
    return Numbers(params=cost.params, shapes=shapes, thop=cost.thop, macs=cost.macs, flops=cost.flops,
                   act=cost.act, weights=cost.weights)


def analytic(mdef: ModuleDef, args: list, shapes: Sequence[Sequence[int]], repeats: int = 1,
             act: str = "SiLU") -> Numbers:
    """The cost model of one block on inputs of the given C x H x W shapes."""
    trace = Trace(ACTS[act], False)
    xs = [T(Shape(*s), AxisField.identity(False), AxisField.identity(False), False, trace) for s in shapes]
    if mdef.multi_input:
        out = mdef.build(xs, *args)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
    else:
        y = xs[0]
        for _ in range(repeats):
            y = mdef.build(y, *args)
        outs = [y]
    return numbers(trace.cost, [o.shape.as_list() for o in outs])


def torch_block(mdef: ModuleDef, args: list, repeats: int = 1, act_text: Optional[str] = None) -> nn.Module:
    """The block's torch reference on the meta device, in inference mode."""
    cls = torch_class(mdef)

    targs = torch_args(args)

    def make() -> nn.Module:
        return nn.Sequential(*(cls(*targs) for _ in range(repeats))) if repeats > 1 else cls(*targs)

    with default_act(act_text):
        try:
            with torch.device("meta"):
                m = make()
        except RuntimeError:  # a constructor that computes with tensors (MixConv2d's channel split)
            m = make().to("meta")
    return m.eval()


def _prime_head(head: nn.Module, xs: list, imgsz: int) -> None:
    """A Detect head needs its strides, and builds its grids on a first call; a real forward
    pass has done both before it counts."""
    head.stride = torch.tensor([imgsz / x.shape[-2] for x in xs], device="meta")
    with torch.no_grad():
        head([x.clone() for x in xs])


def _shapes(module: nn.Module, y: Any) -> list:
    if head_blocks.decodes(module):  # eval: (decoded, levels) or, for Segment, (decoded, prototypes, levels)
        levels, proto = (y[2], [y[1]]) if len(y) == 3 else (y[1], [])
        return [[t.shape[1] * t.shape[4], t.shape[2], t.shape[3]] for t in levels] + [list(p.shape[1:]) for p in proto]
    return [list(t.shape[1:]) + [1] * (4 - t.dim()) for t in tree_flatten(y)[0] if isinstance(t, torch.Tensor)]


def traced(mdef: ModuleDef, args: list, shapes: Sequence[Sequence[int]], repeats: int = 1,
           act_text: Optional[str] = None, imgsz: int = 256) -> tuple[Numbers, Measured]:
    """The block's torch reference, traced on meta inputs of the given shapes."""
    module = torch_block(mdef, args, repeats, act_text)
    xs = [torch.empty(1, *s, device="meta") for s in shapes]
    if head_blocks.decodes(module):
        _prime_head(module, xs, imgsz)
    m, y, _ = measure_module(module, xs, as_list=mdef.multi_input)
    return numbers(m.cost, _shapes(module, y)), m


def crosscheck(model: ParsedModel, hw: tuple[int, int]) -> list[LayerCheck]:
    """Every layer of a model: the cost model against its torch reference at the image size."""
    s = model.settings
    passes = run_pass(model.specs, s, hw, False, model.path)
    out = []
    for spec, lp in zip(model.specs, passes):
        ours = numbers(lp.cost, [o.shape.as_list() for o in lp.outs])
        shapes = [tuple(passes[j].outs[0].shape.as_list()) for j in spec.inputs] or [(s.ch, *hw)]
        try:
            theirs, _ = traced(spec.mdef, spec.args, shapes, spec.repeats, s.act_text, max(hw))
        except NoTorchReference as exc:
            out.append(LayerCheck(spec.index, spec.module, ours, None, str(exc)))
            continue
        out.append(LayerCheck(spec.index, spec.module, ours, theirs))
    return out
