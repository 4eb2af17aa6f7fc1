"""Module types by name: one entry each, filled by @register at import time (as timm does)."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Callable, Optional

CHANNEL_RULES = ("conv", "csp", "bn", "concat", "head", "contract", "expand", "same")


@dataclass(frozen=True)
class ModuleDef:
    """A module type: how its row's channels and args resolve, and its cost model.

    channels: the YOLOv5 parse rule ('conv': c1 = input channels, c2 = args[0] width-scaled;
    'csp': conv plus the repeat count inserted as args[2]; 'bn', 'concat', 'head',
    'contract', 'expand'; 'same': c2 = c1). build(x, *args) mirrors the torch constructor
    signature and returns the output symbolic tensor (a list of them for heads).
    """

    name: str
    build: Callable
    channels: str = "same"
    multi_input: bool = False

    @property
    def is_head(self) -> bool:
        return self.channels == "head"


REGISTRY: dict[str, ModuleDef] = {}
_PREFIXES = ("torch.nn.", "nn.")


def register(name: str, channels: str = "same", multi_input: bool = False) -> Callable:
    """Decorator: register a cost model under a module name as written in YAML."""
    if channels not in CHANNEL_RULES:
        raise ValueError(f"channels must be one of {CHANNEL_RULES}, got {channels!r}")

    def wrap(fn: Callable) -> Callable:
        REGISTRY[name] = ModuleDef(name, fn, channels, multi_input)
        return fn

    return wrap


def canonical(name: str) -> str:
    """'torch.nn.Upsample' and 'nn.Upsample' name the same module."""
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return "nn." + name[len(prefix):]
    return name


def lookup(name: str) -> Optional[ModuleDef]:
    _load_builtins()
    return REGISTRY.get(canonical(name))


def suggestions(name: str) -> list[str]:
    """Close registered names, for the unknown-module message."""
    _load_builtins()
    by_lower = {k.lower(): k for k in REGISTRY}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.6)
    return [by_lower[c] for c in close]


def names() -> list[str]:
    _load_builtins()
    return sorted(REGISTRY)


def _load_builtins() -> None:
    from . import conv, csp, heads, pool, routing, transformer  # noqa: F401  (registers)
