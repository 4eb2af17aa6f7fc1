"""Which definition a module name means when it has several published ones.

A config (top-level `definitions: {SELayer: NAME}`) or the command line (`--define
SELayer=NAME`) may choose one; otherwise the default is assumed, unless the row's arguments
do not fit its constructor and another definition's do. Never a silent guess: the choice
and how it was made go into a diagnostic and the JSON.
"""
from __future__ import annotations

from typing import Mapping, Optional

from . import extensions, forkcheck, modules, registry
from .errors import ConfigError
from .registry import ModuleDef

CHOSEN, DEFAULT, BY_ARGUMENTS = "chosen", "assumed", "picked by its arguments"
BY_FORK = "picked by the fork's own class,"


def candidates(name: str, choices: Mapping[str, str], allow_unknown: bool,
               config_path: Optional[str] = None) -> tuple[list[ModuleDef], str]:
    """The definitions a row may mean, in order of preference, and how the first was arrived at:
    chosen, else the one the fork around the config defines (its class read with ast), else
    the default."""
    key = registry.canonical(name)
    variants = modules.variants(key)
    chosen = choices.get(key, choices.get(name))
    if chosen is not None:
        if chosen not in variants:
            known = ", ".join(sorted(variants)) or "none (it has one definition)"
            raise ConfigError(f"{name} has no definition {chosen!r}; its definitions: {known}", code="parse/module")
        return [variants[chosen]], CHOSEN
    base = extensions.resolve(name, allow_unknown)
    if base is None:
        return [], DEFAULT
    if not variants:
        return [base], DEFAULT
    theirs = forkcheck.fork_variants(config_path, key)
    if base.variant is None:  # YOLOv5's own name: another definition only when the fork's class is one
        picked = [v for v in variants.values() if v.variant in theirs]
        return ([*picked, base], BY_FORK) if picked else ([base], DEFAULT)
    if len(variants) < 2:
        return [base], DEFAULT
    ordered = [base, *(v for v in variants.values() if v is not base)]
    if theirs and base.variant not in theirs:
        return [*(v for v in ordered if v.variant in theirs), *(v for v in ordered if v.variant not in theirs)], \
            BY_FORK
    return ordered, DEFAULT


def fits(mdef: ModuleDef, args: list) -> bool:
    """Whether the cost model (which mirrors the constructor) accepts these arguments."""
    try:
        import inspect  # only for a name with several definitions

        inspect.signature(mdef.build).bind(None, *args)
    except TypeError:
        return False
    return True


def alternatives(mdef: ModuleDef) -> list[str]:
    """The other named definitions of a module."""
    return sorted(v for v in modules.variants(mdef.name) if v != mdef.variant)


def choice_hint(mdef: ModuleDef) -> str:
    """How to pick another definition."""
    others = alternatives(mdef)
    if not others:
        return ("no other is built in: a fork's own with --repo DIR, or another registered under this name "
                "with --plugin")
    return (f"others: {', '.join(others)}; choose with --define {mdef.name}=NAME or "
            f"'definitions: {{{mdef.name}: NAME}}' in the config")


def source(mdef: ModuleDef) -> Optional[str]:
    p = mdef.provenance
    return f"{p.source}, {p.file}" if p and p.file else (p.source if p else None)
