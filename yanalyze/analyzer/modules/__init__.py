"""The built-in module library: one file per family here, each registering its module types.

A run imports only the families its config names: index.json maps each module name to the
families that register it (test_registry keeps it equal to a full import), so analysing
yolov5s loads four files, not sixty. Lookups go through here, so a name is always resolved
against every built-in definition of it; whatever must see them all (the list of names, a
plugin or a fork replacing one) calls load_all() first.
"""
from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path
from typing import Optional

from .. import registry

NOT_FAMILIES = ("sources",)  # modules here that register nothing themselves
_loaded: set[str] = set()
_state = {"all": False}


def _index() -> dict[str, list[str]]:
    cached = _state.get("index")
    if cached is None:
        cached = _state["index"] = json.loads(Path(__file__).with_name("index.json").read_text(encoding="utf-8"))
    return cached  # type: ignore[return-value]


def _import(family: str) -> None:
    if family not in _loaded:
        importlib.import_module(f"{__name__}.{family}")
        _loaded.add(family)


def ensure(name: str) -> None:
    """Import the families that define a name (in the same order as a full import)."""
    for family in _index().get(registry.canonical(name), ()):
        _import(family)


def families() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name not in NOT_FAMILIES)


def load_all() -> None:
    """Import every family (for the list of names, or before a plugin or a fork replaces one)."""
    if not _state["all"]:
        for family in families():
            _import(family)
        _state["all"] = True


def lookup(name: str, variant: Optional[str] = None) -> Optional[registry.ModuleDef]:
    """The definition a config's module name resolves to (None when nobody knows it)."""
    ensure(name)
    return registry.find(name, variant)


def variants(name: str) -> dict[str, registry.ModuleDef]:
    """Every named published definition of a module name."""
    ensure(name)
    return registry.VARIANTS.get(registry.canonical(name), {})


def names() -> list[str]:
    load_all()
    return sorted(registry.REGISTRY)


def build_index() -> dict[str, list[str]]:
    """Module name -> the families registering it, from a full import (what index.json holds)."""
    load_all()
    found: dict[str, set[str]] = {}
    for mdef in [*registry.REGISTRY.values(), *(m for vs in registry.VARIANTS.values() for m in vs.values())]:
        if mdef.origin == "built-in":
            found.setdefault(mdef.name, set()).add(mdef.family.rsplit(".", 1)[-1])
    return {name: sorted(fams) for name, fams in sorted(found.items())}

