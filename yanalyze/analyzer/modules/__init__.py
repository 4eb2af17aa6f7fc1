"""The built-in module library: importing this package registers every family.

Lookups go through here, so the built-ins are always present when a name is resolved.
"""
from __future__ import annotations

from typing import Optional

from .. import registry
from . import conv, csp, fasternet, focal, heads, mobilenet, pool, routing, torch_nn, transformer  # noqa: F401

BUILTIN_NAMES = tuple(sorted(registry.REGISTRY))


def lookup(name: str, variant: Optional[str] = None) -> Optional[registry.ModuleDef]:
    """The definition a config's module name resolves to (None when nobody knows it)."""
    return registry.find(name, variant)


def names() -> list[str]:
    return sorted(registry.REGISTRY)
