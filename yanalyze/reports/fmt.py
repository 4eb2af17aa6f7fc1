"""The one place numbers become strings, so every view writes them the same way."""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

from ..analyzer.model import LayerResult, Output


def count(n: int) -> str:
    """7235389 -> '7,235,389' (YOLOv5 users read params this way)."""
    return f"{n:,}"


def si(n: float, unit: str = "") -> str:
    """Scaled with k/M/G/T: 16622796800 -> '16.6 G'."""
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= factor:
            return f"{n / factor:.3g} {prefix}{unit}".rstrip()
    return f"{n:.3g} {unit}".rstrip() if isinstance(n, float) else f"{n} {unit}".rstrip()


def nbytes(n: int) -> str:
    """Decimal units: 1_500_000 -> '1.5 MB'."""
    for factor, unit in ((1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")):
        if n >= factor:
            return f"{n / factor:.3g} {unit}"
    return f"{n} B"


def gflops(g: float, digits: int = 2) -> str:
    return f"{g:.{digits}f}"


def frac(v: Fraction) -> str:
    return str(int(v)) if v.denominator == 1 else f"{float(v):.3g}"


def axes(pair: Sequence, fn=str) -> str:
    """Show one value when both axes agree, 'h x w' otherwise."""
    a, b = fn(pair[0]), fn(pair[1])
    return a if a == b else f"{a}x{b}"


def shape(o: Output) -> str:
    s = o.shape
    return f"{s.c}x{s.h}x{s.w}"


def rf_exact(o: Output) -> str:
    """Exact receptive field: '682-714' when it varies over positions, else one number."""
    lo, hi = axes(o.rf_min), axes(o.rf_max)
    return lo if lo == hi else f"{lo}-{hi}"


def rf_cell(o: Output) -> str:
    """The receptive-field cell: exact value(s), G for global context, > when beyond the image."""
    text = rf_exact(o)
    if o.global_context:
        text += " G"
    if o.rf_exceeds_image:
        text += " >"
    return text


def per_output(r: LayerResult, fn) -> str:
    """Heads show one line per level."""
    return "\n".join(fn(o) for o in r.outputs)


def args(values: list) -> str:
    """Constructor args exactly as YOLOv5 prints them (Python list repr)."""
    return str(values)


def from_(src: Sequence[int]) -> str:
    return str(src[0]) if len(src) == 1 else str(list(src))
