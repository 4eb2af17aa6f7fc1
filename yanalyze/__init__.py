"""yanalyze: static architecture analysis of YOLOv5-style model configs.

The analysis path is pure Python arithmetic; torch is never imported here.
"""
from .analyzer.analyze import analyze
from .analyzer.costs.registry import register
from .analyzer.errors import ConfigError
from .analyzer.model import Analysis

__all__ = ["analyze", "register", "ConfigError", "Analysis", "__version__"]
__version__ = "0.1.0"
