"""Modules beyond the built-ins: a plugin file, an installed package's entry point, and
--allow-unknown as the last resort. (Measuring the user's own torch classes, --modules,
runs torch and lives in yanalyze.verify.traced.)"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Callable, Optional

from . import diagnostics as D
from . import modules, registry
from .config import Config
from .errors import short_text
from .guess import Guess, build_for

ENTRY_POINTS = "yanalyze.modules"
_state = {"entry_points": False}
# Sources that define modules per config (--repo: a YOLOv5 fork's own code); each registers its
# definitions of the names a config uses before the config is parsed.
PREPARERS: list[Callable[[Config], None]] = []
# Conventions such a source prints its numbers in, used where the caller names none
# (--repo: {"gflops": how the fork's model_info counts}).
CONVENTIONS: dict[str, str] = {}


def import_file(path: str, missing: D.Message, failed: D.Message) -> ModuleType:
    """Import a user's Python file (this runs its code); its failures become one line."""
    p = Path(path)
    if not p.is_file():
        raise missing.error().located(path)
    name = f"yanalyze_user_{abs(hash(str(p.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, p)
    if spec is None or spec.loader is None:
        raise failed.error(error="not a Python file").located(path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:  # the user's code (even sys.exit): report it in one line
        sys.modules.pop(name, None)
        what = f"called sys.exit({exc.code!r})" if isinstance(exc, SystemExit) else f"{type(exc).__name__}: {exc}"
        raise failed.error(error=short_text(what)).located(path) from None
    return module


def load_plugin(path: str) -> list[str]:
    """Import a plugin file; its @yanalyze.register calls add modules. Returns their names."""
    modules.load_all()  # the built-ins first, so a plugin's module of the same name replaces them
    before = dict(registry.REGISTRY)
    registry.current_origin = f"plugin:{Path(path).name}"
    try:
        import_file(path, D.PLUGIN_MISSING, D.PLUGIN_ERROR)
    finally:
        registry.current_origin = "built-in"
    return sorted(k for k, v in registry.REGISTRY.items() if before.get(k) is not v)


def load_entry_points() -> None:
    """Modules that installed packages declare under the 'yanalyze.modules' entry point group
    (looked up once, and only when a config names a module nobody else knows)."""
    if _state["entry_points"]:
        return
    _state["entry_points"] = True
    from importlib import metadata

    for ep in metadata.entry_points(group=ENTRY_POINTS):
        try:
            ep.load()
        except (Exception, SystemExit) as exc:
            raise D.PLUGIN_ENTRY_POINT.error(name=ep.name, value=ep.value, error=short_text(str(exc))) from None


def prepare(cfg: Config) -> None:
    """Let every active per-config source (--repo) register its definitions for this config."""
    for prepare_config in PREPARERS:
        prepare_config(cfg)


def unknown(name: str, guess: Guess = Guess()) -> registry.ModuleDef:
    """--allow-unknown: count nothing, take any number of inputs, give the guessed output
    (analyzer.unknowns infers it), and say so everywhere."""
    return registry.ModuleDef(name=name, build=build_for(guess), multi_input=True, origin="unknown")


def resolve(name: str, allow_unknown: bool = False) -> Optional[registry.ModuleDef]:
    """The definition a module name resolves to: built-in or plugin, else an installed
    package's entry point, else a traced class; with allow_unknown a pass-through."""
    found = modules.lookup(name)
    if found is None:
        load_entry_points()
        found = modules.lookup(name)
    if found is None and allow_unknown:
        found = unknown(registry.canonical(name))
    return found


def suggestions(name: str) -> list[str]:
    """Close known names, for the unknown-module message."""
    modules.names()
    return registry.close_names(registry.canonical(name).removeprefix("nn."))
