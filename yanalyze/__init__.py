"""yanalyze: static architecture analysis of YOLOv5-style model configs.

The analysis path is pure Python arithmetic; torch is never imported here. The names below load
on first use, so `import yanalyze.cli` costs nothing before the command line is read (the CLI
pauses the cycle collector first, then imports the analysis).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .analyzer.analyze import analyze
    from .analyzer.errors import ConfigError
    from .analyzer.load import load_model
    from .analyzer.model import Analysis
    from .analyzer.registry import Provenance, register

__all__ = ["analyze", "diff", "check_budget", "sweep", "load_model", "register", "Provenance", "ConfigError",
           "Analysis", "__version__"]
__version__ = "0.2.0"
_WHERE = {"analyze": ".analyzer.analyze", "ConfigError": ".analyzer.errors", "load_model": ".analyzer.load",
          "Analysis": ".analyzer.model", "Provenance": ".analyzer.registry", "register": ".analyzer.registry"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'yanalyze' has no attribute {name!r}")


def diff(a: "Analysis", b: "Analysis", device=None):  # noqa: ANN001, ANN201  (ArchDiff; imported lazily)
    """Align two analyses layer by layer and say what changed (yanalyze.analyzer.diff.ArchDiff).
    device: the profile (or its name or path) both were analysed on; the causes then carry latency."""
    from .analyzer.devices import load
    from .analyzer.diff import diff as _diff

    return _diff(a, b, device=load(device) if isinstance(device, str) else device)


def check_budget(target):  # noqa: ANN001, ANN201
    """Every limit of one budget target (yanalyze.analyzer.budget.Target) against its analysis."""
    from .analyzer.budget import evaluate

    return evaluate(target)


def sweep(source, depths, widths, sizes=(640,), options=None, front="min"):  # noqa: ANN001, ANN201
    """The config at every combination of depth/width multiples and image sizes, with the Pareto
    front marked (yanalyze.analyzer.sweep.Sweep; options: a yanalyze.analyzer.load.ModelOptions)."""
    from .analyzer.load import ModelOptions
    from .analyzer.sweep import run

    return run(source, depths, widths, sizes, options or ModelOptions(), front)
