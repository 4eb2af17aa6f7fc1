"""The built-in module library: importing this package registers every family in it (every
module of the package but `sources`), so a new family is one new file here.

Lookups go through here, so the built-ins are always present when a name is resolved.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import Optional

from .. import registry

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    importlib.import_module(f"{__name__}.{_info.name}")

BUILTIN_NAMES = tuple(sorted(registry.REGISTRY))


def lookup(name: str, variant: Optional[str] = None) -> Optional[registry.ModuleDef]:
    """The definition a config's module name resolves to (None when nobody knows it)."""
    return registry.find(name, variant)


def names() -> list[str]:
    return sorted(registry.REGISTRY)
