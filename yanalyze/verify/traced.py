"""--modules FILE: the user's own torch classes, measured in torch; they win over a built-in of
the same name. Importing the file runs its code; the CLI says so before it does."""
from __future__ import annotations

import inspect
from pathlib import Path
from typing import Callable

import torch.nn as nn

from ..analyzer import diagnostics as D
from ..analyzer import registry
from ..analyzer.extensions import import_file
from ..analyzer.model import Shape
from ..analyzer.symbolic import T, shape_error
from . import trace


def load_modules(path: str) -> list[str]:
    """Import the user's module file and offer its nn.Module classes for measurement under
    the names the YAML uses. Returns the class names."""
    module = import_file(path, D.MODULES_MISSING, D.MODULES_ERROR)
    found = []
    for name, obj in vars(module).items():
        if inspect.isclass(obj) and issubclass(obj, nn.Module) and obj.__module__ == module.__name__:
            registry.add_traced(registry.ModuleDef(
                name=name, build=traced_build(obj), channels=traced_channels(obj), origin=f"traced:{Path(path).name}",
                torch=f"{module.__name__}:{name}", provenance=registry.Provenance(f"your file {Path(path).name}")))
            found.append(name)
    return sorted(found)


def traced_channels(cls: type) -> Callable:
    """YOLOv5 convention: a class whose first two parameters are c1, c2 is conv-like;
    anything else takes its args as written and its output channels are measured."""
    params = list(inspect.signature(cls).parameters)[:2]

    def rule(c1: int, args: list, ctx) -> tuple[list, int]:
        if params == ["c1", "c2"] and args:
            c2 = args[0] if args[0] == ctx.no else ctx.scale(args[0])
            return [c1, c2, *args[1:]], c2
        _, outs = trace.measure(cls, list(args), (c1, 64, 64), None)
        return list(args), outs[0][0][0]

    return rule


def traced_build(cls: type) -> Callable:
    """A cost model that builds the class on the meta device and measures it."""
    def build(x: T, *args):
        try:
            m, outs = trace.measure(cls, list(args), (x.c, x.shape.h, x.shape.w), trace.Field(x.fh, x.fw, x.glob))
        except Exception as exc:
            raise shape_error(f"measuring {cls.__name__}{tuple(args)} in torch failed: {type(exc).__name__}: {exc}")
        x.trace.record(m.cost)
        if m.uncounted:
            x.trace.notes.append(f"ops not counted: {', '.join(sorted(m.uncounted))}")
        (shape, f), *_ = outs
        if len(shape) != 3:
            raise shape_error(f"{cls.__name__} returns shape {shape}, not a C x H x W feature map")
        if f is None:
            f = trace.Field(x.fh, x.fw, True)
        return T(Shape(*shape), f.fh, f.fw, f.glob, x.trace)
    return build
