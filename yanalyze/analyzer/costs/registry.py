"""Module types by name: one entry each, filled by @register at import time (as timm does)."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Callable, Optional, Union

CHANNEL_RULES = ("conv", "csp", "bn", "concat", "head", "contract", "expand", "same", "keep", "prepend", "torch")


@dataclass(frozen=True)
class ModuleDef:
    """A module type: how its row's channels and args resolve, and its cost model.

    channels: the YOLOv5 parse rule ('conv': c1 = input channels, c2 = args[0] width-scaled;
    'csp': conv plus the repeat count inserted as args[2]; 'bn', 'concat', 'head',
    'contract', 'expand'; 'same': c2 = c1, args as written; 'keep': channels in = out, c1
    becomes args[0] (a channel count written first must scale to c1); 'prepend': c1 is put
    before the args as written; 'torch': a torch layer's own args, as written), or a callable
    (c1, args, ctx) -> (args, c2) for anything else. out_channels(args) gives c2 for 'prepend'
    and 'torch' modules that change the channel count. build(x, *args) mirrors the torch
    constructor signature and returns the output symbolic tensor (a list of them for heads).
    """

    name: str
    build: Callable
    channels: Union[str, Callable] = "same"
    multi_input: bool = False
    out_channels: Optional[Callable[[list], int]] = None
    origin: str = "built-in"

    @property
    def is_head(self) -> bool:
        return self.channels == "head"


REGISTRY: dict[str, ModuleDef] = {}
current_origin = "built-in"  # set while a plugin file is being imported
_PREFIXES = ("torch.nn.", "nn.")


def register(name: str, channels: Union[str, Callable] = "same", multi_input: bool = False,
             out_channels: Optional[Callable[[list], int]] = None, origin: Optional[str] = None) -> Callable:
    """Decorator: register a cost model under a module name as written in YAML.

    channels: 'conv' (like Conv: c1 from the input, first arg width-scaled), 'csp' (like C3:
    also takes the repeat count), 'same' (passthrough), 'keep', 'prepend', 'torch', or a
    callable (c1, args, ctx) -> (args, c2) for a custom rule.
    """
    if not callable(channels) and channels not in CHANNEL_RULES:
        raise ValueError(f"channels must be one of {CHANNEL_RULES} or a callable, got {channels!r}")

    def wrap(fn: Callable) -> Callable:
        REGISTRY[canonical(name)] = ModuleDef(canonical(name), fn, channels, multi_input, out_channels,
                                              origin or current_origin)
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
    from . import conv, csp, custom, heads, pool, routing, torch_layers, transformer  # noqa: F401  (registers)
