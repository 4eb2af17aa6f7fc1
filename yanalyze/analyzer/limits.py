"""What a model can have: one bound per kind of value, checked before the work that depends on
it, so a hostile or mistyped config gets one clear line instead of running out of time or memory.

The bounds are far beyond any published YOLO model (the largest have 1,280 channels, repeat
counts of 12, 1,536-pixel images and 3 anchors per level).
"""
from __future__ import annotations

from typing import Any, Optional

from .errors import ConfigError

MAX_REPEATS = 1_000          # a row's number, before and after depth_multiple
MAX_TOTAL_REPEATS = 100_000  # summed over all rows (each repeat is a block to cost; the work is linear)
MAX_MULTIPLE = 100.0         # depth_multiple and width_multiple
MAX_CHANNELS = 1 << 20       # any feature map's channels (and 'ch')
MAX_CLASSES = 100_000        # nc
MAX_ANCHORS = 64             # anchors per level (or the int form of 'anchors')
MAX_LEVELS = 16              # anchor levels
MAX_IMAGE = 16_384           # input height or width
MAX_SIDE = 1 << 16           # any feature map's height or width (after upsampling)
MAX_BATCH = 1 << 16          # --batch
MAX_ROWS = 50_000            # rows in backbone + head (generated search spaces reach tens of thousands)
MAX_ARG_VALUES = 10_000      # values in one row once YAML aliases are expanded
MAX_MAGNITUDE = 1 << 62      # any number an arg's arithmetic produces


def too_large(what: str, value: Any, limit: Any) -> ConfigError:
    shown = f"{value:,}" if len(str(value)) <= 40 else f"a {len(str(value))}-digit number"
    return ConfigError(f"{what} is {shown}, beyond what a model can have (at most {limit:,})", code="parse/limit")


def check(what: str, value: Any, limit: Any) -> None:
    """Refuse a number beyond its bound (the caller checked that it is a number)."""
    if value > limit:
        raise too_large(what, value, limit)


def count_values(value: Any, budget: int = MAX_ARG_VALUES) -> Optional[int]:
    """How many scalars a YAML value holds with aliases expanded, or None once past the budget
    (a billion-laughs bomb is a few shared lists that expand to 10**9 values)."""
    total = 0
    stack = [value]
    while stack:
        v = stack.pop()
        total += 1
        if total > budget:
            return None
        if isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
    return total
