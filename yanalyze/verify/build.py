"""Build runnable torch models from parsed configs (for verification only), each layer from
its registry entry's torch reference."""
from __future__ import annotations

import ast
import importlib
import re
from contextlib import contextmanager
from typing import Any, Iterator, Optional, Sequence

import torch
import torch.nn as nn

from ..analyzer import pyast
from ..analyzer.layers import LayerSpec, Settings
from ..analyzer.load import ParsedModel
from ..analyzer.registry import ModuleDef
from ..analyzer.symbolic import Act
from . import blocks, head_blocks

_ACT = re.compile(r"^\s*(?:torch\.)?(?:nn\.)?([A-Za-z_]\w*)\s*(?:\((.*)\))?\s*$", re.S)


class NoTorchReference(Exception):
    """A layer whose module has no torch block to build (a plugin, an unknown module)."""


def activation(text: Optional[str]) -> nn.Module:
    """The config's `activation` string as a module, from literal arguments only."""
    if not text:
        return nn.SiLU()
    m = _ACT.match(text)
    assert m is not None, text
    call = pyast.parse(f"f({m.group(2) or ''})", mode="eval").body
    assert isinstance(call, ast.Call)
    args = [ast.literal_eval(a) for a in call.args]
    kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
    return getattr(nn, m.group(1))(*args, **kwargs)


def torch_class(mdef: ModuleDef) -> type:
    """The torch block a registry entry names ('package.module:Class'), or a traced class."""
    if mdef.torch is None:
        raise NoTorchReference(f"{mdef.name} ({mdef.origin}) has no torch reference block")
    module, _, name = mdef.torch.partition(":")
    return getattr(importlib.import_module(module), name)


@contextmanager
def default_act(text: Optional[str]) -> Iterator[None]:
    """YOLOv5 sets Conv.default_act from the config; restore it afterwards."""
    saved = blocks.Conv.default_act
    blocks.Conv.default_act = activation(text)
    try:
        yield
    finally:
        blocks.Conv.default_act = saved


def torch_args(args: list) -> list:
    """Args as a torch constructor takes them: an activation a config wrote (`nn.LeakyReLU(0.1)`)
    becomes that module."""
    def convert(v: Any) -> Any:
        if isinstance(v, list):
            return [convert(x) for x in v]
        return activation(v.text or f"nn.{v.name}()") if isinstance(v, Act) else v
    return [convert(a) for a in args]


def layer_module(spec: LayerSpec) -> nn.Module:
    cls, args = torch_class(spec.mdef), torch_args(spec.args)
    if spec.repeats > 1:
        return nn.Sequential(*(cls(*args) for _ in range(spec.repeats)))
    return cls(*args)


class TorchModel(nn.Module):
    """Layers in YAML order, run like YOLOv5's _forward_once; Detect strides set from a probe."""

    def __init__(self, specs: Sequence[LayerSpec], s: Settings):
        super().__init__()
        with default_act(s.act_text):
            self.layers = nn.ModuleList(layer_module(spec) for spec in specs)
        self.inputs = [list(spec.inputs) for spec in specs]
        self.multi = [spec.mdef.multi_input for spec in specs]
        self.ch = s.ch
        head = self.layers[-1]
        if head_blocks.decodes(head):
            with torch.no_grad():
                out = self.forward(torch.zeros(1, s.ch, 256, 256))
            out = out[0] if isinstance(out, tuple) else out  # Segment: (levels, prototypes)
            stride = torch.tensor([256 / x.shape[-2] for x in out])
            head.stride = stride
            anchors = head.get_buffer("anchors")
            anchors /= stride.view(-1, 1, 1)

    def forward(self, x: Any):
        outs: list = []
        for layer, src, multi in zip(self.layers, self.inputs, self.multi):
            if src:
                x = [outs[j] for j in src] if multi else outs[src[0]]
            x = layer(x)
            outs.append(x)
        return x

    def _apply(self, fn, *args, **kwargs):
        self = super()._apply(fn, *args, **kwargs)
        head = self.layers[-1]
        if head_blocks.decodes(head) and isinstance(head.stride, torch.Tensor):
            head.stride = fn(head.stride)
            head.grid = [fn(g) for g in head.grid]
            if isinstance(head.anchor_grid, list):  # a buffer (v1.0) moves with the module already
                head.anchor_grid = [fn(g) for g in head.anchor_grid]
        return self


def build(model: ParsedModel) -> TorchModel:
    """A torch model of a parsed config, with random (default-initialised) weights."""
    return TorchModel(model.specs, model.settings)
