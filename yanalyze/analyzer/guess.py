"""An unknown layer's assumed output (--allow-unknown), and the cost model that gives it."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Optional

from .errors import ConfigError
from .field import AxisField
from .model import Shape
from .symbolic import T


@dataclass(frozen=True)
class Guess:
    """An unknown layer's assumed output: channels and size relative to its first input."""

    c2: Optional[int] = None  # None: as the first input
    scale: Fraction = Fraction(1)
    why_c: str = "as its input"
    why_s: str = "the size of its input"
    demoted: Optional[str] = None  # a known module that could not be analysed after unknown layers: why


def build_for(guess: Guess):
    """The cost model of an unknown layer: nothing counted, the guessed output shape."""
    def build(xs: list, *args: object) -> T:
        x = xs[0]
        c = guess.c2 if guess.c2 is not None else x.c
        h, w = _scaled(x.shape.h, guess.scale), _scaled(x.shape.w, guess.scale)
        return T(Shape(c, h, w), _resample(x.fh, guess.scale), _resample(x.fw, guess.scale), x.glob, x.trace)
    return build


def _scaled(n: int, scale: Fraction) -> int:
    out = n * scale
    if out.denominator != 1 or out < 1:
        raise ConfigError(f"an unknown layer cannot scale a size of {n} by {scale}", code="graph/shape")
    return int(out)


def _resample(f: AxisField, scale: Fraction) -> AxisField:
    if scale < 1:
        k = int(1 / scale)
        return f.window(k, k)
    return f.upsample(int(scale)) if scale > 1 else f
