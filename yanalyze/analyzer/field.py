"""Receptive field along one axis: the textbook value and the exact per-position window.

The exact form keeps, for one period of output positions, the input window [lo, hi]
that can influence each position on an unbounded input. Windows are monotone in the
position and periodic (lo(i + period) = lo(i) + shift), so a conv reads
lo_in(i*s - p) and hi_in(i*s - p + d*(k-1)), nearest upsampling reads position i // u,
and a DAG join (Concat, Add) takes the union. This is exact where the textbook formula
(max over inputs, jump divided by the upsample factor) is only an approximation.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import gcd
from typing import Optional, Union


def _lcm(a: int, b: int) -> int:
    return a * b // gcd(a, b)


Rational = Union[int, Fraction]


def _q(x: Rational) -> Rational:
    """A whole number as an int: int arithmetic is many times faster than Fraction's, and jumps
    and receptive fields are whole in nearly every model (an upsample makes them fractional)."""
    return int(x) if isinstance(x, Fraction) and x.denominator == 1 else x


@dataclass(unsafe_hash=True, slots=True)  # immutable by convention: frozen costs 4x per instance
class AxisField:
    """Jump (input pixels per output step), textbook rf, and exact windows over one period."""

    jump: Rational  # int when whole, else a Fraction
    rf: Rational
    period: int = 1
    shift: int = 1
    lo: Optional[tuple[int, ...]] = (0,)
    hi: Optional[tuple[int, ...]] = (0,)

    @staticmethod
    def identity(exact: bool = True) -> "AxisField":
        """The input image itself: position i sees pixel i."""
        if exact:
            return AxisField(1, 1)
        return AxisField(1, 1, lo=None, hi=None)

    @property
    def exact(self) -> bool:
        return self.lo is not None

    def _at(self, table: Optional[tuple[int, ...]], i: int) -> int:
        assert table is not None, "exact windows are off for this field"
        q, r = divmod(i, self.period)
        return table[r] + q * self.shift

    def window(self, k: int, s: int = 1, p: int = 0, d: int = 1) -> "AxisField":
        """Sliding window (conv or pool) of kernel k, stride s, padding p, dilation d."""
        span = d * (k - 1)
        if span == 0 and s == 1 and p == 0:  # a 1x1 step-1 window maps every position to itself
            return self
        jump, rf = _q(self.jump * s), _q(self.rf + span * self.jump)
        if not self.exact:
            return AxisField(jump, rf, lo=None, hi=None)
        if self.period == 1:  # most fields: one window shape for every position, a line to follow
            assert self.lo is not None and self.hi is not None
            return AxisField(jump, rf, 1, self.shift * s, (self.lo[0] - p * self.shift,),
                             (self.hi[0] + (span - p) * self.shift,))
        period = self.period // gcd(self.period, s)
        shift = self.shift * (period * s // self.period)
        lo = tuple(self._at(self.lo, i * s - p) for i in range(period))
        hi = tuple(self._at(self.hi, i * s - p + span) for i in range(period))
        return AxisField(jump, rf, period, shift, lo, hi)

    def upsample(self, u: int) -> "AxisField":
        """Nearest upsampling by an integer factor: output i copies input i // u."""
        jump = _q(Fraction(self.jump) / u)
        if not self.exact:
            return AxisField(jump, self.rf, lo=None, hi=None)
        period = self.period * u
        lo = tuple(self._at(self.lo, i // u) for i in range(period))
        hi = tuple(self._at(self.hi, i // u) for i in range(period))
        return AxisField(jump, self.rf, period, self.shift, lo, hi)

    def upsample_linear(self, u: int) -> "AxisField":
        """Bilinear upsampling by u (align_corners=False): output i blends input
        floor((i + 0.5)/u - 0.5) and the next one, so the window grows by one input step."""
        jump, rf = _q(Fraction(self.jump) / u), _q(self.rf + self.jump)
        if not self.exact:
            return AxisField(jump, rf, lo=None, hi=None)
        period = self.period * u
        first = [(2 * i + 1 - u) // (2 * u) for i in range(period)]
        lo = tuple(self._at(self.lo, f) for f in first)
        hi = tuple(self._at(self.hi, f + 1) for f in first)
        return AxisField(jump, rf, period, self.shift, lo, hi)

    def transposed(self, k: int, s: int, p: int = 0, d: int = 1) -> "AxisField":
        """Transposed convolution: output o gathers inputs i with o = i*s - p + d*t, t < k."""
        span = d * (k - 1)
        jump, rf = _q(Fraction(self.jump) / s), _q(self.rf + (-(-(span + 1) // s) - 1) * self.jump)
        if not self.exact:
            return AxisField(jump, rf, lo=None, hi=None)
        period = self.period * s
        lo = tuple(self._at(self.lo, -((span - o - p) // s)) for o in range(period))
        hi = tuple(self._at(self.hi, (o + p) // s) for o in range(period))
        return AxisField(jump, rf, period, self.shift, lo, hi)

    def join(self, other: "AxisField") -> "AxisField":
        """Union of two branches at the same resolution (Concat, Add, Multiply)."""
        jump, rf = max(self.jump, other.jump), max(self.rf, other.rf)
        if not (self.exact and other.exact):
            return AxisField(jump, rf, lo=None, hi=None)
        period = _lcm(self.period, other.period)
        shift = self.shift * (period // self.period)
        lo = tuple(min(self._at(self.lo, i), other._at(other.lo, i)) for i in range(period))
        hi = tuple(max(self._at(self.hi, i), other._at(other.hi, i)) for i in range(period))
        return AxisField(jump, rf, period, shift, lo, hi)

    def extent(self, i: int) -> int:
        """Exact receptive field (pixels) of output position i."""
        assert self.lo is not None and self.hi is not None
        return self._at(self.hi, i) - self._at(self.lo, i) + 1

    @property
    def rf_min(self) -> int:
        assert self.lo is not None and self.hi is not None
        return min(h - l + 1 for l, h in zip(self.lo, self.hi))

    @property
    def rf_max(self) -> int:
        assert self.lo is not None and self.hi is not None
        return max(h - l + 1 for l, h in zip(self.lo, self.hi))
