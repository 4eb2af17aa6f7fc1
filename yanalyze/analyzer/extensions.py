"""Three ways to teach yanalyze a module: a plugin file, an installed package's entry point,
or measuring the user's own torch class (--modules); and --allow-unknown as a last resort."""
from __future__ import annotations

import importlib.util
import inspect
import sys
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Callable, Optional

from .model import Shape
from .costs import registry
from .costs.primitives import T, shape_error
from .errors import ConfigError

ENTRY_POINTS = "yanalyze.modules"
TRACED: dict[str, registry.ModuleDef] = {}
_loaded_entry_points = False


def _import_file(path: str, kind: str) -> ModuleType:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"no such {kind} file", path=path, code=f"{kind}/missing")
    name = f"yanalyze_{kind}_{abs(hash(str(p.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, p)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the user's code: report it in one line
        raise ConfigError(f"{kind} file failed to load: {type(exc).__name__}: {exc}", path=path,
                          code=f"{kind}/error") from None
    return module


def load_plugin(path: str) -> list[str]:
    """Import a plugin file; its @yanalyze.register calls add modules. Returns their names."""
    registry.names()  # built-ins first, so a plugin may override one deliberately
    before = dict(registry.REGISTRY)
    registry.current_origin = f"plugin:{Path(path).name}"
    try:
        _import_file(path, "plugin")
    finally:
        registry.current_origin = "built-in"
    return sorted(k for k, v in registry.REGISTRY.items() if before.get(k) is not v)


def load_entry_points() -> None:
    """Modules that installed packages declare under the 'yanalyze.modules' entry point group."""
    global _loaded_entry_points
    if _loaded_entry_points:
        return
    _loaded_entry_points = True
    for ep in metadata.entry_points(group=ENTRY_POINTS):
        try:
            ep.load()
        except Exception as exc:
            raise ConfigError(f"entry point {ep.name} ({ep.value}) failed to load: {exc}",
                              code="plugin/entry-point") from None


def load_modules(path: str) -> list[str]:
    """Import the user's module file (this runs its code) and offer its nn.Module classes for
    measurement under the names the YAML uses. Returns the class names."""
    module = _import_file(path, "modules")
    import torch.nn as nn

    found = []
    for name, obj in vars(module).items():
        if inspect.isclass(obj) and issubclass(obj, nn.Module) and obj.__module__ == module.__name__:
            TRACED[name] = registry.ModuleDef(name, traced_build(obj), traced_channels(obj), False, None,
                                              f"traced:{Path(path).name}")
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
        from ..verify import trace

        _, outs = trace.measure(cls, list(args), (c1, 64, 64), None)
        return list(args), outs[0][0][0]

    return rule


def traced_build(cls: type) -> Callable:
    def build(x: T, *args):
        from ..verify import trace

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
        return T(Shape(*shape), f.fh, f.fw, f.glob, x.trace)
    return build


def unknown(name: str) -> registry.ModuleDef:
    """--allow-unknown: pass the channels through, count nothing, and say so everywhere."""
    def build(x: T, *args):
        x.trace.notes.append("unknown module: passed through, no params or FLOPs counted")
        return x
    return registry.ModuleDef(name, build, "same", False, None, "unknown")


def lookup(name: str, allow_unknown: bool = False) -> Optional[registry.ModuleDef]:
    load_entry_points()
    found = registry.lookup(name)
    if found is None:
        found = TRACED.get(name) or TRACED.get(registry.canonical(name))
    if found is None and allow_unknown:
        found = unknown(registry.canonical(name))
    return found
