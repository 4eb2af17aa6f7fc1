"""Module types by name: one entry each, filled by @register at import time (as timm does).

An entry holds all that is known about a module type: its YOLOv5 channel rule, its cost
model, the torch block it stands for, and where its definition comes from. One name can
have several published definitions (variants); each is an entry of its own and one of
them is the default. This module is only the container; analyzer.modules fills it with
the built-ins.
"""
from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass
from typing import Callable, Optional, Union

CHANNEL_RULES = ("conv", "csp", "bn", "concat", "head", "contract", "expand", "same", "keep", "prepend", "torch")
ChannelRule = Union[str, Callable]


@dataclass(frozen=True)
class Provenance:
    """Where a definition comes from: a YOLOv5 release or a published repository, the file
    that defines it, and the paper it follows."""

    source: str
    file: str = ""
    paper: str = ""


@dataclass(frozen=True)
class ModuleDef:
    """A module type: how its row's channels and args resolve, its cost model, its torch block.

    channels: the YOLOv5 parse rule ('conv': c1 = input channels, c2 = args[0] width-scaled;
    'csp': conv plus the repeat count inserted as args[2]; 'bn', 'concat', 'head',
    'contract', 'expand'; 'same': c2 = c1, args as written; 'keep': channels in = out, c1
    becomes args[0] (a channel count written first must scale to c1); 'prepend': c1 is put
    before the args as written; 'torch': a torch layer's own args, as written), or a callable
    (c1, args, ctx) -> (args, c2) for anything else. out_channels(c1, args) gives c2 for
    'prepend' and 'torch' modules. build(x, *args) mirrors the torch constructor signature
    and returns the output symbolic tensor (a list of them for heads). torch: the reference
    block as 'package.module:Class', imported only by yanalyze.verify.
    """

    name: str
    build: Callable
    channels: ChannelRule = "same"
    multi_input: bool = False
    out_channels: Optional[Callable[[int, list], int]] = None
    origin: str = "built-in"
    torch: Optional[str] = None
    provenance: Optional[Provenance] = None
    variant: Optional[str] = None
    head: Optional[bool] = None  # a detection head (levels, strides); default: the 'head' channel rule
    family: str = ""  # the module (file) whose @register made this entry: what to import to get it

    @property
    def is_head(self) -> bool:
        return self.head if self.head is not None else self.channels == "head"


REGISTRY: dict[str, ModuleDef] = {}                 # name -> default definition
VARIANTS: dict[str, dict[str, ModuleDef]] = {}      # name -> variant -> definition
TRACED: dict[str, ModuleDef] = {}                   # the user's torch classes (--modules); they win
current_origin = "built-in"  # set while a plugin file is being imported
_PREFIXES = ("torch.nn.", "nn.")


def register(name: str, channels: ChannelRule = "same", multi_input: bool = False,
             out_channels: Optional[Callable[[int, list], int]] = None, origin: Optional[str] = None,
             torch: Optional[str] = None, source: Optional[Provenance] = None,
             variant: Optional[str] = None, default: bool = True, head: Optional[bool] = None) -> Callable:
    """Decorator: register a cost model under a module name as written in YAML.

    channels: 'conv' (like Conv: c1 from the input, first arg width-scaled), 'csp' (like C3:
    also takes the repeat count), 'same' (passthrough), 'keep', 'prepend', 'torch', or a
    callable (c1, args, ctx) -> (args, c2) for a custom rule. torch: 'module:Class' of the
    torch block; source: its provenance; variant: the name of this definition when the module
    name has several (default: whether it is the one a config gets unless it asks).
    """
    if not callable(channels) and channels not in CHANNEL_RULES:
        raise ValueError(f"channels must be one of {CHANNEL_RULES} or a callable, got {channels!r}")

    family = sys._getframe(1).f_globals.get("__name__", "")

    def wrap(fn: Callable) -> Callable:
        key = canonical(name)
        mdef = ModuleDef(name=key, build=fn, channels=channels, multi_input=multi_input, out_channels=out_channels,
                         origin=origin or current_origin, torch=torch, provenance=source,
                         variant=variant or published_name(source), head=head, family=family)
        add(mdef, default or key not in REGISTRY)
        return fn

    return wrap


def published_name(source: Optional[Provenance]) -> Optional[str]:
    """A module from one published fork names its definition even when it is the only one built
    in (by its repository, owner/name), so every use of it is stated; YOLOv5's and torch's own
    modules have none."""
    if source is None or "@" not in source.source or source.source.startswith(("Ultralytics", "PyTorch")):
        return None
    return source.source.split("@")[0]


def add(mdef: ModuleDef, default: bool = True) -> None:
    """Put a definition in the registry (a plugin may replace a built-in deliberately)."""
    if mdef.variant is not None:
        VARIANTS.setdefault(mdef.name, {})[mdef.variant] = mdef
    if default:
        REGISTRY[mdef.name] = mdef


def add_traced(mdef: ModuleDef) -> None:
    """A class from the user's own file (--modules), measured in torch: the user named the file,
    so its class wins over a built-in of the same name."""
    TRACED[mdef.name] = mdef


def canonical(name: str) -> str:
    """'torch.nn.Upsample' and 'nn.Upsample' name the same module."""
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return "nn." + name[len(prefix):]
    return name


def find(name: str, variant: Optional[str] = None) -> Optional[ModuleDef]:
    """The definition of a name as registered so far (a variant, or the default)."""
    key = canonical(name)
    if variant is not None:
        return VARIANTS.get(key, {}).get(variant)
    return TRACED.get(name) or TRACED.get(key) or REGISTRY.get(key)


def close_names(name: str) -> list[str]:
    """Registered names close to an unknown one, for the error message."""
    by_lower = {k.lower(): k for k in REGISTRY}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.6)
    return [by_lower[c] for c in close]
