"""Quantities as people write them in budgets: 7.5M params, 16.5G FLOPs, 300MB, 5%."""
from __future__ import annotations

import math
import re
from typing import Union

from .errors import ConfigError, short

_NUMBER = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z%]*)\s*$")
_COUNT = {"": 1, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "B": 1e9, "T": 1e12}
_BYTES = {"": 1, "B": 1, "KB": 1e3, "kB": 1e3, "K": 1e3, "k": 1e3, "MB": 1e6, "M": 1e6, "GB": 1e9, "G": 1e9,
          "TB": 1e12, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
_MS = {"": 1, "ms": 1, "s": 1e3, "us": 1e-3}
_FLOPS = {"": 1, "G": 1, "GFLOPs": 1, "GFLOPS": 1, "T": 1e3, "TFLOPs": 1e3, "M": 1e-3, "MFLOPs": 1e-3}

Number = Union[int, float]


_MAX = 1e30  # beyond any budget; keeps every limit a finite number


def _finite(value: float, text: object, what: str) -> float:
    if not math.isfinite(value) or abs(value) > _MAX:
        raise ConfigError(f"{what}: a limit must be a finite number, got {short(text)}", code="budget/unit")
    return value


def _split(text: object, what: str) -> tuple[float, str]:
    if isinstance(text, bool):
        raise ConfigError(f"{what}: expected a number, got {text!r}", code="budget/unit")
    if isinstance(text, int) and abs(text) > _MAX:
        raise ConfigError(f"{what}: a limit must be a finite number, got {short(text)}", code="budget/unit")
    if isinstance(text, (int, float)):
        return _finite(float(text), text, what), ""
    m = _NUMBER.match(str(text))
    if not m:
        raise ConfigError(f"{what}: cannot read {short(text)} as a number with a unit", code="budget/unit")
    return _finite(float(m.group(1)), text, what), m.group(2)


def _scaled(text: object, what: str, table: dict[str, float], hint: str) -> float:
    value, unit = _split(text, what)
    if unit not in table:
        raise ConfigError(f"{what}: unknown unit {short(unit)} in {short(text)} (use {hint})", code="budget/unit")
    return _finite(value * table[unit], text, what)


def count(text: object, what: str = "params") -> int:
    """Parameters: 7235389, 7.5M, 850k."""
    return round(_scaled(text, what, _COUNT, "k, M or G"))


def nbytes(text: object, what: str = "memory") -> int:
    """Bytes: 300MB, 1.5GB, 64MiB, or a plain number of bytes."""
    return round(_scaled(text, what, _BYTES, "B, kB, MB, GB, KiB, MiB or GiB"))


def gflops(text: object, what: str = "GFLOPs") -> float:
    """GFLOPs: 16.5 or 16.5G (GFLOPs), 900M (0.9 GFLOPs), 1.2T (1200 GFLOPs)."""
    return _scaled(text, what, _FLOPS, "G, M or T")


def percent(text: object, what: str = "increase") -> float:
    """A fraction: '5%' -> 0.05; a bare number is a percentage too ('5' -> 0.05)."""
    value, unit = _split(text, what)
    if unit not in ("", "%"):
        raise ConfigError(f"{what}: expected a percentage such as 5%, got {text!r}", code="budget/unit")
    return value / 100


def ms(text: object, what: str = "latency") -> float:
    """Milliseconds: 25 or 25ms, 0.5s, 800us."""
    return _scaled(text, what, _MS, "ms, s or us")
