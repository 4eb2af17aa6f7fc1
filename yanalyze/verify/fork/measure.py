"""In the fork's process: build one layer from the fork's class, as its parse_model would
(`m(*args)`), on the meta device, and measure it with yanalyze's tracer (verify.trace): params,
output shapes, thop's count, MACs, complete FLOPs, memory access and receptive fields. A head
gets its strides first (as the fork's Model does from its forward at 256), runs once to build
its grids, and is then counted in eval mode with its decode; its per-level shapes are those of
the training-mode forward. The fused numbers are the layer after the fork's own Model.fuse().
"""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any, Callable, Optional

import torch
import torch.nn as nn

from ..build import activation
from ..trace import ACTIVATIONS, Field, measure_module
from . import protocol as P

def construct(cls: type, args: list, device: str) -> nn.Module:
    """cls(*args) on the meta device; a constructor that computes with tensor values (a
    drop-path schedule, .item()) is built on the CPU and moved."""
    if device == "meta":
        try:
            with torch.device("meta"):
                return cls(*args)
        except Exception:
            pass
    return cls(*args).to(device)


def _shape(shape: tuple) -> list[int]:
    """A batch-less output shape as C x H x W: a head level (na, h, w, no) is na*no x h x w, a
    flat (C,) is C x 1 x 1."""
    if len(shape) == 4:
        return [shape[0] * shape[3], shape[1], shape[2]]
    if len(shape) == 1:
        return [shape[0], 1, 1]
    return list(shape)


def _field(f: Optional[Field]) -> Optional[dict]:
    if f is None:
        return None
    return {"fh": P.field_to_json(f.fh), "fw": P.field_to_json(f.fw), "glob": f.glob}


def _fields_in(raw: list) -> list:
    return [None if f is None else Field(P.axis_from_json(f["fh"]), P.axis_from_json(f["fw"]), bool(f["glob"]))
            for f in raw]


class Layer:
    """One measurement request."""

    def __init__(self, cls: type, msg: dict, fuse: Optional[Callable[[nn.Module], None]]):
        self.cls, self.msg, self.fuse = cls, msg, fuse
        self.head = bool(msg.get("head"))
        self.as_list = bool(msg.get("list"))

    def inputs(self, device: str) -> list[torch.Tensor]:
        return [torch.zeros(1, *s, device=device) if device == "cpu" else torch.empty(1, *s, device=device)
                for s in self.msg["inputs"]]

    def prime(self, module: nn.Module, xs: list) -> None:
        """What the fork's Model has done before any count: strides set, grids built."""
        module.stride = torch.tensor([float(s) for s in self.msg.get("strides") or []])
        with torch.no_grad():
            module.eval()(list(xs))

    def run(self, module: nn.Module, device: str) -> dict:
        fields = _fields_in(self.msg["fields"])
        xs = self.inputs(device)
        if self.head:
            self.prime(module, xs)
        m, _, outs = measure_module(module.eval(), xs, fields, self.as_list)
        if self.head:  # per-level shapes as training mode returns them
            _, _, outs = measure_module(module.train(), self.inputs(device), fields, self.as_list)
            module.eval()
        out = {"cost": P.cost_to_json(m.cost), "uncounted": sorted(m.uncounted),
               "outs": [[_shape(s), _field(f)] for s, f in outs], "fused": None}
        if self.fuse is not None:
            out["fused"] = self.fused(device)
        return out

    def fused(self, device: str) -> Optional[dict]:
        try:
            fm = construct(self.cls, self.msg["args"], device)  # afresh: a copy would materialise grid views
            self.fuse(fm)  # type: ignore[misc]
            xs = self.inputs(device)
            if self.head:
                self.prime(fm, xs)
            m, _, _ = measure_module(fm.eval(), xs, _fields_in(self.msg["fields"]), self.as_list)
        except Exception:
            return None
        # as yanalyze's fused estimate: an activation right after a convolution runs in its kernel
        folded = sum(c.act for (prev, _), (name, c) in zip(m.ops, m.ops[1:])
                     if prev == "convolution" and name in ACTIVATIONS)
        return P.cost_to_json(replace(m.cost, act=m.cost.act - folded))

    def measure(self) -> dict:
        """On the meta device, or (when the layer's code needs real values) on the CPU."""
        try:
            return self.run(construct(self.cls, self.msg["args"], "meta"), "meta")
        except Exception as meta_error:
            try:
                return self.run(construct(self.cls, self.msg["args"], "cpu"), "cpu")
            except Exception:
                raise meta_error from None


def fuser(model_cls: Optional[type]) -> Optional[Callable[[nn.Module], None]]:
    """The fork's own Model.fuse, applied to one layer (it walks self.model.modules())."""
    fuse = getattr(model_cls, "fuse", None)
    if fuse is None:
        return None

    def apply(module: nn.Module) -> None:
        fuse(SimpleNamespace(model=module, info=lambda *a, **k: None))
    return apply


def set_activation(classes: list, originals: dict, text: Optional[str]) -> None:
    """The config's `activation`, where the fork's parse_model sets Conv.default_act from it."""
    for cls in classes:
        if text:
            cls.default_act = activation(text)
        elif cls in originals:
            cls.default_act = originals[cls]


def layer_args(raw: Any, objects: dict) -> Any:
    """Arguments as sent: a class of the fork travels as {"$class": key}, an activation a config
    wrote as {"$act": its text}."""
    if isinstance(raw, list):
        return [layer_args(v, objects) for v in raw]
    if isinstance(raw, dict) and set(raw) == {"$class"}:
        return objects[raw["$class"]]
    if isinstance(raw, dict) and set(raw) == {"$act"}:
        return activation(raw["$act"])  # the whitelisted activation, literal arguments only
    return raw


def _flat(y: Any) -> list:
    if isinstance(y, torch.Tensor):
        return [y]
    if isinstance(y, (list, tuple)):
        return [t for v in y for t in _flat(v)]
    return []


def whole_model(model_cls: Optional[type], cfg: Any, nc: Optional[int], imgsz: list[int]) -> dict:
    """Model(cfg) as the fork builds it, then one eval forward at the image size: per layer
    its parameters and output shapes (a head: its per-level maps as na*no x h x w)."""
    if model_cls is None:
        raise LookupError("models/yolo.py has no Model class")
    torch.manual_seed(0)
    model = model_cls(cfg) if nc is None else model_cls(cfg, nc=nc)
    layers = list(model.model)
    outs: dict[int, Any] = {}
    hooks = [m.register_forward_hook(lambda mod, i, o, k=k: outs.__setitem__(k, o)) for k, m in enumerate(layers)]
    with torch.no_grad():
        model.eval()(torch.zeros(1, getattr(model, "yaml", {}).get("ch", 3), *imgsz))
    for h in hooks:
        h.remove()
    result = []
    for k, m in enumerate(layers):
        ts = [t for t in _flat(outs.get(k)) if t.dim() in (2, 4, 5)]
        if k == len(layers) - 1 and len(ts) > 1:
            ts = [t for t in ts if t.dim() in (4, 5)]
        shapes = [_shape(tuple(t.shape[1:])) for t in (ts if k == len(layers) - 1 else ts[:1])]
        result.append({"params": sum(p.numel() for p in m.parameters()), "shapes": shapes})
    return {"layers": result}
